import { sql } from 'drizzle-orm';
import { setupServer } from 'msw/node';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/http/types.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { queuedJobs } from '../helpers/jobs.js';
import { sandboxSetApiDisabled } from '../../src/classroom/sandbox/controls.js';
import { studentSeed } from '../../src/classroom/sandbox/data.js';
import { classroomApp, connectedClient, drainJobs, ORIGIN } from './classroom-fixture.js';
import { classroomEnv, sandboxNetwork } from './sandbox-network.js';

const db = useTestDatabase();
let app: Hono<AppEnv>;
const server = setupServer(...sandboxNetwork(() => app, ORIGIN));
let org: OrgFixture;
let admin: TestClient;
let batchId: string;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  app = classroomApp(db);
  org = await createOrganisation(db.services, { name: 'Maple Grove', groups: ['Lincoln High', 'Roosevelt'] });
  await createAccount(db.services, org.organisationId, {
    email: 'teacher2@maplegrove.test',
    kind: 'administrator',
    managedGroupIds: [org.groups['Lincoln High']!],
    firstName: 'Jordan',
    lastName: 'Lee',
  });
  // Student 5 of the demo world already has an account (matched by email, case ignored).
  await createAccount(db.services, org.organisationId, {
    email: 'Finn.Abbott5@classroom.maplegrove.test',
    groupId: org.groups['Lincoln High']!,
  });
  admin = await connectedClient(app, 'admin@maplegrove.test', '200000001');
});
afterAll(() => server.close());

describe('Import from Google Classroom (wizard)', () => {
  it('lists the teacher’s active classes (not the archived one) with group, default password and tags', async () => {
    const { res, html } = await admin.get('/classroom/import');
    expect(res.status).toBe(200);
    for (const name of ['Career Exploration', 'Life Skills', 'Study Skills']) expect(html).toContain(name);
    expect(html).not.toContain('Financial Literacy 2024');
    expect(html).toContain('Pick your classes');
    expect(html).toContain('Select the group where you want to import the users.');
    expect(html).toContain('This is just a backup in case your users have issues signing in using Google Sign-in.');
    expect(html).toContain('Grade 9');
    expect(html).toContain('>Continue<');
  });

  it('explains a Classroom API that is switched off', async () => {
    await sandboxSetApiDisabled(db.services.sql, true);
    try {
      const { res, html } = await admin.get('/classroom/import');
      expect(res.status).toBe(403);
      expect(html).toContain('not allowed to use the Classroom API');
    } finally {
      await sandboxSetApiDisabled(db.services.sql, false);
    }
  });

  it('says what is missing when nothing is picked', async () => {
    const res = await admin.post('/classroom/import', { groupId: '', defaultPassword: 'short' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Pick at least one class.');
    expect(html).toContain('Select the group where you want to import the users.');
    expect(html).toContain('The default password must be at least 8 characters.');
  });

  it('Continue lists every account once, matched accounts and hidden emails explained; Import runs it through the engine', async () => {
    // The matched account sits in another group than the class's, to show the review reads its own.
    const finn = sql`lower(email) = 'finn.abbott5@classroom.maplegrove.test'`;
    await db.services.db.execute(sql`update accounts set group_id = ${org.groups.Roosevelt!} where ${finn}`);
    const res = await admin.post('/classroom/import', {
      courseIds: ['600000001', '600000004'],
      groupId: org.groups['Lincoln High']!,
      defaultPassword: 'backup-password-1',
      tagIds: [org.tags['Grade 9']!],
    });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    batchId = location.split('/').pop()!;
    const { html } = await admin.get(location);
    expect(html).toContain('Accounts that will be imported');
    // Career Exploration (24) + Study Skills (13, one of them also in Career Exploration) = 36 students once each.
    expect((html.match(/<tr><th scope="row">/g) ?? []).length).toBe(36);
    expect(html).toContain('Google Classroom does not share the email address of 3 students');
    expect(html).toContain('Hidden by Classroom');
    expect(html).toContain('matched by email');
    // A matched account shows its own group and tags now, and the class tag it will get.
    const matched = html.split('<tr>').find((row) => row.includes('matched by email'))!;
    expect(matched).toContain('Group: Roosevelt');
    expect(matched).not.toContain('Lincoln High');
    expect(matched).toContain('<span class="sr-only">will add </span>Grade 9');
    await db.services.db.execute(sql`update accounts set group_id = ${org.groups['Lincoln High']!} where ${finn}`);
    expect(html).toMatch(/<b>35<\/b> new accounts/);
    // On a phone the review rows stack, each cell labelled (the stylesheet's table.stack).
    expect(html).toContain('<table class="stack">');
    expect((html.match(/<td data-label="What will happen">/g) ?? []).length).toBe(36);

    const start = await admin.post(`/classroom/import/${batchId}/start`);
    expect(start.status).toBe(303);
    const progress = await admin.get(`/classroom/import/${batchId}`);
    expect(progress.html).toMatch(/Importing your users|Import finished/);
    await drainJobs(db);
    const done = await admin.get(`/classroom/import/${batchId}`);
    expect(done.html).toContain('Import finished');
    expect(done.html).toContain('Career Exploration');
    expect(done.html).toContain('Study Skills');
    const [counts] = await db.services.sql<{ created: number; hidden: number }[]>`
      select count(*) filter (where source = 'classroom')::int as created,
             count(*) filter (where email like '%@hidden-email.classroom.invalid')::int as hidden
      from accounts where organisation_id = ${org.organisationId}`;
    expect(counts).toEqual({ created: 35, hidden: 3 });
    const emails = await db.services.sql<
      { to_address: string; subject: string; text_body: string }[]
    >`select to_address, subject, text_body from outbox_emails`;
    const finished = emails.find((e) => e.to_address === 'admin@maplegrove.test')!;
    expect(finished.text_body).toContain(`/imports/${batchId}`);
    // The email's link: the import result page of the engine, for a Classroom batch too.
    const result = await admin.get(`/imports/${batchId}`);
    expect(result.res.status).toBe(200);
    expect(result.html).toContain('35');
  });

  it('the Google Classroom page lists the links; a link page shows members and history, and Sync now queues one keyed job', async () => {
    const { html } = await admin.get('/classroom');
    expect(html).toContain('Connected as <b>admin@maplegrove.test</b>');
    const linkId = html.match(/href="\/classroom\/links\/([0-9a-f-]{36})">Career Exploration/)![1]!;
    const page = await admin.get(`/classroom/links/${linkId}`);
    expect(page.html).toContain('<b>24</b> students');
    expect(page.html).toContain('Import');
    await admin.post(`/classroom/links/${linkId}/sync`);
    await admin.post(`/classroom/links/${linkId}/sync`);
    const jobs = (await queuedJobs(db)).filter((j) => j.task === 'sync_classroom_link');
    expect(jobs).toHaveLength(1);
    await drainJobs(db);
  });

  it('link settings: group, tags, default password and a preset for newcomers (only this organisation’s presets)', async () => {
    const linkId = (await admin.get('/classroom')).html.match(/\/classroom\/links\/([0-9a-f-]{36})/)![1]!;
    const [preset] = await db.services.sql<{ id: string }[]>`
      insert into preset_assignments (organisation_id, name, items) values (${org.organisationId}, 'Starter pack', '[]'::jsonb) returning id`;
    const page = await admin.get(`/classroom/links/${linkId}`);
    expect(page.html).toContain('Starter pack');
    const res = await admin.post(`/classroom/links/${linkId}/settings`, {
      groupId: org.groups.Roosevelt!,
      tagIds: [org.tags['Grade 10']!],
      defaultPassword: '',
      presetId: preset!.id,
    });
    expect(res.status).toBe(303);
    const [link] = await db.services.sql<{ group_id: string; tag_ids: string[]; preset_id: string; pw: string | null }[]>`
      select group_id, tag_ids, preset_id, default_password_encrypted as pw from classroom_course_links where id = ${linkId}`;
    expect(link).toMatchObject({ group_id: org.groups.Roosevelt, tag_ids: [org.tags['Grade 10']], preset_id: preset!.id });
    expect(link!.pw).toMatch(/^v1\./);
    const rival = await createOrganisation(db.services, { name: 'Presets Elsewhere' });
    const [foreign] = await db.services.sql<{ id: string }[]>`
      insert into preset_assignments (organisation_id, name, items) values (${rival.organisationId}, 'Theirs', '[]'::jsonb) returning id`;
    const refused = await admin.post(`/classroom/links/${linkId}/settings`, { groupId: org.groups.Roosevelt!, presetId: foreign!.id });
    expect(refused.status).toBe(404);
    await admin.post(`/classroom/links/${linkId}/settings`, { groupId: org.groups['Lincoln High']!, presetId: '' });
  });

  it('Import refuses, with the engine’s reason, when every student would be skipped', async () => {
    for (let n = 111; n <= 128; n++) {
      await createAccount(db.services, org.organisationId, { email: studentSeed(n).email, groupId: org.groups.Roosevelt! });
    }
    const teacher = await connectedClient(app, 'teacher2@maplegrove.test', '200000002');
    const res = await teacher.post('/classroom/import', {
      courseIds: ['600000005'],
      groupId: org.groups['Lincoln High']!,
      defaultPassword: 'backup-password-1',
    });
    const review = await teacher.get(res.headers.get('location')!);
    expect(review.html).toMatch(/<b>18<\/b> will not be imported/);
    expect(review.html).toContain('in a group you do not manage');
    const id = res.headers.get('location')!.split('/').pop()!;
    const refused = await teacher.post(`/classroom/import/${id}/start`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Every row of this import was skipped');
    const [links] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from classroom_course_links where google_course_id = '600000005'`;
    expect(links!.n).toBe(0);
  });

  it('a group administrator only sees their groups, and another organisation gets 404 for a link', async () => {
    const teacher = await connectedClient(app, 'teacher2@maplegrove.test', '200000002');
    const { html } = await teacher.get('/classroom/import');
    expect(html).toContain('Lincoln High Advisory');
    expect(html).toContain('>Lincoln High<');
    expect(html).not.toContain('>Roosevelt<');
    const linkId = (await admin.get('/classroom')).html.match(/\/classroom\/links\/([0-9a-f-]{36})/)![1]!;
    const rival = await createOrganisation(db.services, { name: 'Rival' });
    const other = new TestClient(app);
    await other.signIn(`admin@rival.test`);
    expect((await other.get(`/classroom/links/${linkId}`)).res.status).toBe(404);
    expect((await other.get(`/classroom/import/${batchId}`)).res.status).toBe(404);
    expect(rival.organisationId).toBeTruthy();
  });
});

describe('Classroom add-on pages', () => {
  it('may be framed by Classroom only; other pages may not be framed at all', async () => {
    const real = createTestApp(db, {
      env: classroomEnv({ GOOGLE_CLIENT_ID: 'client.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 's' }),
    });
    const res = await real.request('/classroom-add-on/attachment-discovery?courseId=600000001&itemId=i1&addOnToken=t&login_hint=200000001');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors https:\/\/classroom\.google\.com(;|$)/);
    expect(res.headers.get('x-frame-options')).toBeNull();
    const other = await real.request('/sign-in');
    expect(other.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(other.headers.get('x-frame-options')).toBe('DENY');
    // With the sandbox playing Classroom, our own origin and the other loopback origins may frame them too.
    const sandboxed = await app.request('/classroom-add-on/attachment-discovery?courseId=600000001');
    expect(sandboxed.headers.get('content-security-policy')).toContain(
      "frame-ancestors https://classroom.google.com 'self' http://localhost:* http://127.0.0.1:*",
    );
    // The sandbox's Classroom page frames the service's origin and lets the sign-in popup keep its opener; other pages frame nothing.
    const classroomPage = await app.request('/google-sandbox/classroom/600000001/add-on');
    expect(classroomPage.headers.get('content-security-policy')).toContain(`frame-src 'self' ${new URL(ORIGIN).origin}`);
    expect(classroomPage.headers.get('cross-origin-opener-policy')).toBe('same-origin-allow-popups');
    expect((await app.request('/sign-in')).headers.get('content-security-policy')).not.toContain('frame-src');
  });

  it('asks a signed-out teacher to sign in with Google', async () => {
    const res = await app.request('/classroom-add-on/attachment-discovery?courseId=600000001&login_hint=200000001');
    const html = await res.text();
    expect(html).toContain('Sign in with Google');
    expect(html).not.toContain('Sync now');
  });

  it('shows a connected teacher the class’s roster status with Sync now, without any prompt', async () => {
    const { html } = await admin.get(
      '/classroom-add-on/attachment-discovery?courseId=600000001&itemId=i1&addOnToken=tok&login_hint=200000001',
    );
    expect(html).toContain('Career Exploration</b> is in Rosterbridge: 24 students');
    expect(html).toContain('Sync now');
    expect(html).not.toContain('Sign in with Google');
    const res = await admin.post('/classroom-add-on/sync?courseId=600000001&itemId=i1&addOnToken=tok&login_hint=200000001');
    expect(res.status).toBe(303);
    expect((await queuedJobs(db)).some((j) => j.task === 'sync_classroom_link')).toBe(true);
    await drainJobs(db);
  });

  it('offers Import for a class not in Rosterbridge, and notices a different Google account', async () => {
    const notLinked = await admin.get('/classroom-add-on/attachment-discovery?courseId=600000002&login_hint=200000001');
    expect(notLinked.html).toContain('This class is not in Rosterbridge yet.');
    expect(notLinked.html).toContain('/classroom/import?courseId=600000002');
    const other = await admin.get('/classroom-add-on/attachment-discovery?courseId=600000001&login_hint=200000003');
    expect(other.html).toContain('a different Google account');
  });

  it('refuses a launch without a course', async () => {
    const res = await admin.request('/classroom-add-on/attachment-discovery?courseId=bad%20id');
    expect(res.status).toBe(400);
  });
});

describe('Sign in with Google from the add-on (a popup, for frames without third-party cookies)', () => {
  const LAUNCH = 'courseId=600000001&itemId=i1&login_hint=200000001';

  async function signInWithGoogle(client: TestClient, googleAccountId: string) {
    const start = await client.request(`/classroom-add-on/popup?${LAUNCH}`);
    expect(start.status).toBe(303);
    expect(start.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
    const authUrl = new URL(start.headers.get('location')!);
    expect(authUrl.searchParams.get('scope')).toBe('openid email profile');
    expect(authUrl.searchParams.get('access_type')).toBeNull();
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('login_hint')).toBe('200000001');
    const consent = await client.get(authUrl.pathname + authUrl.search);
    expect(consent.res.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
    const form: Record<string, string> = { account: googleAccountId, decision: 'allow' };
    for (const [k, v] of authUrl.searchParams) form[k] = v;
    const back = await client.post('/google-sandbox/o/oauth2/v2/auth', form);
    const callback = new URL(back.headers.get('location')!);
    return client.request(callback.pathname + callback.search);
  }

  /** The frame's side: no cookie at all but the one /classroom-add-on/session sets. */
  async function exchange(token: string, origin = ORIGIN) {
    return app.request('/classroom-add-on/session', {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(token)}`,
    });
  }

  it('signs in the connected administrator in the popup, hands the frame a single-use token, and the frame gets its own partitioned session', async () => {
    const client = new TestClient(app);
    const res = await signInWithGoogle(client, '200000001');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/classroom-add-on/popup?${LAUNCH}`);
    const next = await client.request(res.headers.get('location')!);
    expect(next.headers.get('location')).toBe(`/classroom-add-on/handoff?${LAUNCH}`);
    const handoff = await client.get(next.headers.get('location')!);
    expect(handoff.res.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
    expect(handoff.res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(handoff.html).toContain('src="/static/add-on.js"');
    expect(handoff.html).toContain(`data-origin="${ORIGIN}"`);
    const token = /data-token="([^"]+)"/.exec(handoff.html)![1]!;

    // Another site's page cannot trade it; ours can, once.
    expect((await exchange(token, 'https://evil.test')).status).toBe(403);
    const traded = await exchange(token);
    expect(traded.status).toBe(204);
    const cookie = traded.headers.getSetCookie().find((c) => c.startsWith('rb_add_on_session='))!;
    expect(cookie).toBeDefined();
    expect(cookie).toContain('Partitioned');
    expect(cookie).toContain('SameSite=None');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('Path=/classroom-add-on');
    expect((await exchange(token)).status).toBe(400);

    const frame = await (
      await app.request(`/classroom-add-on/attachment-discovery?${LAUNCH}`, { headers: { cookie: cookie.split(';')[0]! } })
    ).text();
    expect(frame).not.toContain('data-add-on-popup');
    expect(frame).toContain('Career Exploration</b> is in Rosterbridge');
    // The add-on's cookie is for the add-on's pages only.
    const elsewhere = await app.request('/classroom', { headers: { cookie: cookie.split(';')[0]! } });
    expect(elsewhere.status).toBe(303);
  });

  it('a token older than a minute is refused', async () => {
    const client = new TestClient(app);
    await client.signIn('admin@maplegrove.test');
    const handoff = await client.get(`/classroom-add-on/handoff?${LAUNCH}`);
    const token = /data-token="([^"]+)"/.exec(handoff.html)![1]!;
    await db.services.sql`update classroom_add_on_handoffs set expires_at = now() - interval '1 second'`;
    expect((await exchange(token)).status).toBe(400);
  });

  it('the frame without a session offers the popup, from a script of our own origin', async () => {
    const res = await app.request(`/classroom-add-on/attachment-discovery?${LAUNCH}`);
    const html = await res.text();
    expect(html).toContain(`href="/classroom-add-on/popup?${LAUNCH.replaceAll('&', '&amp;')}"`);
    expect(html).toContain('data-add-on-popup');
    expect(html).toContain('<script src="/static/add-on.js" defer="">');
  });

  it('explains when no account is connected to that Google account, and signs nobody in', async () => {
    const client = new TestClient(app);
    const res = await signInWithGoogle(client, '200000003');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('No Rosterbridge account is connected to the Google account sam.rivera@gmail.test');
    expect(client.cookies.has('rb_session')).toBe(false);
  });

  it('a teacher already signed in is not asked again: straight to the hand-off', async () => {
    const res = await admin.request(`/classroom-add-on/popup?${LAUNCH}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('/classroom-add-on/handoff');
  });
});
