import { setupServer } from 'msw/node';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classroomClientFor } from '../../src/classroom/connection.js';
import type { AppEnv } from '../../src/http/types.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { classroomApp, connectedClient, ORIGIN, testGoogleConfig } from './classroom-fixture.js';
import { classroomEnv, sandboxNetwork } from './sandbox-network.js';

const db = useTestDatabase();
let app: Hono<AppEnv>;
let calls: string[] = [];
const server = setupServer(...sandboxNetwork(() => app, ORIGIN));
let org: OrgFixture;
let admin: TestClient;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', ({ request }) => void calls.push(new URL(request.url).pathname));
  app = classroomApp(db);
  org = await createOrganisation(db.services, { name: 'Maple Grove' });
  await createAccount(db.services, org.organisationId, { email: 'learner@maplegrove.test' });
  admin = await connectedClient(app, 'admin@maplegrove.test', '200000001');
});
afterAll(() => server.close());

const client = () => classroomClientFor(db.services, testGoogleConfig(), org.systemAdmin.id);

describe('the Google sandbox, through the real googleapis client', () => {
  it('serves a roster longer than one page over two pages', async () => {
    const c = await client();
    calls = [];
    const students = await c.listStudents('600000002');
    expect(students).toHaveLength(64);
    expect(new Set(students.map((s) => s.googleUserId)).size).toBe(64);
    expect(calls.filter((p) => p.endsWith('/students'))).toHaveLength(2);
  });

  it('hides some students’ emails, lists archived courses only when asked, and has a student in two courses', async () => {
    const c = await client();
    const study = await c.listStudents('600000004');
    expect(study.filter((s) => s.email === null)).toHaveLength(3);
    const career = await c.listStudents('600000001');
    expect(study.some((s) => career.some((k) => k.googleUserId === s.googleUserId))).toBe(true);
    const active = await c.listTeacherCourses(['ACTIVE']);
    expect(active.map((x) => x.name)).not.toContain('Financial Literacy 2024');
    const all = await c.listTeacherCourses(['ACTIVE', 'ARCHIVED']);
    expect(all.find((x) => x.name === 'Financial Literacy 2024')!.state).toBe('ARCHIVED');
    expect((await c.getCourse('600000001')).name).toBe('Career Exploration');
  });

  it('refuses API calls without a valid access token', async () => {
    const res = await app.request('/google-sandbox/v1/courses', { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-google-sandbox')).toBe('demo data, not Google');
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
  });

  it('marks every page it serves as a sandbox; its controls are for administrators only', async () => {
    const pages = ['/google-sandbox', '/google-sandbox/classroom/600000001/add-on'];
    for (const p of pages) expect((await admin.get(p)).html).toContain('Google sandbox: demo data, not Google');
    const bad = await admin.get('/google-sandbox/o/oauth2/v2/auth?client_id=someone-else');
    expect(bad.res.status).toBe(400);
    expect(bad.html).toContain('Google sandbox: demo data, not Google');
    const learner = new TestClient(app);
    await learner.signIn('learner@maplegrove.test');
    expect((await learner.get('/google-sandbox')).res.status).toBe(404);
  });

  it('serves Google’s URL layout, and the default configuration reads the JSON Web Key Set there', async () => {
    const jwks = await app.request('/google-sandbox/oauth2/v3/certs');
    expect(jwks.status).toBe(200);
    const { keys } = (await jwks.json()) as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String), n: expect.any(String), e: 'AQAB' });
    const token = await app.request('/google-sandbox/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=nope',
    });
    expect(token.status).toBeGreaterThanOrEqual(400);
    expect(((await token.json()) as { error: string }).error).toMatch(/^invalid_/);
    const revoke = await app.request('/google-sandbox/revoke?token=unknown', { method: 'POST' });
    expect(revoke.headers.get('content-type')).toContain('application/json');
    const cfg = testGoogleConfig();
    expect([cfg.authUrl, cfg.tokenUrl, cfg.revokeUrl, cfg.certsUrl].map((u) => new URL(u).pathname)).toEqual([
      '/google-sandbox/o/oauth2/v2/auth',
      '/google-sandbox/token',
      '/google-sandbox/revoke',
      '/google-sandbox/oauth2/v3/certs',
    ]);
  });

  it('is not served when a real Google client is configured', async () => {
    const real = createTestApp(db, { env: classroomEnv({ GOOGLE_CLIENT_ID: 'x.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 's' }) });
    expect((await real.request('/google-sandbox/oauth2/v3/certs')).status).toBe(404);
  });
});
