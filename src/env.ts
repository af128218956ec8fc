import * as v from 'valibot';
import { LOG_LEVELS } from './observability/log-levels.js';

/**
 * The service's configuration, read once from the environment and checked by one schema.
 * A missing or malformed variable stops start-up with a message that names it.
 */
const optionalString = v.optional(v.pipe(v.string(), v.trim(), v.minLength(1)));
const flag = v.pipe(
  v.optional(v.picklist(['0', '1', 'true', 'false']), 'false'),
  v.transform((s) => s === '1' || s === 'true'),
);

export const EnvSchema = v.object({
  NODE_ENV: v.optional(v.picklist(['development', 'production', 'test']), 'development'),
  PORT: v.pipe(v.optional(v.string(), '3000'), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(65535)),
  /** Public origin of the service, e.g. https://roster.example.org. Used in emails and OAuth redirects. */
  APP_URL: v.optional(v.pipe(v.string(), v.url())),
  DATABASE_URL: optionalString,
  /** 32-byte key (base64 or hex) for encrypting OAuth refresh tokens at rest. */
  TOKEN_ENCRYPTION_KEY: optionalString,
  RESEND_API_KEY: optionalString,
  MAIL_FROM: v.optional(v.pipe(v.string(), v.email()), 'no-reply@rosterbridge.test'),
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  /** Shorthand: one origin serving Google's URL layout (a proxy or an emulator); the four below win over it. */
  GOOGLE_OAUTH_BASE_URL: v.optional(v.pipe(v.string(), v.url())),
  GOOGLE_AUTH_URL: v.optional(v.pipe(v.string(), v.url())),
  GOOGLE_TOKEN_URL: v.optional(v.pipe(v.string(), v.url())),
  GOOGLE_REVOKE_URL: v.optional(v.pipe(v.string(), v.url())),
  /** Google's signing keys: a JSON Web Key Set (v3) or the older { kid: PEM } map (v1). */
  GOOGLE_CERTS_URL: v.optional(v.pipe(v.string(), v.url())),
  /** The `iss` ID tokens must carry; Google's two spellings by default. Comma-separated. */
  GOOGLE_ISSUER: optionalString,
  GOOGLE_API_ROOT: v.optional(v.pipe(v.string(), v.url())),
  /** Origins allowed to frame the Classroom add-on (CSP frame-ancestors sources, space-separated). */
  CLASSROOM_ADD_ON_FRAME_ORIGINS: v.optional(
    v.pipe(v.string(), v.trim(), v.regex(/^\S+( \S+)*$/, 'must be origins separated by spaces')),
    'https://classroom.google.com',
  ),
  /** Cron schedule for the Classroom roster re-sync (graphile-worker crontab syntax). */
  CLASSROOM_SYNC_SCHEDULE: v.optional(
    v.pipe(v.string(), v.trim(), v.regex(/^\S+( \S+){4}$/, 'must be five crontab fields, e.g. "0 */6 * * *"')),
    '0 */6 * * *',
  ),
  /** A re-sync that would remove more than this share of a class (percent) is held for approval. */
  CLASSROOM_REMOVAL_GUARD_PERCENT: v.pipe(v.optional(v.string(), '20'), v.transform(Number), v.number(), v.minValue(0), v.maxValue(100)),
  /** Requests per second per Google user the Classroom client stays under (Google allows 20). */
  GOOGLE_REQUESTS_PER_SECOND: v.pipe(v.optional(v.string(), '15'), v.transform(Number), v.number(), v.minValue(0.1), v.maxValue(1000)),
  /** Serve the development mailbox page. Defaults to on outside production. */
  DEV_MAILBOX: v.optional(v.picklist(['0', '1', 'true', 'false'])),
  /** Set when the service is reached over https (cookies get the Secure flag). */
  SECURE_COOKIES: flag,
  /**
   * How many proxies (load balancer, reverse proxy) stand in front of the service and append to
   * X-Forwarded-For. 0: the socket's peer is the client. The sign-in throttle counts per client address.
   */
  TRUST_PROXY: v.pipe(v.optional(v.string(), '0'), v.transform(Number), v.integer(), v.minValue(0), v.maxValue(10)),
  WORKER_CONCURRENCY: v.pipe(v.optional(v.string(), '4'), v.transform(Number), v.integer(), v.minValue(1)),
  /** How often a job runner says it is alive (worker/recovery.ts). */
  WORKER_HEARTBEAT_SECONDS: v.pipe(v.optional(v.string(), '20'), v.transform(Number), v.integer(), v.minValue(1)),
  /** Silence after which a runner counts as killed and the jobs it held are released to the others. */
  WORKER_STALE_SECONDS: v.pipe(v.optional(v.string(), '90'), v.transform(Number), v.integer(), v.minValue(2)),
  /** fatal, error, warn, info (default), debug, trace or silent. */
  LOG_LEVEL: v.optional(v.picklist(LOG_LEVELS), 'info'),
  /** Bearer token that GET /metrics asks for. Without it (and without METRICS_PORT) /metrics is not served. */
  METRICS_TOKEN: v.optional(v.pipe(v.string(), v.trim(), v.minLength(16, 'must be at least 16 characters'))),
  /** Serve /metrics (no token) on this port only, e.g. one your scraper reaches and the public does not. */
  METRICS_PORT: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(65535))),
});

export type Env = v.InferOutput<typeof EnvSchema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = v.safeParse(EnvSchema, source);
  if (result.success) return result.output;
  const problems = result.issues.map((issue) => {
    const key = issue.path?.map((p) => String(p.key)).join('.') ?? '(environment)';
    return `  ${key}: ${issue.message}`;
  });
  throw new Error(`Invalid environment configuration:\n${problems.join('\n')}`);
}

export function devMailboxEnabled(env: Env): boolean {
  if (env.DEV_MAILBOX !== undefined) return env.DEV_MAILBOX === '1' || env.DEV_MAILBOX === 'true';
  return env.NODE_ENV !== 'production' && !env.RESEND_API_KEY;
}
