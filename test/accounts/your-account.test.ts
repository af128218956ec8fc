import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, TEST_PASSWORD, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Beta' });
  await createAccount(db.services, org.organisationId, { email: 'taken@beta.test' });
});

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

describe('Your Account: happy path', () => {
  it('changes the password, ends other sessions, and the new password signs in', async () => {
    await createAccount(db.services, org.organisationId, { email: 'pw@beta.test' });
    const other = await signedIn('pw@beta.test');
    const client = await signedIn('pw@beta.test');
    const res = await client.post('/account/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'a-new-secret-1',
      confirmPassword: 'a-new-secret-1',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account?changed=password');
    expect((await client.get('/account?changed=password')).html).toContain('Your password was changed');
    expect((await other.request('/account')).status).toBe(303);
    const fresh = new TestClient(createTestApp(db));
    await fresh.signIn('pw@beta.test', 'a-new-secret-1');
    const [audit] = await db.services.sql`select count(*)::int as n from audit_log where action = 'account.password_changed'`;
    expect(audit!.n).toBe(1);
  });

  it('changes the email with the current password', async () => {
    await createAccount(db.services, org.organisationId, { email: 'old@beta.test' });
    const client = await signedIn('old@beta.test');
    const res = await client.post('/account/email', { email: 'New@Beta.test', emailCurrentPassword: TEST_PASSWORD });
    expect(res.status).toBe(303);
    const [row] = await db.services
      .sql`select email from accounts where organisation_id = ${org.organisationId} and lower(email) = 'new@beta.test'`;
    expect(row!.email).toBe('New@Beta.test');
  });
});

describe('Your Account: errors', () => {
  it('keeps the password when the current one is wrong or the new ones differ, and says why', async () => {
    await createAccount(db.services, org.organisationId, { email: 'keep@beta.test' });
    const client = await signedIn('keep@beta.test');
    const wrong = await client.post('/account/password', {
      currentPassword: 'nope-nope',
      newPassword: 'a-new-secret-1',
      confirmPassword: 'a-new-secret-1',
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Your current password is not right.');
    const short = await client.post('/account/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'short',
      confirmPassword: 'short',
    });
    expect(await short.text()).toContain('Use at least 8 characters.');
    const fresh = new TestClient(createTestApp(db));
    await fresh.signIn('keep@beta.test', TEST_PASSWORD);
  });

  it('refuses an email another account of the organisation has, ignoring case', async () => {
    await createAccount(db.services, org.organisationId, { email: 'dup@beta.test' });
    const client = await signedIn('dup@beta.test');
    const res = await client.post('/account/email', { email: 'TAKEN@beta.test', emailCurrentPassword: TEST_PASSWORD });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('already uses that email');
    const [row] = await db.services.sql`select count(*)::int as n from accounts where lower(email) = 'dup@beta.test'`;
    expect(row!.n).toBe(1);
  });

  it('refuses an email change without the right current password, or with a malformed email', async () => {
    await createAccount(db.services, org.organisationId, { email: 'guard@beta.test' });
    const client = await signedIn('guard@beta.test');
    const res = await client.post('/account/email', { email: 'not-an-email', emailCurrentPassword: 'wrong-one' });
    const html = await res.text();
    expect(html).toContain('Enter an email address in the form name@example.org.');
    expect(html).toContain('Your current password is not right.');
    const [row] = await db.services.sql`select count(*)::int as n from accounts where lower(email) = 'guard@beta.test'`;
    expect(row!.n).toBe(1);
  });
});

describe('Your Account: security', () => {
  it('lets a learner reach only their own pages: administrator pages answer 404', async () => {
    await createAccount(db.services, org.organisationId, { email: 'learner@beta.test' });
    const client = await signedIn('learner@beta.test');
    const home = await client.request('/');
    expect(home.headers.get('location')).toBe('/account');
    const { html } = await client.get('/account');
    expect(html).not.toContain('View Accounts');
    for (const path of ['/accounts', '/accounts/new', '/imports', '/assignments/presets', '/organisation', '/dev/mailbox']) {
      expect((await client.request(path)).status, path).toBe(404);
    }
  });

  it('sends signed-out visitors to sign in, remembering where they were going', async () => {
    const client = new TestClient(createTestApp(db));
    const res = await client.request('/account');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sign-in?next=%2Faccount');
  });
});
