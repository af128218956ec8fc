import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/**
 * A path with its ids taken out (`/v1/courses/:id/students`), so a log line or a metric label
 * names the endpoint and never a course, a person or a token. Query strings are dropped whole.
 */
export function endpointOf(url: string): string {
  const { host, pathname } = new URL(url);
  const path = pathname
    .split('/')
    .map((segment) => (/^v\d+(\.\d+)?$/.test(segment) || !(/[\d@%]/.test(segment) || segment.length >= 24) ? segment : ':id'))
    .join('/');
  return `${host}${path}`;
}

function urlOf(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

/**
 * Wraps the fetch every Google request goes through (GoogleConfig.fetch): one log line and one
 * metric per request (endpoint, method, status, duration, whether it repeats a failed one). The
 * retries happen above (gaxios); a request to the same method and URL after a failure is a retry.
 */
export function observedGoogleFetch(inner: typeof fetch, logger: Logger, metrics: Metrics | null): typeof fetch {
  const failed = new Set<string>();
  return async (input, init) => {
    const url = urlOf(input);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const key = `${method} ${url}`;
    const retry = failed.has(key);
    const endpoint = endpointOf(url);
    const started = performance.now();
    let status = 0;
    try {
      const res = await inner(input, init);
      status = res.status;
      return res;
    } finally {
      if (status === 429 || status === 0 || status >= 500) failed.add(key);
      else failed.delete(key);
      if (failed.size > 1000) failed.clear();
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      logger.info({ endpoint, method, status, durationMs, retry }, 'google call');
      metrics?.googleCall(endpoint, status, retry);
    }
  };
}
