import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let ours: OrgFixture;
let theirs: OrgFixture;
let ourJobId: string;
let ourBatchId: string;
let theirJobId: string;

/** An import batch that failed for good: its job is out of attempts and the batch marked failed. */
async function failedImport(org: OrgFixture): Promise<{ batchId: string; jobId: string }> {
  const [batch] = await db.services.sql<{ id: string }[]>`
    insert into import_batches (organisation_id, source, status, error)
    values (${org.organisationId}, 'csv', 'failed', 'The import stopped after several attempts. Accounts already imported are kept; start a new import for the remaining rows.')
    returning id`;
  const [job] = await db.services.sql<{ id: string }[]>`
    select id::text from graphile_worker.add_job('run_import', json_build_object('batchId', ${batch!.id}::text), max_attempts => 3)`;
  await db.services.sql`
    update graphile_worker._private_jobs set attempts = 3, last_error = 'Failed query: insert into accounts ... params: ava@example.org'
    where id = ${job!.id}::bigint`;
  return { batchId: batch!.id, jobId: job!.id };
}

beforeAll(async () => {
  ours = await createOrganisation(db.services, { name: 'Queue Ours' });
  theirs = await createOrganisation(db.services, { name: 'Queue Theirs' });
  await createAccount(db.services, ours.organisationId, {
    email: 'teacher@queueours.test',
    kind: 'administrator',
    groupId: ours.groups.North!,
    managedGroupIds: [ours.groups.North!],
  });
  ({ batchId: ourBatchId, jobId: ourJobId } = await failedImport(ours));
  ({ jobId: theirJobId } = await failedImport(theirs));
  // A queued email of ours, waiting for its first try.
  const [email] = await db.services.sql<{ id: string }[]>`
    insert into outbox_emails (organisation_id, to_address, subject, text_body)
    values (${ours.organisationId}, 'someone@queueours.test', 'Your import has finished', 'x') returning id`;
  await db.services
    .sql`select graphile_worker.add_job('send_email', json_build_object('id', ${email!.id}::text), run_at => now() + interval '1 hour')`;
});

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

describe('Jobs page', () => {
  it('shows a system administrator their organisation’s jobs with state, attempts and the last error in words', async () => {
    const client = await signedIn('admin@queueours.test');
    const { res, html } = await client.get('/jobs');
    expect(res.status).toBe(200);
    expect(html).toContain('href="/jobs"');
    expect(html).toContain(`href="/imports/${ourBatchId}"`);
    expect(html).toContain('failed for good');
    expect(html).toContain('3 of 3');
    expect(html).toContain('start a new import for the remaining rows');
    expect(html).toContain('Your import has finished');
    expect(html).toContain('queued');
    expect(html).not.toContain('ava@example.org');
    expect(html).not.toContain('Failed query');
    expect(html).toContain(`action="/jobs/${ourJobId}/retry"`);
    expect(html).not.toContain(`/jobs/${theirJobId}/retry`);
  });

  it('Retry queues a job that failed for good again, with its import runnable', async () => {
    const client = await signedIn('admin@queueours.test');
    await client.get('/jobs');
    const res = await client.post(`/jobs/${ourJobId}/retry`);
    expect(res.status).toBe(303);
    const [job] = await db.services.sql<
      { attempts: number }[]
    >`select attempts from graphile_worker._private_jobs where id = ${ourJobId}::bigint`;
    expect(job!.attempts).toBe(0);
    const [batch] = await db.services.sql<
      { status: string; error: string | null }[]
    >`select status::text, error from import_batches where id = ${ourBatchId}`;
    expect(batch).toEqual({ status: 'queued', error: null });
    const again = await client.post(`/jobs/${ourJobId}/retry`);
    expect(again.status).toBe(409);
  });

  it('gives 404 for another organisation’s job and refuses Retry without the CSRF token', async () => {
    const client = await signedIn('admin@queueours.test');
    await client.get('/jobs');
    expect((await client.post(`/jobs/${theirJobId}/retry`)).status).toBe(404);
    const [job] = await db.services.sql<
      { attempts: number }[]
    >`select attempts from graphile_worker._private_jobs where id = ${theirJobId}::bigint`;
    expect(job!.attempts).toBe(3);
    const noToken = await client.post(`/jobs/${ourJobId}/retry`, { _csrf: '' });
    expect(noToken.status).toBe(403);
  });

  it('is for system administrators only', async () => {
    const teacher = await signedIn('teacher@queueours.test');
    const { res, html } = await teacher.get('/jobs');
    expect([403, 404]).toContain(res.status);
    const home = await teacher.get('/accounts');
    expect(home.html).not.toContain('href="/jobs"');
    expect(html).not.toContain('Import from CSV');
  });
});
