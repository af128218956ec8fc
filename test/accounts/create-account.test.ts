import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, TEST_PASSWORD, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;
let quiet: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Cedar', groups: ['North', 'South'], tags: ['Grade 9'], welcomeEmailEnabled: true });
  quiet = await createOrganisation(db.services, { name: 'Quiet', groups: ['Only'], welcomeEmailEnabled: false });
  await createAccount(db.services, org.organisationId, {
    email: 'teacher@cedar.test',
    kind: 'administrator',
    managedGroupIds: [org.groups.North!],
  });
  await createAccount(db.services, org.organisationId, { email: 'taken@cedar.test' });
});

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

const base = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  password: 'a-good-password',
  confirmPassword: 'a-good-password',
  mustChangePassword: '1',
};

async function accountRow(email: string) {
  const [row] = await db.services.sql<
    {
      id: string;
      kind: string;
      is_system_admin: boolean;
      group_id: string | null;
      must_change_password: boolean;
      source: string;
      organisation_id: string;
    }[]
  >`select id, kind, is_system_admin, group_id, must_change_password, source, organisation_id from accounts where lower(email) = lower(${email})`;
  return row;
}

describe('Create Account: happy path', () => {
  it('shows the form with the Use Batch Import button leading to the batch import screen', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const { html } = await admin.get('/accounts/new');
    expect(html).toContain('<h1>Create Account</h1>');
    expect(html).toMatch(/<a class="btn secondary" href="\/imports">\s*Use Batch Import\s*<\/a>/);
    expect(html).toContain('Send Welcome Email');
  });

  it('a group administrator creates a learner in their group, with tags, a forced password change and a welcome email', async () => {
    const teacher = await signedIn('teacher@cedar.test');
    await teacher.get('/accounts/new');
    const res = await teacher.post('/accounts/new', {
      ...base,
      email: 'ada@cedar.test',
      kind: 'user',
      groupId: org.groups.North!,
      tagIds: org.tags['Grade 9']!,
      sendWelcomeEmail: '1',
    });
    expect(res.status).toBe(303);
    const row = (await accountRow('ada@cedar.test'))!;
    expect(res.headers.get('location')).toBe(`/accounts/new?created=${row.id}`);
    expect(row).toMatchObject({
      kind: 'user',
      is_system_admin: false,
      group_id: org.groups.North,
      must_change_password: true,
      source: 'manual',
    });
    const tags = await db.services.sql`select tag_id from account_tags where account_id = ${row.id}`;
    expect(tags.map((t) => t.tag_id)).toEqual([org.tags['Grade 9']]);
    const mail = await db.services.sql<
      { subject: string; text_body: string }[]
    >`select subject, text_body from outbox_emails where to_address = 'ada@cedar.test'`;
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe('Your Cedar account on Rosterbridge');
    expect(mail[0]!.text_body).toContain('http://rosterbridge.test/sign-in');
    expect(mail[0]!.text_body).not.toContain('a-good-password');
    expect((await teacher.get(res.headers.get('location')!)).html).toContain('The account for Ada Lovelace (ada@cedar.test) was created.');
    // The new account signs in and must choose a new password.
    const learner = new TestClient(createTestApp(db));
    await learner.get('/sign-in');
    const signIn = await learner.post('/sign-in', { email: 'ada@cedar.test', password: 'a-good-password' });
    expect(signIn.headers.get('location')).toBe('/change-password');
  });

  it('a system administrator creates an administrator who manages chosen groups', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    await admin.get('/accounts/new');
    const res = await admin.post('/accounts/new', {
      ...base,
      email: 'head@cedar.test',
      kind: 'administrator',
      managedGroupIds: [org.groups.North!, org.groups.South!],
    });
    expect(res.status).toBe(303);
    const row = (await accountRow('head@cedar.test'))!;
    expect(row.kind).toBe('administrator');
    const managed = await db.services.sql`select group_id from administrator_groups where account_id = ${row.id}`;
    expect(managed.map((m) => m.group_id).sort()).toEqual([org.groups.North, org.groups.South].sort());
    const sysRes = await admin.post('/accounts/new', { ...base, email: 'deputy@cedar.test', kind: 'administrator', isSystemAdmin: '1' });
    expect(sysRes.status).toBe(303);
    expect((await accountRow('deputy@cedar.test'))!.is_system_admin).toBe(true);
  });

  it('offers no welcome email where the organisation has it off, and sends none', async () => {
    const admin = await signedIn(quiet.systemAdmin.email);
    const { html } = await admin.get('/accounts/new');
    expect(html).toContain('Send Welcome Email is not available: welcome emails are turned off for your organisation.');
    const res = await admin.post('/accounts/new', {
      ...base,
      email: 'silent@quiet.test',
      kind: 'user',
      groupId: quiet.groups.Only!,
      sendWelcomeEmail: '1',
    });
    expect(res.status).toBe(303);
    const mail = await db.services.sql`select 1 from outbox_emails where to_address = 'silent@quiet.test'`;
    expect(mail).toHaveLength(0);
  });
});

describe('Create Account: errors', () => {
  it('reports every problem at once, keeps what was typed, and creates nothing', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    await admin.get('/accounts/new');
    const res = await admin.post('/accounts/new', {
      firstName: '',
      lastName: 'X'.repeat(101),
      email: 'not-an-email',
      kind: 'user',
      password: 'short',
      confirmPassword: 'short',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('The account was not created.');
    expect(html).toContain('Enter a first name.');
    expect(html).toContain('A last name can be at most 100 characters.');
    expect(html).toContain('Enter an email address in the form name@example.org.');
    expect(html).toContain('Choose a group.');
    expect(html).toContain('Use at least 8 characters.');
    expect(html).toContain('value="not-an-email"');
  });

  it('refuses an email already used in the organisation, ignoring case', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    await admin.get('/accounts/new');
    const res = await admin.post('/accounts/new', { ...base, email: 'TAKEN@cedar.test', kind: 'user', groupId: org.groups.North! });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('An account with this email already exists in your organisation.');
    const [{ n } = { n: -1 }] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from accounts where lower(email) = 'taken@cedar.test'`;
    expect(n).toBe(1);
  });

  it('the same email is free in another organisation', async () => {
    const admin = await signedIn(quiet.systemAdmin.email);
    await admin.get('/accounts/new');
    const res = await admin.post('/accounts/new', { ...base, email: 'taken@cedar.test', kind: 'user', groupId: quiet.groups.Only! });
    expect(res.status).toBe(303);
  });
});

describe('Create Account: security', () => {
  it('a group administrator cannot create administrators or place accounts in groups they do not manage', async () => {
    const teacher = await signedIn('teacher@cedar.test');
    await teacher.get('/accounts/new');
    const admin = await teacher.post('/accounts/new', {
      ...base,
      email: 'boss@cedar.test',
      kind: 'administrator',
      groupId: org.groups.North!,
      managedGroupIds: org.groups.South!,
    });
    expect(admin.status).toBe(400);
    expect(await admin.text()).toContain('Only system administrators can create administrator accounts.');
    const south = await teacher.post('/accounts/new', { ...base, email: 'south@cedar.test', kind: 'user', groupId: org.groups.South! });
    expect(south.status).toBe(400);
    expect(await south.text()).toContain('Choose one of the groups you manage.');
    expect(await accountRow('boss@cedar.test')).toBeUndefined();
    expect(await accountRow('south@cedar.test')).toBeUndefined();
  });

  it("another organisation's group or tag id creates nothing", async () => {
    const admin = await signedIn(org.systemAdmin.email);
    await admin.get('/accounts/new');
    const group = await admin.post('/accounts/new', { ...base, email: 'spy1@cedar.test', kind: 'user', groupId: quiet.groups.Only! });
    expect(group.status).toBe(400);
    expect(await group.text()).toContain('A group or tag you chose no longer exists.');
    const [foreignTag] = await db.services.sql<
      { id: string }[]
    >`select id from tags where organisation_id = ${quiet.organisationId} limit 1`;
    const tag = await admin.post('/accounts/new', {
      ...base,
      email: 'spy2@cedar.test',
      kind: 'user',
      groupId: org.groups.North!,
      tagIds: foreignTag!.id,
    });
    expect(tag.status).toBe(400);
    expect(await accountRow('spy1@cedar.test')).toBeUndefined();
    expect(await accountRow('spy2@cedar.test')).toBeUndefined();
  });

  it("the created notice does not reveal another organisation's account", async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const foreign = (await accountRow('silent@quiet.test'))!;
    const { html } = await admin.get(`/accounts/new?created=${foreign.id}`);
    expect(html).not.toContain('silent@quiet.test');
    expect(html).not.toContain('was created');
  });

  it('without the CSRF token nothing is created', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const res = await admin.post('/accounts/new', {
      _csrf: '',
      ...base,
      email: 'csrf@cedar.test',
      kind: 'user',
      groupId: org.groups.North!,
    });
    expect(res.status).toBe(403);
    expect(await accountRow('csrf@cedar.test')).toBeUndefined();
    expect(TEST_PASSWORD).toBeTruthy();
  });
});
