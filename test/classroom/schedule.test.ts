import { beforeAll, describe, expect, it } from 'vitest';
import { enqueueScheduledSyncs } from '../../src/classroom/links.js';
import { parseEnv } from '../../src/env.js';
import { crontab } from '../../worker/task-list.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { testWorkerRuntime } from '../helpers/jobs.js';

const db = useTestDatabase();
let org: OrgFixture;

async function link(courseId: string, state: string) {
  const [row] = await db.services.sql<{ id: string }[]>`
    insert into classroom_course_links (organisation_id, owner_id, google_course_id, course_name, group_id, sync_state)
    values (${org.organisationId}, ${org.systemAdmin.id}, ${courseId}, ${`Class ${courseId}`}, ${org.groups.North!}, ${state}) returning id`;
  return row!.id;
}

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Cedar' });
});

describe('scheduled re-sync', () => {
  it('the crontab runs the fan-out on CLASSROOM_SYNC_SCHEDULE', () => {
    const runtime = testWorkerRuntime(db, { env: parseEnv({ NODE_ENV: 'test', CLASSROOM_SYNC_SCHEDULE: '*/30 * * * *' }) });
    expect(crontab(runtime)).toContain('*/30 * * * * enqueue_classroom_syncs ?id=enqueue_classroom_syncs');
  });

  it('fans out one job per link that can sync, keyed and queued per link, and never piles up', async () => {
    const ok = await link('1', 'ok');
    const failed = await link('2', 'failed');
    const held = await link('3', 'held');
    await link('4', 'needs_reconnecting');
    await link('5', 'waiting_for_import');
    expect(await enqueueScheduledSyncs(db.services)).toBe(3);
    expect(await enqueueScheduledSyncs(db.services)).toBe(3);
    const jobs = await db.services.sql<{ key: string; queue_name: string; payload: { linkId: string; trigger: string } }[]>`
      select j.key, q.queue_name, j.payload
      from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
      left join graphile_worker._private_job_queues q on q.id = j.job_queue_id
      where t.identifier = 'sync_classroom_link' order by j.key`;
    expect(jobs).toHaveLength(3);
    expect(jobs.map((j) => j.payload.linkId).sort()).toEqual([ok, failed, held].sort());
    for (const j of jobs) {
      expect(j.key).toBe(`sync_classroom_link:${j.payload.linkId}`);
      expect(j.queue_name).toBe(`sync_classroom_link:${j.payload.linkId}`);
      expect(j.payload.trigger).toBe('schedule');
    }
  });
});
