import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queueEmail } from '../../src/mail/outbox.js';
import { createResendMailer } from '../../src/mail/resend-mailer.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { queuedJobs, runDueJobs } from '../helpers/jobs.js';
import { resendHandlers, type SentThroughResend } from '../mocks/resend.js';

const db = useTestDatabase();
const resend = { sent: [] as SentThroughResend[], failNext: 0 };
const server = setupServer(...resendHandlers(resend));
let org: OrgFixture;
let rival: OrgFixture;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  org = await createOrganisation(db.services, { name: 'Elm', groups: ['North', 'South'] });
  rival = await createOrganisation(db.services, { name: 'Fir' });
  await createAccount(db.services, org.organisationId, {
    email: 'teacher@elm.test',
    kind: 'administrator',
    managedGroupIds: [org.groups.North!],
  });
  await createAccount(db.services, org.organisationId, { email: 'north@elm.test', groupId: org.groups.North! });
  await createAccount(db.services, org.organisationId, { email: 'south@elm.test', groupId: org.groups.South! });
});
afterAll(() => server.close());
beforeEach(async () => {
  resend.sent.length = 0;
  resend.failNext = 0;
  await db.services.sql`delete from outbox_emails`;
});

async function queue(to: string, organisationId = org.organisationId) {
  return db.services.db.transaction((tx) =>
    queueEmail(tx, { organisationId, to, subject: `Hello ${to}`, text: 'Body text https://example.test/x' }),
  );
}

async function outbox(id: string) {
  const [row] = await db.services.sql<
    { status: string; attempts: number; last_error: string | null; provider_message_id: string | null }[]
  >`
    select status, attempts, last_error, provider_message_id from outbox_emails where id = ${id}`;
  return row!;
}

describe('send_email through Resend', () => {
  it('sends a queued message once, with the outbox id as idempotency key, and marks it sent', async () => {
    const id = await queue('north@elm.test');
    await runDueJobs(db, { mailer: createResendMailer('re_test_key') });
    expect(resend.sent).toHaveLength(1);
    expect(resend.sent[0]!.body).toMatchObject({
      to: 'north@elm.test',
      subject: 'Hello north@elm.test',
      text: 'Body text https://example.test/x',
    });
    expect(resend.sent[0]!.idempotencyKey).toBe(`outbox-${id}`);
    expect(resend.sent[0]!.authorization).toBe('Bearer re_test_key');
    expect(await outbox(id)).toMatchObject({ status: 'sent', provider_message_id: 're_1', last_error: null });
    expect(await queuedJobs(db)).toEqual([]);
    // A second run (a duplicate job) sends nothing more.
    await db.services.db.execute(sql`select graphile_worker.add_job('send_email', json_build_object('id', ${id}::text))`);
    await runDueJobs(db, { mailer: createResendMailer('re_test_key') });
    expect(resend.sent).toHaveLength(1);
  });

  it('keeps the message and retries when Resend fails, then sends it', async () => {
    const id = await queue('south@elm.test');
    resend.failNext = 1;
    await runDueJobs(db, { mailer: createResendMailer('re_test_key') });
    const failed = await outbox(id);
    expect(failed.status).toBe('pending');
    expect(failed.last_error).toContain('Resend is having a bad day');
    const [job] = await queuedJobs(db);
    expect(job).toMatchObject({ task: 'send_email', attempts: 1 });
    await db.services.sql`update graphile_worker._private_jobs set run_at = now()`;
    await runDueJobs(db, { mailer: createResendMailer('re_test_key') });
    expect(resend.sent).toHaveLength(1);
    expect(await outbox(id)).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
  });

  it('a message exists only if the work that caused it commits', async () => {
    await expect(
      db.services.db.transaction(async (tx) => {
        await queueEmail(tx, { organisationId: org.organisationId, to: 'ghost@elm.test', subject: 'Never', text: 'x' });
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    expect(await db.services.sql`select 1 from outbox_emails where to_address = 'ghost@elm.test'`).toHaveLength(0);
    expect((await queuedJobs(db)).filter((j) => j.task === 'send_email')).toEqual([]);
  });
});

describe('development mailbox', () => {
  it('without a provider the message is held and shown on the mailbox page, with its links', async () => {
    const id = await queue('north@elm.test');
    await runDueJobs(db);
    expect(await outbox(id)).toMatchObject({ status: 'held' });
    expect(resend.sent).toHaveLength(0);
    const admin = new TestClient(createTestApp(db));
    await admin.signIn(org.systemAdmin.email);
    const list = await admin.get('/dev/mailbox');
    expect(list.html).toContain('Hello north@elm.test');
    expect(list.html).toContain('Kept here (no email provider)');
    const message = await admin.get(`/dev/mailbox/${id}`);
    expect(message.html).toContain('<a href="https://example.test/x">https://example.test/x</a>');
  });

  it('a group administrator sees only mail for their groups; another organisation sees none of it', async () => {
    const north = await queue('north@elm.test');
    const south = await queue('south@elm.test');
    const teacher = new TestClient(createTestApp(db));
    await teacher.signIn('teacher@elm.test');
    const list = await teacher.get('/dev/mailbox');
    expect(list.html).toContain('Hello north@elm.test');
    expect(list.html).not.toContain('Hello south@elm.test');
    expect((await teacher.request(`/dev/mailbox/${south}`)).status).toBe(404);
    const stranger = new TestClient(createTestApp(db));
    await stranger.signIn(rival.systemAdmin.email);
    expect((await stranger.get('/dev/mailbox')).html).not.toContain('elm.test');
    expect((await stranger.request(`/dev/mailbox/${north}`)).status).toBe(404);
  });

  it('does not exist when the mailbox is off (production, or a provider configured)', async () => {
    const admin = new TestClient(createTestApp(db, { devMailbox: false }));
    await admin.signIn(org.systemAdmin.email);
    expect((await admin.request('/dev/mailbox')).status).toBe(404);
    expect((await admin.get('/accounts')).html).not.toContain('Mailbox (dev)');
  });
});
