import { http } from 'msw';
import type { Hono } from 'hono';
import { parseEnv } from '../../src/env.js';
import type { AppEnv } from '../../src/http/types.js';
import type { TestClient } from '../helpers/app.js';

/** A fixed key for tests: 32 bytes as hex. */
export const TEST_TOKEN_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0';

export const classroomEnv = (extra: Record<string, string> = {}) =>
  parseEnv({ NODE_ENV: 'test', TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY, GOOGLE_REQUESTS_PER_SECOND: '1000', ...extra });

/**
 * The sandbox is served by the app itself; in tests without a listening server, msw hands
 * google-auth-library's and googleapis' requests to the app in-process, at the network edge.
 */
export function sandboxNetwork(app: () => Hono<AppEnv>, origin = 'http://localhost') {
  return [http.all(`${origin}/google-sandbox/*`, ({ request }) => app().fetch(request))];
}

/** Runs the consent round trip in a TestClient as the given demo Google account; returns the callback response. */
export async function consentThroughSandbox(
  client: TestClient,
  googleAccountId: string,
  options: { decision?: 'allow' | 'deny'; beforeCallback?: (callbackUrl: URL) => Promise<URL | void> | URL | void } = {},
): Promise<Response> {
  const start = await client.post('/classroom/connect', { returnTo: '/classroom/import' });
  if (start.status !== 303) throw new Error(`connect answered ${start.status}`);
  const authUrl = new URL(start.headers.get('location')!);
  const consent = await client.get(authUrl.pathname + authUrl.search);
  if (consent.res.status !== 200) throw new Error(`consent page answered ${consent.res.status}: ${consent.html}`);
  const form: Record<string, string> = { account: googleAccountId, decision: options.decision ?? 'allow' };
  for (const [k, v] of authUrl.searchParams) form[k] = v;
  const back = await client.post('/google-sandbox/o/oauth2/v2/auth', form);
  if (back.status !== 302) throw new Error(`consent answered ${back.status}: ${await back.text()}`);
  let callback = new URL(back.headers.get('location')!);
  callback = (await options.beforeCallback?.(callback)) ?? callback;
  return client.request(callback.pathname + callback.search, { method: 'GET' });
}
