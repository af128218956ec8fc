import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { runDueJobs } from '../helpers/jobs.js';

const db = useTestDatabase();
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Hazel', groups: ['North', 'South'], tags: ['Grade 9'] });
  await createAccount(db.services, org.organisationId, {
    email: 'teacher@hazel.test',
    kind: 'administrator',
    managedGroupIds: [org.groups.North!],
  });
});

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

async function uploaded(client: TestClient, content: string): Promise<string> {
  await client.get('/imports/csv/upload');
  const form = new FormData();
  form.set('_csrf', client.csrf);
  form.set('file', new File([content], 'accounts.csv', { type: 'text/csv' }));
  const res = await client.request('/imports/csv/upload', { method: 'POST', body: form });
  const id = (res.headers.get('location') ?? '').match(/^\/imports\/([0-9a-f-]{36})\/columns$/)?.[1];
  if (!id) throw new Error(`upload failed: ${res.status}`);
  return id;
}

const FILE = [
  'First Name,Last Name,Email,Password,Group,Tag',
  'Ana,Lima,ana@hazel.test,long-enough-1,North,Cohort 7; Period 1',
  'Ben,Ode,ben@hazel.test,long-enough-1,West Campus,cohort 7',
  'Cy,Young,cy@hazel.test,long-enough-1,North,Grade 9',
].join('\r\n');

describe('CSV import wizard: new tags and groups', () => {
  it('a system administrator sees both options, and the check and verification pages list what will be created', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const id = await uploaded(admin, FILE);
    expect(
      (await admin.post(`/imports/${id}/columns`, { column: ['firstName', 'lastName', 'email', 'password', 'group', 'tag'] })).status,
    ).toBe(303);
    const settings = await admin.get(`/imports/${id}/settings`);
    expect(settings.html).toMatch(/name="createTags" value="1" checked/);
    expect(settings.html).toContain('Create tags that do not exist yet');
    expect(settings.html).toContain('Create groups that do not exist yet');
    expect(settings.html).not.toMatch(/name="createGroups" value="1" checked/);

    // Groups off (the default): Ben's row is skipped with the reason; the new tags are still listed.
    expect((await admin.post(`/imports/${id}/settings`, { createTags: '1' })).status).toBe(303);
    let check = await admin.get(`/imports/${id}/check`);
    expect(check.html).toContain('New tags: Cohort 7, Period 1');
    expect(check.html).not.toContain('New groups');
    expect(check.html).toContain('There is no group named');

    expect((await admin.post(`/imports/${id}/settings`, { createTags: '1', createGroups: '1' })).status).toBe(303);
    check = await admin.get(`/imports/${id}/check`);
    expect(check.html).toContain('New tags: Cohort 7, Period 1');
    expect(check.html).toContain('New groups: West Campus');
    expect(check.html).toContain('No bad data found.');
    expect((await admin.post(`/imports/${id}/check`, {})).status).toBe(303);
    const verify = await admin.get(`/imports/${id}/verify?page=1`);
    expect(verify.html).toContain('New tags: Cohort 7, Period 1');

    expect((await admin.post(`/imports/${id}/start`, {})).status).toBe(303);
    await runDueJobs(db);
    const tags = await db.services.sql<
      { name: string }[]
    >`select name from tags where organisation_id = ${org.organisationId} order by lower(name)`;
    expect(tags.map((t) => t.name)).toEqual(['Cohort 7', 'Grade 9', 'Period 1']);
    const [ben] = await db.services.sql<
      { group_name: string }[]
    >`select g.name as group_name from accounts a join groups g on g.id = a.group_id where a.email = 'ben@hazel.test'`;
    expect(ben!.group_name).toBe('West Campus');
  });

  it('with "Create tags that do not exist yet" unticked, rows naming new tags are skipped', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const id = await uploaded(
      admin,
      FILE.replace(/Cohort 7|cohort 7/g, 'Cohort 8').replace(/ana@|ben@|cy@/g, (m) => `x${m}`),
    );
    await admin.post(`/imports/${id}/columns`, { column: ['firstName', 'lastName', 'email', 'password', 'group', 'tag'] });
    await admin.post(`/imports/${id}/settings`, {});
    const check = await admin.get(`/imports/${id}/check`);
    expect(check.html).toContain('There is no tag named &quot;Cohort 8&quot;');
    expect(check.html).not.toContain('New tags');
  });

  it('a group administrator is never offered to create groups, and a forged option is ignored', async () => {
    const teacher = await signedIn('teacher@hazel.test');
    const id = await uploaded(
      teacher,
      ['First Name,Last Name,Email,Password,Group', 'Di,Ng,di@hazel.test,long-enough-1,Teacher Campus'].join('\r\n'),
    );
    await teacher.post(`/imports/${id}/columns`, { column: ['firstName', 'lastName', 'email', 'password', 'group'] });
    const settings = await teacher.get(`/imports/${id}/settings`);
    expect(settings.html).not.toContain('Create groups that do not exist yet');
    expect((await teacher.post(`/imports/${id}/settings`, { createGroups: '1' })).status).toBe(303);
    const check = await teacher.get(`/imports/${id}/check`);
    expect(check.html).not.toContain('New groups');
    expect((await db.services.sql`select 1 from groups where name = 'Teacher Campus'`).length).toBe(0);
  });
});
