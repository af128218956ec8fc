import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveHeldSync, getCourseLink, listSyncRuns, requestSync } from '../../src/classroom/links.js';
import { prepareClassroomImport, startClassroomImport } from '../../src/classroom/import.js';
import {
  sandboxAddStudent,
  sandboxEnrolStudent,
  sandboxRemoveMany,
  sandboxRemoveStudent,
  sandboxRenameStudent,
  sandboxSetApiDisabled,
  sandboxSetFault,
} from '../../src/classroom/sandbox/controls.js';
import { NotFoundError } from '../../src/errors.js';
import { listProducts, seedDemoCatalogue } from '../../src/assignments/catalogue.js';
import { createPreset } from '../../src/assignments/presets.js';
import type { Hono } from 'hono';
import type { AppEnv } from '../../src/http/types.js';
import { notImportedWords } from '../../views/import-reasons.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { classroomApp, connectedClient, ctxFor, drainJobs, ORIGIN, testGoogleConfig } from './classroom-fixture.js';
import { sandboxNetwork } from './sandbox-network.js';

const db = useTestDatabase();
let app: Hono<AppEnv>;
const server = setupServer(...sandboxNetwork(() => app, ORIGIN));
let org: OrgFixture;
let linkId: string;
const CAREER = '600000001'; // Career Exploration: 24 students in the sandbox's demo world

async function members(removed = false) {
  const [row] = await db.services.sql<
    { n: number }[]
  >`select count(*)::int as n from classroom_link_members where link_id = ${linkId} and removed = ${removed}`;
  return row!.n;
}

async function rosterIds(courseId: string) {
  const rows = await db.services.sql<{ user_id: string }[]>`
    select user_id from google_sandbox_enrolments where course_id = ${courseId} and role = 'STUDENT' order by position, user_id`;
  return rows.map((r) => r.user_id);
}

async function sync() {
  const ctx = await ctxFor(db, org.systemAdmin.id);
  await requestSync(ctx, linkId);
  await drainJobs(db);
}

/** Rows of roster data: accounts, their tags, link members, import batches. */
async function rosterDataFingerprint() {
  const [row] = await db.services.sql<{ f: string }[]>`
    select md5(
      coalesce((select string_agg(id || first_name || last_name || email || updated_at::text, ',' order by id) from accounts), '') ||
      coalesce((select string_agg(link_id || google_user_id || removed::text || coalesce(removed_at::text, ''), ',' order by google_user_id) from classroom_link_members), '') ||
      (select count(*)::text from import_batches) || (select count(*)::text from account_tags)) as f`;
  return row!.f;
}

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  app = classroomApp(db);
  org = await createOrganisation(db.services, { name: 'Maple Grove', groups: ['Lincoln High', 'Roosevelt'] });
  await connectedClient(app, 'admin@maplegrove.test', '200000001');
  const ctx = await ctxFor(db, org.systemAdmin.id);
  const { batchId } = await prepareClassroomImport(ctx, testGoogleConfig(), {
    courseIds: [CAREER],
    groupId: org.groups['Lincoln High']!,
    defaultPassword: 'backup-password-1',
    tagIds: [org.tags['Grade 9']!],
  });
  const { linkIds } = await startClassroomImport(ctx, batchId);
  linkId = linkIds[0]!;
  await drainJobs(db);
  // A preset for students who join later.
  await seedDemoCatalogue(db.services);
  const life = (await listProducts(db.services)).find((p) => p.name === 'Life Skills')!;
  const preset = await createPreset(ctx, {
    name: 'Newcomers pack',
    items: [{ productId: life.id, edition: 'standard', mode: 'manual', unitIds: [life.units[0]!.id] }],
  });
  await db.services.sql`update classroom_course_links set preset_id = ${preset.id} where id = ${linkId}`;
});
afterAll(() => server.close());

describe('roster re-sync', () => {
  it('the import made the link with every student as a member', async () => {
    const ctx = await ctxFor(db, org.systemAdmin.id);
    const link = await getCourseLink(ctx, linkId);
    expect(link).toMatchObject({
      courseName: 'Career Exploration',
      syncState: 'ok',
      members: 24,
      groupName: 'Lincoln High',
      tagNames: ['Grade 9'],
    });
    const [accounts] = await db.services.sql<{ n: number }[]>`
      select count(*)::int as n from accounts a join classroom_link_members m on m.account_id = a.id
      where m.link_id = ${linkId} and a.group_id = ${org.groups['Lincoln High']!} and a.source = 'classroom' and a.google_user_id = m.google_user_id`;
    expect(accounts!.n).toBe(24);
    const runs = await listSyncRuns(ctx, linkId);
    expect(runs[0]).toMatchObject({ trigger: 'import', outcome: 'applied', added: 24 });
  });

  it('an unchanged roster writes no roster data, and its history folds into one line', async () => {
    const before = await rosterDataFingerprint();
    await sync();
    await sync();
    expect(await rosterDataFingerprint()).toBe(before);
    const runs = await listSyncRuns(await ctxFor(db, org.systemAdmin.id), linkId);
    expect(runs[0]).toMatchObject({ outcome: 'unchanged', runs: 2 });
  });

  it('adds a new student (through the import engine), renames one and removes one, keeping the account', async () => {
    const ids = await rosterIds(CAREER);
    await sandboxAddStudent(db.services.sql, {
      courseId: CAREER,
      givenName: 'Nova',
      familyName: 'Quist',
      email: 'nova.quist@classroom.maplegrove.test',
    });
    await sandboxRenameStudent(db.services.sql, { userId: ids[0]!, givenName: 'Renamed', familyName: 'Student' });
    await sandboxRemoveStudent(db.services.sql, CAREER, ids[1]!);
    await sync();
    expect(await members()).toBe(24);
    expect(await members(true)).toBe(1);
    const [nova] = await db.services.sql<{ id: string; group_id: string; source: string; has_password: boolean }[]>`
      select id, group_id, source, password_hash is not null as has_password from accounts where email = 'nova.quist@classroom.maplegrove.test'`;
    expect(nova).toMatchObject({ group_id: org.groups['Lincoln High'], source: 'classroom', has_password: true });
    const [renamed] = await db.services.sql<
      { first_name: string; last_name: string }[]
    >`select first_name, last_name from accounts where google_user_id = ${ids[0]!}`;
    expect(renamed).toEqual({ first_name: 'Renamed', last_name: 'Student' });
    const [left] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from accounts where google_user_id = ${ids[1]!}`;
    expect(left!.n).toBe(1);
    const runs = await listSyncRuns(await ctxFor(db, org.systemAdmin.id), linkId);
    const applied = runs.find((r) => r.trigger === 'manual' && r.outcome === 'applied')!;
    expect(applied).toMatchObject({ updated: 1, removed: 1 });
    expect(applied.details.updated).toEqual(['Renamed Student']);
    const newcomers = runs.find((r) => r.trigger === 'newcomers')!;
    expect(newcomers).toMatchObject({ outcome: 'applied', added: 1 });
    // The link's preset went to the new student only, through the mass-assign engine.
    const requests = await db.services.sql<
      { id: string; origin: string; account_ids: string[] }[]
    >`select id, origin, account_ids from assignment_requests`;
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ origin: 'classroom', account_ids: [nova!.id], id: newcomers.details.assignmentRequestId });
  });

  it('a student who comes back is restored', async () => {
    const [removed] = await db.services.sql<
      { google_user_id: string }[]
    >`select google_user_id from classroom_link_members where link_id = ${linkId} and removed`;
    await sandboxEnrolStudent(db.services.sql, CAREER, removed!.google_user_id);
    await sync();
    expect(await members(true)).toBe(0);
    expect(await members()).toBe(25);
    const runs = await listSyncRuns(await ctxFor(db, org.systemAdmin.id), linkId);
    expect(runs[0]).toMatchObject({ outcome: 'applied', restored: 1 });
  });

  it('an email another account already has is left alone, and such a roster counts as unchanged', async () => {
    const ids = await rosterIds(CAREER);
    const [before] = await db.services.sql<
      { email: string; first_name: string }[]
    >`select email, first_name from accounts where google_user_id = ${ids[2]!}`;
    await sandboxRenameStudent(db.services.sql, {
      userId: ids[2]!,
      givenName: before!.first_name,
      familyName: 'Student2',
      email: 'admin@maplegrove.test',
    });
    await sync();
    const [after] = await db.services.sql<
      { email: string; last_name: string }[]
    >`select email, last_name from accounts where google_user_id = ${ids[2]!}`;
    expect(after).toEqual({ email: before!.email, last_name: 'Student2' });
    const fingerprint = await rosterDataFingerprint();
    await sync();
    expect(await rosterDataFingerprint()).toBe(fingerprint);
    const runs = await listSyncRuns(await ctxFor(db, org.systemAdmin.id), linkId);
    expect(runs[0]!.outcome).toBe('unchanged');
  });

  it('a newcomer the engine refuses is reported once, not imported again and again', async () => {
    await createAccount(db.services, org.organisationId, {
      email: 'taken@maplegrove.test',
      googleUserId: 'another-google-account',
      groupId: org.groups.Roosevelt!,
    });
    await sandboxAddStudent(db.services.sql, { courseId: CAREER, givenName: 'Tess', familyName: 'Taken', email: 'taken@maplegrove.test' });
    const before = await members();
    await sync();
    expect(await members()).toBe(before);
    const ctx = await ctxFor(db, org.systemAdmin.id);
    expect((await getCourseLink(ctx, linkId)).syncState).toBe('ok');
    const runs = await listSyncRuns(ctx, linkId);
    expect(notImportedWords(runs[0]!.details.notImported![0]!)).toMatch(
      /^Tess Taken: An account with this email is linked to another Google account/,
    );
    const [batches] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from import_batches`;
    await sync();
    const [again] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from import_batches`;
    expect(again!.n).toBe(batches!.n);
    expect((await listSyncRuns(ctx, linkId))[0]!.outcome).toBe('unchanged');
    await sandboxRemoveStudent(
      db.services.sql,
      CAREER,
      (await db.services.sql<{ id: string }[]>`select id from google_sandbox_users where email = 'taken@maplegrove.test'`)[0]!.id,
    );
    await sync();
  });

  it('holds a sync that would remove more than 20% of the class, emails the administrator, and applies it once approved', async () => {
    await db.services.sql`delete from outbox_emails`;
    await sandboxRemoveMany(db.services.sql, CAREER, 6);
    await sync();
    const ctx = await ctxFor(db, org.systemAdmin.id);
    let link = await getCourseLink(ctx, linkId);
    expect(link.syncState).toBe('held');
    expect(link.heldPlan!.removeNames).toHaveLength(6);
    expect(await members(true)).toBe(0);
    const emails = await db.services.sql<
      { to_address: string; subject: string; text_body: string }[]
    >`select to_address, subject, text_body from outbox_emails`;
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ to_address: 'admin@maplegrove.test', subject: 'Approve the roster sync of Career Exploration' });
    expect(emails[0]!.text_body).toContain(`/classroom/links/${linkId}`);

    await approveHeldSync(ctx, linkId);
    await drainJobs(db);
    link = await getCourseLink(ctx, linkId);
    expect(link.syncState).toBe('ok');
    expect(await members(true)).toBe(6);
    expect(await members()).toBe(19);
  });

  it('rides out a short burst of 429s', async () => {
    await sandboxSetFault(db.services.sql, 429, 1.5);
    await sync();
    const runs = await listSyncRuns(await ctxFor(db, org.systemAdmin.id), linkId);
    expect(runs[0]!.outcome).toBe('unchanged');
    await sandboxSetFault(db.services.sql, null, 1);
  });

  it('records a clear message when the Classroom API is disabled, and does not retry', async () => {
    await sandboxSetApiDisabled(db.services.sql, true);
    try {
      await sync();
      const ctx = await ctxFor(db, org.systemAdmin.id);
      const link = await getCourseLink(ctx, linkId);
      expect(link.syncState).toBe('failed');
      expect(link.syncMessage).toMatch(/not allowed to use the Classroom API/);
      const [jobs] = await db.services.sql<
        { n: number }[]
      >`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'sync_classroom_link'`;
      expect(jobs!.n).toBe(0);
      await sync();
      const runs = await listSyncRuns(ctx, linkId);
      expect(runs[0]).toMatchObject({ outcome: 'failed', runs: 2 });
    } finally {
      await sandboxSetApiDisabled(db.services.sql, false);
    }
  });

  it('invalid_grant marks the connection as needing a reconnect, emails the teacher once, and stops', async () => {
    await db.services.sql`delete from outbox_emails`;
    await db.services.sql`update google_sandbox_grants set revoked_at = now() where user_id = '200000001'`;
    await sync();
    const [conn] = await db.services.sql<
      { status: string }[]
    >`select status from google_connections where account_id = ${org.systemAdmin.id}`;
    expect(conn!.status).toBe('needs_reconnecting');
    const link = await getCourseLink(await ctxFor(db, org.systemAdmin.id), linkId);
    expect(link.syncState).toBe('needs_reconnecting');
    const emails = await db.services.sql<
      { subject: string; to_address: string }[]
    >`select subject, to_address from outbox_emails where subject like 'Reconnect%'`;
    expect(emails).toEqual([{ subject: 'Reconnect Google Classroom to keep your classes in sync', to_address: 'admin@maplegrove.test' }]);
    const [jobs] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'sync_classroom_link'`;
    expect(jobs!.n).toBe(0);
    await expect(requestSync(await ctxFor(db, org.systemAdmin.id), linkId)).rejects.toThrow(/connects to Google Classroom again/);
  });

  it('another organisation cannot see the link; a group administrator of another group neither', async () => {
    const rival = await createOrganisation(db.services, { name: 'Rival' });
    await expect(getCourseLink(await ctxFor(db, rival.systemAdmin.id), linkId)).rejects.toBeInstanceOf(NotFoundError);
    const other = await createAccount(db.services, org.organisationId, {
      email: 'roosevelt@maplegrove.test',
      kind: 'administrator',
      managedGroupIds: [org.groups.Roosevelt!],
    });
    await expect(getCourseLink(await ctxFor(db, other.id), linkId)).rejects.toBeInstanceOf(NotFoundError);
    const lincoln = await createAccount(db.services, org.organisationId, {
      email: 'lincoln@maplegrove.test',
      kind: 'administrator',
      managedGroupIds: [org.groups['Lincoln High']!],
    });
    expect((await getCourseLink(await ctxFor(db, lincoln.id), linkId)).id).toBe(linkId);
  });
});
