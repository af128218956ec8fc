import { setupServer } from 'msw/node';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/http/types.js';
import type { TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { classroomApp, connectedClient, drainJobs, ORIGIN } from './classroom-fixture.js';
import { sandboxNetwork } from './sandbox-network.js';

/** Issue 12: the Classroom wizard's options step names new tags, created by the import as the CSV import creates them. */
const db = useTestDatabase();
let app: Hono<AppEnv>;
const server = setupServer(...sandboxNetwork(() => app, ORIGIN));
let org: OrgFixture;
let admin: TestClient;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  app = classroomApp(db);
  org = await createOrganisation(db.services, { name: 'Maple Grove', groups: ['Lincoln High'] });
  // Student 5 of Career Exploration already has an account (matched by email).
  await createAccount(db.services, org.organisationId, {
    email: 'finn.abbott5@classroom.maplegrove.test',
    groupId: org.groups['Lincoln High']!,
  });
  admin = await connectedClient(app, 'admin@maplegrove.test', '200000001');
});
afterAll(() => server.close());

const tagsNamed = (name: string) =>
  db.services.sql<
    { id: string; name: string }[]
  >`select id, name from tags where organisation_id = ${org.organisationId} and lower(name) = lower(${name})`;

async function tagNamesOf(email: string): Promise<string[]> {
  const rows = await db.services.sql<{ name: string }[]>`
    select t.name from account_tags at join tags t on t.id = at.tag_id join accounts a on a.id = at.account_id
    where a.organisation_id = ${org.organisationId} and lower(a.email) = lower(${email}) order by lower(t.name)`;
  return rows.map((r) => r.name);
}

function choose(courseId: string, newTags: string) {
  return admin.post('/classroom/import', {
    courseIds: [courseId],
    groupId: org.groups['Lincoln High']!,
    defaultPassword: 'backup-password-1',
    tagIds: [org.tags['Grade 9']!],
    newTags,
    tagExisting: '1',
    tagExistingShown: '1',
  });
}

describe('Import from Google Classroom: new tag names on the options step', () => {
  it('refuses a name longer than the limit, keeping what was typed', async () => {
    const res = await choose('600000001', `Cohort 7, ${'x'.repeat(101)}`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('A tag is longer than 100 characters.');
    expect(html).toContain('value="Cohort 7, xxx');
  });

  it('trims and matches names ignoring case; the review lists the new ones; the import creates each once and tags new and existing accounts', async () => {
    const res = await choose('600000001', '  Cohort 7 , period 1,PERIOD 1 , grade 9,, ');
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    const batchId = location.split('/').pop()!;
    const review = await admin.get(location);
    expect(review.html).toContain('New tags: Cohort 7, period 1');
    expect(review.html).toContain('tagged <b>Grade 9, Cohort 7, period 1</b>');
    // Nothing exists before the import runs.
    expect(await tagsNamed('Cohort 7')).toHaveLength(0);

    expect((await admin.post(`/classroom/import/${batchId}/start`)).status).toBe(303);
    await drainJobs(db);
    expect((await admin.get(`/classroom/import/${batchId}`)).html).toContain('Import finished');

    const [cohort] = await tagsNamed('Cohort 7');
    const period = await tagsNamed('Period 1');
    expect(period).toEqual([{ id: expect.any(String), name: 'period 1' }]);
    expect(await tagsNamed('Grade 9')).toHaveLength(1);
    // A new student and the existing account (Also add these tags to accounts that already exist).
    expect(await tagNamesOf('finn.abbott5@classroom.maplegrove.test')).toEqual(['Cohort 7', 'Grade 9', 'period 1']);
    const [tagged] = await db.services.sql<{ n: number }[]>`
      select count(*)::int as n from accounts a where a.organisation_id = ${org.organisationId} and a.source = 'classroom'
        and (select count(*) from account_tags at where at.account_id = a.id and at.tag_id = any(${[cohort!.id, period[0]!.id, org.tags['Grade 9']!]}::uuid[])) = 3`;
    expect(tagged!.n).toBe(23);
    // The class keeps them for students who join later.
    const [link] = await db.services.sql<
      { tag_ids: string[] }[]
    >`select tag_ids::text[] as tag_ids from classroom_course_links where import_batch_id = ${batchId}`;
    expect([...link!.tag_ids].sort()).toEqual([cohort!.id, period[0]!.id, org.tags['Grade 9']!].sort());
    const audited = await db.services.sql<{ n: number }[]>`select count(*)::int as n from audit_log where action = 'tag.created'`;
    expect(audited[0]!.n).toBe(2);
  });

  it('a name someone creates between Continue and Import is used as it is, by the accounts and by the class', async () => {
    const res = await choose('600000004', 'Period 2');
    const batchId = res.headers.get('location')!.split('/').pop()!;
    const [made] = await db.services.sql<
      { id: string }[]
    >`insert into tags (organisation_id, name) values (${org.organisationId}, 'PERIOD 2') returning id`;
    expect((await admin.post(`/classroom/import/${batchId}/start`)).status).toBe(303);
    await drainJobs(db);
    expect(await tagsNamed('period 2')).toEqual([{ id: made!.id, name: 'PERIOD 2' }]);
    const [link] = await db.services.sql<
      { tag_ids: string[] }[]
    >`select tag_ids::text[] as tag_ids from classroom_course_links where import_batch_id = ${batchId}`;
    expect([...link!.tag_ids].sort()).toEqual([made!.id, org.tags['Grade 9']!].sort());
    const [tagged] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from account_tags where tag_id = ${made!.id}`;
    expect(tagged!.n).toBeGreaterThan(0);
  });
});
