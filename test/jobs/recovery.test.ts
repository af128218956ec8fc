import { describe, expect, it } from 'vitest';
import { addJobSql } from '../../src/jobs.js';
import { releaseStaleWorkerLocks } from '../../worker/recovery.js';
import { useTestDatabase } from '../helpers/database.js';

const db = useTestDatabase();

async function lockedJob(key: string, lockedBy: string, lockedSecondsAgo: number): Promise<void> {
  await db.services.db.execute(addJobSql('send_email', { outboxId: key }, { jobKey: key }));
  await db.services.sql`
    update graphile_worker._private_jobs set locked_by = ${lockedBy}, locked_at = now() - make_interval(secs => ${lockedSecondsAgo})
    where key = ${key}`;
}

async function lockOf(key: string): Promise<string | null> {
  const [row] = await db.services.sql<{ locked_by: string | null }[]>`select locked_by from graphile_worker.jobs where key = ${key}`;
  return row!.locked_by;
}

describe('job runners killed while holding a job', () => {
  it('releases the jobs of a runner gone silent, and of an unknown one after as long, but not a live runner’s', async () => {
    await db.services
      .sql`insert into worker_heartbeats (worker_id, seen_at) values ('pool-alive', now() - interval '5 seconds'), ('pool-dead', now() - interval '10 minutes')`;
    await lockedJob('alive', 'pool-alive', 3600);
    await lockedJob('dead', 'pool-dead', 600);
    await lockedJob('unknown-old', 'pool-unknown-old', 600);
    await lockedJob('unknown-new', 'pool-unknown-new', 10);

    const released = await releaseStaleWorkerLocks(db.services, 90);
    expect(released.sort()).toEqual(['pool-dead', 'pool-unknown-old']);
    expect(await lockOf('alive')).toBe('pool-alive');
    expect(await lockOf('dead')).toBeNull();
    expect(await lockOf('unknown-old')).toBeNull();
    expect(await lockOf('unknown-new')).toBe('pool-unknown-new');
    const beats = await db.services.sql<{ worker_id: string }[]>`select worker_id from worker_heartbeats order by worker_id`;
    expect(beats.map((b) => b.worker_id)).toEqual(['pool-alive']);
  });
});
