import type { Context } from 'hono';
import type { Ctx, Services } from '../context.js';
import type { Env } from '../env.js';
import type { LoadedActor } from '../auth/actor.js';
import type { SessionRecord } from '../auth/sessions.js';
import type { RunnerLiveness } from '../observability/health.js';
import type { Metrics } from '../observability/metrics.js';
import type { WebActivity } from '../cpu-share.js';

/** What the runtime entry hands to createApp. Nothing here is Node-only. */
export interface AppConfig {
  env: Env;
  /** Public origin used for absolute links (emails, OAuth redirect URI). */
  appUrl: string;
  devMailbox: boolean;
  secureCookies: boolean;
  /** The htmx library's source, read by the runtime from the installed package. */
  htmxSource: () => Promise<string> | string;
}

export interface AppDeps {
  config: AppConfig;
  /** Services for this request: one shared pool on Node, a per-request one in a Worker. */
  services: (c: Context) => Services;
  /** Prometheus metrics of this process (Node); absent where a process has no registry (a Worker). */
  metrics?: Metrics | null;
  /** The in-process job runner's heartbeat, for /readyz; absent when this process runs no jobs. */
  runner?: RunnerLiveness | null;
  /** Counts the requests in flight for the jobs that run in this process beside the web (src/cpu-share.ts). */
  webActivity?: WebActivity | null;
}

export type AppEnv = {
  Variables: {
    services: Services;
    config: AppConfig;
    /** This request's id: the trusted proxy's X-Request-Id or a new one; on every log line and error page. */
    requestId: string;
    metrics: Metrics | null;
    session: SessionRecord | null;
    actor: LoadedActor | null;
    /** The feature context of the signed-in actor (middleware/feature-context.ts); set behind requireSignedIn(). */
    ctx: Ctx;
    /** The token forms must echo back: the session's, or the pre-session cookie's. */
    csrfToken: string;
    /** Set by routes that must be framed by Google Classroom (the add-on pages). */
    frameAncestors: string | null;
    /** Set by the one page that frames another origin (the sandbox playing Classroom around the add-on). */
    frameSrc: string | null;
  };
};

export type AppContext = Context<AppEnv>;
