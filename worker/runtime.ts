import type { Services } from '../src/context.js';
import type { Env } from '../src/env.js';
import type { Mailer } from '../src/mail/mailer.js';
import type { ProcessRole, WebActivity } from '../src/cpu-share.js';
import type { Metrics } from '../src/observability/metrics.js';

/** What every task may use. Built once per process by the entry that starts the runner. */
export interface WorkerRuntime {
  services: Services;
  env: Env;
  mailer: Mailer | null;
  /** Database URL, for tasks that need their own connection (e.g. COPY streams). */
  databaseUrl: string;
  /** Whether this process also serves pages (its jobs then leave a core to requests); 'jobs' when omitted. */
  role?: ProcessRole;
  /** The requests this process serves beside its jobs ('web-and-jobs'), which CPU-heavy jobs make room for. */
  webActivity?: WebActivity | null;
  /** This process's metrics; absent in tests that do not look at them. */
  metrics?: Metrics | null;
}
