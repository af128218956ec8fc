import type { Hono } from 'hono';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEEDS_RECONNECTING_MESSAGE } from '../../src/classroom/errors.js';
import { getCourseLink, listSyncRuns, requestSync } from '../../src/classroom/links.js';
import {
  sandboxAddStudent,
  sandboxEnrolStudent,
  sandboxRemoveStudent,
  sandboxRenameStudent,
  sandboxSetFault,
} from '../../src/classroom/sandbox/controls.js';
import type { AppEnv } from '../../src/http/types.js';
import type { TestClient } from '../helpers/app.js';
import { notImportedWords } from '../../views/import-reasons.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { runDueJobs } from '../helpers/jobs.js';
import { classroomApp, connectedClient, ctxFor, drainJobs, ORIGIN } from './classroom-fixture.js';
import { classroomEnv, sandboxNetwork } from './sandbox-network.js';

/**
 * What a class roster may and may not change, as deployments meet it: administrator accounts are
 * never matched (at import and at every sync), a group administrator's roster never reaches
 * outside their groups, the class's tags reach matched accounts, one sync restores and renames,
 * the course list is read once per wizard, and a failing sync says honestly what is happening.
 */

const db = useTestDatabase();
let app: Hono<AppEnv>;
const server = setupServer(...sandboxNetwork(() => app, ORIGIN));
let org: OrgFixture;
let admin: TestClient;
let linkId: string;
const CAREER = '600000001';
const ADVISORY = '600000005'; // owned by teacher2@maplegrove.test (Google 200000002)
const LEFT_ALONE = 'matches an administrator account: left alone';

async function student(courseId: string, position: number) {
  const [row] = await db.services.sql<{ id: string; email: string; given_name: string; family_name: string }[]>`
    select u.id, u.email, u.given_name, u.family_name from google_sandbox_enrolments e join google_sandbox_users u on u.id = e.user_id
    where e.course_id = ${courseId} and e.role = 'STUDENT' order by e.position, e.user_id offset ${position} limit 1`;
  return row!;
}

async function account(id: string) {
  const [row] = await db.services.sql<
    { first_name: string; last_name: string; google_user_id: string | null; tags: string[]; links: number }[]
  >`
    select a.first_name, a.last_name, a.google_user_id,
      coalesce((select array_agg(t.name order by t.name) from account_tags x join tags t on t.id = x.tag_id where x.account_id = a.id), '{}') as tags,
      (select count(*)::int from classroom_link_members m where m.account_id = a.id) as links
    from accounts a where a.id = ${id}`;
  return row!;
}

/** The wizard through its pages: pick, Continue, review, Import. Returns the review page and the link ids. */
async function importThroughPages(client: TestClient, form: Record<string, string | string[]>) {
  const pick = await client.get('/classroom/import');
  const draftId = /name="draftId" value="([^"]+)"/.exec(pick.html)![1]!;
  const res = await client.post('/classroom/import', { draftId, defaultPassword: 'backup-password-1', ...form });
  expect(res.status).toBe(303);
  const location = res.headers.get('location')!;
  const review = await client.get(location);
  expect((await client.post(`${location}/start`)).status).toBe(303);
  await drainJobs(db);
  const batchId = location.split('/').pop()!;
  const [link] = await db.services.sql<{ id: string }[]>`select id from classroom_course_links where import_batch_id = ${batchId}`;
  return { review: review.html, linkId: link!.id, batchId };
}

async function sync(id = linkId, actorId = org.systemAdmin.id) {
  await requestSync(await ctxFor(db, actorId), id);
  await drainJobs(db);
}

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  app = classroomApp(db);
  org = await createOrganisation(db.services, { name: 'Maple Grove', groups: ['Lincoln High', 'Roosevelt'] });
  admin = await connectedClient(app, 'admin@maplegrove.test', '200000001');
});
afterAll(() => server.close());

describe('a class roster never changes an administrator account', () => {
  it('at import: listed on the review page as left alone; no Google id, no rename, no membership; the class’s tags reach existing learners', async () => {
    const s0 = await student(CAREER, 0);
    const s1 = await student(CAREER, 1);
    const s2 = await student(CAREER, 2);
    const byEmail = await createAccount(db.services, org.organisationId, {
      email: s0.email.toUpperCase(),
      kind: 'administrator',
      firstName: 'Gail',
      lastName: 'Groupadmin',
      managedGroupIds: [org.groups.Roosevelt!],
    });
    const byGoogle = await createAccount(db.services, org.organisationId, {
      email: 'other.admin@maplegrove.test',
      kind: 'administrator',
      googleUserId: s1.id,
      firstName: 'Otto',
      lastName: 'Admin',
    });
    const learner = await createAccount(db.services, org.organisationId, {
      email: s2.email,
      groupId: org.groups['Lincoln High']!,
      firstName: s2.given_name,
      lastName: s2.family_name,
    });

    // The course list is read from Google once for the whole wizard (the page, then Continue).
    const courseCalls: string[] = [];
    const listen = ({ request }: { request: Request }) => {
      if (new URL(request.url).pathname === '/google-sandbox/v1/courses') courseCalls.push(request.url);
    };
    server.events.on('request:start', listen);
    const done = await importThroughPages(admin, {
      courseIds: [CAREER],
      groupId: org.groups['Lincoln High']!,
      tagIds: [org.tags['Grade 9']!],
    });
    server.events.removeListener('request:start', listen);
    expect(courseCalls).toHaveLength(1);
    linkId = done.linkId;

    expect(done.review).toContain(`${LEFT_ALONE}`);
    expect((done.review.match(new RegExp(LEFT_ALONE, 'g')) ?? []).length).toBe(2);
    expect(await account(byEmail.id)).toMatchObject({
      first_name: 'Gail',
      last_name: 'Groupadmin',
      google_user_id: null,
      tags: [],
      links: 0,
    });
    expect(await account(byGoogle.id)).toMatchObject({ first_name: 'Otto', links: 0, tags: [] });
    expect(await account(learner.id)).toMatchObject({ google_user_id: s2.id, tags: ['Grade 9'], links: 1 });
    const runs = await listSyncRuns(await ctxFor(db, org.systemAdmin.id), linkId);
    expect(runs[0]!.details.notImported?.map(notImportedWords)).toEqual(
      expect.arrayContaining([`${s0.given_name} ${s0.family_name}: ${LEFT_ALONE}`, `${s1.given_name} ${s1.family_name}: ${LEFT_ALONE}`]),
    );
  });

  it('at every sync: a student whose email is an administrator’s is named in the history and left alone', async () => {
    const teacher = await createAccount(db.services, org.organisationId, {
      email: 'teacher9@maplegrove.test',
      kind: 'administrator',
      firstName: 'Tina',
      lastName: 'Teacher',
      managedGroupIds: [org.groups.Roosevelt!],
    });
    await sandboxAddStudent(db.services.sql, {
      courseId: CAREER,
      givenName: 'Ada',
      familyName: 'Student',
      email: 'Teacher9@maplegrove.test',
    });
    await sync();
    expect(await account(teacher.id)).toMatchObject({ first_name: 'Tina', last_name: 'Teacher', google_user_id: null, links: 0, tags: [] });
    let runs = await listSyncRuns(await ctxFor(db, org.systemAdmin.id), linkId);
    expect(runs[0]!.details.leftAlone).toContain(`Ada Student: ${LEFT_ALONE}`);
    // Nothing else changed: the next sync is "unchanged", and still says so.
    await sync();
    runs = await listSyncRuns(await ctxFor(db, org.systemAdmin.id), linkId);
    expect(runs[0]).toMatchObject({ outcome: 'unchanged' });
    expect(runs[0]!.details.leftAlone).toContain(`Ada Student: ${LEFT_ALONE}`);
    expect(await account(teacher.id)).toMatchObject({ google_user_id: null, links: 0 });
    const page = await admin.get(`/classroom/links/${linkId}`);
    expect(page.html).toMatch(new RegExp(`Left alone: [^<]*Ada Student: ${LEFT_ALONE}`));
  });

  it('a learner who already exists and joins later is matched and gets the class’s tags', async () => {
    const kid = await createAccount(db.services, org.organisationId, {
      email: 'existing.kid@maplegrove.test',
      groupId: org.groups['Lincoln High']!,
      firstName: 'Existing',
      lastName: 'Kid',
    });
    await sandboxAddStudent(db.services.sql, {
      courseId: CAREER,
      givenName: 'Existing',
      familyName: 'Kid',
      email: 'existing.kid@maplegrove.test',
    });
    await sync();
    expect(await account(kid.id)).toMatchObject({ tags: ['Grade 9'], links: 1 });
    expect((await account(kid.id)).google_user_id).not.toBeNull();
  });

  it('without "Also add these tags to accounts that already exist", matched accounts keep their tags', async () => {
    await db.services.sql`update classroom_course_links set tag_existing = false where id = ${linkId}`;
    const kid = await createAccount(db.services, org.organisationId, {
      email: 'untagged.kid@maplegrove.test',
      groupId: org.groups['Lincoln High']!,
      firstName: 'Untagged',
      lastName: 'Kid',
    });
    await sandboxAddStudent(db.services.sql, {
      courseId: CAREER,
      givenName: 'Untagged',
      familyName: 'Kid',
      email: 'untagged.kid@maplegrove.test',
    });
    await sync();
    expect(await account(kid.id)).toMatchObject({ tags: [], links: 1 });
    await db.services.sql`update classroom_course_links set tag_existing = true where id = ${linkId}`;
  });
});

describe('one sync does it all', () => {
  it('a student who comes back with a new name is restored and renamed by one sync', async () => {
    const s = await student(CAREER, 5);
    await sandboxRemoveStudent(db.services.sql, CAREER, s.id);
    await sync();
    await sandboxEnrolStudent(db.services.sql, CAREER, s.id);
    await sandboxRenameStudent(db.services.sql, { userId: s.id, givenName: 'Back', familyName: 'Again' });
    await sync();
    const [row] = await db.services.sql<{ first_name: string; last_name: string; removed: boolean }[]>`
      select a.first_name, a.last_name, m.removed from classroom_link_members m join accounts a on a.id = m.account_id
      where m.link_id = ${linkId} and m.google_user_id = ${s.id}`;
    expect(row).toEqual({ first_name: 'Back', last_name: 'Again', removed: false });
    const runs = await listSyncRuns(await ctxFor(db, org.systemAdmin.id), linkId);
    expect(runs[0]).toMatchObject({ outcome: 'applied', restored: 1, updated: 1 });
  });
});

describe('a group administrator’s roster stays in their groups', () => {
  it('at import and at sync, an account in another group is neither linked, renamed, tagged nor made a member', async () => {
    await createAccount(db.services, org.organisationId, {
      email: 'teacher2@maplegrove.test',
      kind: 'administrator',
      firstName: 'Jordan',
      lastName: 'Lee',
      managedGroupIds: [org.groups['Lincoln High']!],
    });
    const s0 = await student(ADVISORY, 0);
    const outside = await createAccount(db.services, org.organisationId, {
      email: s0.email,
      groupId: org.groups.Roosevelt!,
      firstName: 'Rosa',
      lastName: 'Roosevelt',
    });
    const teacher = await connectedClient(app, 'teacher2@maplegrove.test', '200000002');
    const done = await importThroughPages(teacher, {
      courseIds: [ADVISORY],
      groupId: org.groups['Lincoln High']!,
      tagIds: [org.tags['Grade 10']!],
    });
    expect(done.review).toContain('in a group you do not manage');
    expect(await account(outside.id)).toMatchObject({
      first_name: 'Rosa',
      last_name: 'Roosevelt',
      google_user_id: null,
      tags: [],
      links: 0,
    });

    const later = await createAccount(db.services, org.organisationId, {
      email: 'later.kid@maplegrove.test',
      groupId: org.groups.Roosevelt!,
      firstName: 'Later',
      lastName: 'Kid',
    });
    await sandboxAddStudent(db.services.sql, {
      courseId: ADVISORY,
      givenName: 'Renamed',
      familyName: 'ByGoogle',
      email: 'later.kid@maplegrove.test',
    });
    await sandboxRenameStudent(db.services.sql, { userId: s0.id, givenName: 'Other', familyName: 'Name' });
    const [owner] = await db.services.sql<{ id: string }[]>`select id from accounts where email = 'teacher2@maplegrove.test'`;
    await sync(done.linkId, owner!.id);
    expect(await account(outside.id)).toMatchObject({
      first_name: 'Rosa',
      last_name: 'Roosevelt',
      google_user_id: null,
      tags: [],
      links: 0,
    });
    expect(await account(later.id)).toMatchObject({ first_name: 'Later', last_name: 'Kid', google_user_id: null, tags: [], links: 0 });
  });
});

describe('honest status', () => {
  it('while Google fails: "Retrying (attempt 2 of 6, next at ...): Google answered 503"; once the queue gives up: "Last sync failed" and an email', async () => {
    await db.services.sql`delete from outbox_emails`;
    await sandboxSetFault(db.services.sql, 503, 600);
    try {
      // A page never promises a retry that nothing will make.
      const pick = await admin.get('/classroom/import');
      expect(pick.html).toContain('Google answered 503');
      expect(pick.html).toContain('Try again in a few minutes');
      expect(pick.html).not.toMatch(/We will try again/);

      await requestSync(await ctxFor(db, org.systemAdmin.id), linkId);
      await runDueJobs(db, { env: classroomEnv() });
      let page = await admin.get(`/classroom/links/${linkId}`);
      expect(page.html).toMatch(/Retrying \(attempt 2 of 6, next at \d{1,2}:\d\d [AP]M UTC\): Google answered 503/);
      expect(page.html).not.toContain('In sync');
      const list = await admin.get('/classroom');
      expect(list.html).toContain('Retrying (attempt 2 of 6');

      await db.services
        .sql`update graphile_worker._private_jobs set attempts = max_attempts - 1, run_at = now() where key = ${`sync_classroom_link:${linkId}`}`;
      await runDueJobs(db, { env: classroomEnv() });
      page = await admin.get(`/classroom/links/${linkId}`);
      expect(page.html).toContain('Last sync failed: Google answered 503');
      expect(page.html).not.toContain('Retrying');
      const emails = await db.services.sql<
        { to_address: string; subject: string; text_body: string }[]
      >`select to_address, subject, text_body from outbox_emails`;
      expect(emails).toHaveLength(1);
      expect(emails[0]).toMatchObject({
        to_address: 'admin@maplegrove.test',
        subject: 'The Google Classroom sync of Career Exploration failed',
      });
      expect(emails[0]!.text_body).toContain('Google answered 503');
    } finally {
      await sandboxSetFault(db.services.sql, null, 1);
    }
  });

  it('after invalid_grant, the connection, its classes and their history say the same thing', async () => {
    await db.services.sql`update google_sandbox_grants set revoked_at = now() where user_id = '200000001'`;
    await sync();
    const ctx = await ctxFor(db, org.systemAdmin.id);
    const link = await getCourseLink(ctx, linkId);
    const [conn] = await db.services.sql<
      { status_message: string }[]
    >`select status_message from google_connections where account_id = ${org.systemAdmin.id}`;
    const runs = await listSyncRuns(ctx, linkId);
    expect(link.syncState).toBe('needs_reconnecting');
    expect([link.syncMessage, conn!.status_message, runs[0]!.message]).toEqual([
      NEEDS_RECONNECTING_MESSAGE,
      NEEDS_RECONNECTING_MESSAGE,
      NEEDS_RECONNECTING_MESSAGE,
    ]);
  });
});
