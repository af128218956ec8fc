import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, TEST_PASSWORD, type OrgFixture } from '../helpers/fixtures.js';
import { THROTTLE } from '../../src/auth/sign-in-throttle.js';

const db = useTestDatabase();
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Alpha' });
  await createAccount(db.services, org.organisationId, { email: 'Learner@Alpha.test', groupId: org.groups.North });
  await createAccount(db.services, org.organisationId, { email: 'newbie@alpha.test', mustChangePassword: true });
});

describe('sign-in happy path', () => {
  it('signs in with the right password, ignoring the case of the email, and lands on the start page', async () => {
    const client = new TestClient(createTestApp(db));
    await client.get('/sign-in');
    const res = await client.post('/sign-in', { email: 'learner@ALPHA.test', password: TEST_PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('rb_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const rows = await db.services.sql`select count(*)::int as n from sessions`;
    expect(rows[0]!.n).toBe(1);
    const { html } = await client.get('/account');
    expect(html).toContain('Learner@Alpha.test');
  });

  it('over https the session cookie is Secure and SameSite=None, so the Classroom add-on frame is signed in too', async () => {
    const client = new TestClient(createTestApp(db, { secureCookies: true, appUrl: 'https://roster.example.org' }));
    await client.get('/sign-in');
    const res = await client.post('/sign-in', { email: 'learner@alpha.test', password: TEST_PASSWORD });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('rb_session='));
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/SameSite=None/);
    expect(cookie).toMatch(/HttpOnly/);
  });

  it('signs out and forgets the session', async () => {
    const client = new TestClient(createTestApp(db));
    await client.signIn('learner@alpha.test');
    const before = await db.services.sql`select count(*)::int as n from sessions`;
    const res = await client.post('/sign-out');
    expect(res.status).toBe(303);
    const after = await db.services.sql`select count(*)::int as n from sessions`;
    expect(after[0]!.n).toBe(before[0]!.n - 1);
    const page = await client.request('/account');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/^\/sign-in/);
  });
});

describe('a session on every request', () => {
  it('reads the signed-in account with its groups, and slides the expiry', async () => {
    const teacher = await createAccount(db.services, org.organisationId, {
      email: 'teacher@alpha.test',
      kind: 'administrator',
      managedGroupIds: [org.groups.North!],
    });
    const client = new TestClient(createTestApp(db));
    await client.signIn('teacher@alpha.test');
    await db.services
      .sql`update sessions set expires_at = now() + interval '5 minutes', last_seen_at = now() - interval '2 hours' where account_id = ${teacher.id}`;
    const { html } = await client.get('/accounts');
    // The teacher manages North only: its learner is listed, the learner without a group is not.
    expect(html).toContain('Learner@Alpha.test');
    expect(html).not.toContain('newbie@alpha.test');
    const [slid] = await db.services.sql<{ left: number }[]>`
      select extract(epoch from expires_at - now())::int as left from sessions where account_id = ${teacher.id}`;
    expect(slid!.left).toBeGreaterThan(60 * 60);
  });

  it('is signed out once the session expires, or once its account is deactivated even if the session row is left', async () => {
    for (const end of ['expire', 'deactivate'] as const) {
      const email = `ends-${end}@alpha.test`;
      const account = await createAccount(db.services, org.organisationId, { email });
      const client = new TestClient(createTestApp(db));
      await client.signIn(email);
      expect((await client.request('/account')).status).toBe(200);
      if (end === 'expire')
        await db.services.sql`update sessions set expires_at = now() - interval '1 second' where account_id = ${account.id}`;
      else await db.services.sql`update accounts set deactivated_at = now() where id = ${account.id}`;
      const page = await client.request('/account');
      expect(page.status, end).toBe(303);
      expect(page.headers.get('location')).toMatch(/^\/sign-in/);
    }
  });
});

describe('sign-in errors', () => {
  it('refuses a wrong password with a message and no session', async () => {
    const client = new TestClient(createTestApp(db));
    await client.get('/sign-in');
    const res = await client.post('/sign-in', { email: 'learner@alpha.test', password: 'nope-nope-nope' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('do not match an account');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('rb_session='))).toBe(false);
  });

  it('locks an email after repeated failures, even for the right password', async () => {
    await createAccount(db.services, org.organisationId, { email: 'target@alpha.test' });
    const client = new TestClient(createTestApp(db));
    await client.get('/sign-in');
    for (let i = 0; i < THROTTLE.pairFailures; i++) {
      const res = await client.post('/sign-in', { email: 'target@alpha.test', password: `wrong-${i}-password` });
      expect(res.status).toBe(400);
    }
    const locked = await client.post('/sign-in', { email: 'target@alpha.test', password: TEST_PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await locked.text()).toContain('Too many failed sign-in attempts');
  });

  it('forces a new password at first sign-in before anything else', async () => {
    const client = new TestClient(createTestApp(db));
    await client.get('/sign-in');
    const res = await client.post('/sign-in', { email: 'newbie@alpha.test', password: TEST_PASSWORD });
    expect(res.headers.get('location')).toBe('/change-password');
    const blocked = await client.request('/account');
    expect(blocked.status).toBe(303);
    expect(blocked.headers.get('location')).toBe('/change-password');
    await client.get('/change-password');
    const mismatch = await client.post('/change-password', { newPassword: 'brand-new-pass', confirmPassword: 'different-pass' });
    expect(mismatch.status).toBe(400);
    const ok = await client.post('/change-password', { newPassword: 'brand-new-pass', confirmPassword: 'brand-new-pass' });
    expect(ok.status).toBe(303);
    const [row] = await db.services.sql`select must_change_password from accounts where lower(email) = 'newbie@alpha.test'`;
    expect(row!.must_change_password).toBe(false);
    expect((await client.request('/account')).status).toBe(200);
  });
});

describe('sign-in security', () => {
  it('refuses a form without the CSRF token', async () => {
    const client = new TestClient(createTestApp(db));
    await client.get('/sign-in');
    const res = await client.post('/sign-in', { _csrf: 'forged', email: 'learner@alpha.test', password: TEST_PASSWORD });
    expect(res.status).toBe(403);
  });

  it('refuses a signed-in form post without the session token, and one from another origin', async () => {
    const client = new TestClient(createTestApp(db));
    await client.signIn('learner@alpha.test');
    const noToken = await client.post('/account/email', { _csrf: '', email: 'x@alpha.test', emailCurrentPassword: TEST_PASSWORD });
    expect(noToken.status).toBe(403);
    const crossSite = await client.post(
      '/account/email',
      { email: 'x@alpha.test', emailCurrentPassword: TEST_PASSWORD },
      { headers: { origin: 'https://evil.example' } },
    );
    expect(crossSite.status).toBe(403);
    const [row] = await db.services.sql`select email from accounts where lower(email) = 'learner@alpha.test'`;
    expect(row).toBeDefined();
  });

  it('sends strict security headers on every page', async () => {
    const client = new TestClient(createTestApp(db));
    const { res } = await client.get('/sign-in');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('does not redirect off-site after sign-in', async () => {
    const client = new TestClient(createTestApp(db));
    await client.get('/sign-in');
    const res = await client.post('/sign-in', { email: 'learner@alpha.test', password: TEST_PASSWORD, next: '//evil.example/x' });
    expect(res.headers.get('location')).toBe('/');
  });
});
