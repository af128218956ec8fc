import type { Hono } from 'hono';
import { googleConfig, type GoogleConfig } from '../../src/classroom/config.js';
import type { AppEnv } from '../../src/http/types.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/database.js';
import { runDueJobs } from '../helpers/jobs.js';
// Re-exported: the classroom tests take it from here with the rest of their fixture.
export { ctxFor } from '../helpers/fixtures.js';
import { classroomEnv, consentThroughSandbox } from './sandbox-network.js';

/** The origin test services use for links (test/helpers/database.ts); the sandbox is served there too. */
export const ORIGIN = 'http://rosterbridge.test';

export function classroomApp(db: TestDatabase, env = classroomEnv()): Hono<AppEnv> {
  return createTestApp(db, { env, appUrl: ORIGIN });
}

export function testGoogleConfig(env = classroomEnv()): GoogleConfig {
  return googleConfig(env, ORIGIN, { retryDelayMs: 50 });
}

/** Signs in and connects through the sandbox consent screen. */
export async function connectedClient(app: Hono<AppEnv>, email: string, googleAccountId: string): Promise<TestClient> {
  const client = new TestClient(app);
  await client.signIn(email);
  const res = await consentThroughSandbox(client, googleAccountId);
  if (res.status !== 303) throw new Error(`connect failed: ${res.status} ${await res.text()}`);
  return client;
}

/** Runs jobs until none is left, bringing delayed ones (follow-up syncs) forward. */
export async function drainJobs(db: TestDatabase, env = classroomEnv()): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const [left] = await db.services.sql<{ n: number }[]>`
      select count(*)::int as n from graphile_worker._private_jobs where attempts < max_attempts and locked_at is null`;
    if (!left?.n) return;
    await db.services.sql`update graphile_worker._private_jobs set run_at = now() where run_at > now() and attempts < max_attempts`;
    await runDueJobs(db, { env });
  }
  throw new Error('jobs did not settle');
}
