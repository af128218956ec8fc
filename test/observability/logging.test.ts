import { beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/env.js';
import { observedGoogleFetch } from '../../src/observability/google-calls.js';
import { TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, TEST_PASSWORD, type OrgFixture } from '../helpers/fixtures.js';
import { runDueJobs } from '../helpers/jobs.js';
import { capturingLogger, observedApp } from './observability-helpers.js';

const db = useTestDatabase();
let org: OrgFixture;
let passwordHash: string;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Logs' });
  await createAccount(db.services, org.organisationId, { email: 'learner.secret@logs.test', firstName: 'Zebulon', lastName: 'Quixote' });
  const [row] = await db.services.sql<
    { password_hash: string }[]
  >`select password_hash from accounts where email = 'learner.secret@logs.test'`;
  passwordHash = row!.password_hash;
  // A hash the hasher cannot read: signing in with it is an internal error, not a wrong password.
  await db.services.sql`
    insert into accounts (organisation_id, kind, first_name, last_name, email, password_hash)
    values (${org.organisationId}, 'user', 'Broken', 'Hash', 'broken@logs.test', '$argon2id$garbage')`;
});

describe('request log', () => {
  it('writes one line per request with its ids and pattern, and no secret of the request', async () => {
    const { logger, lines, records } = capturingLogger();
    const client = new TestClient(observedApp(db, logger));
    await client.get('/sign-in');
    const failed = await client.post('/sign-in', { email: 'learner.secret@logs.test', password: 'a-wrong-password-9' });
    expect(failed.status).toBe(400);
    await client.signIn('learner.secret@logs.test');
    const page = await client.request('/account?search=query-secret-value&token=abc123tokenvalue');
    expect(page.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const requests = records().filter((r) => r.msg === 'request');
    const account = requests.findLast((r) => r.route === '/account' && r.method === 'GET')!;
    expect(account).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/account',
      status: 200,
      organisationId: org.organisationId,
      requestId: page.headers.get('x-request-id'),
    });
    expect(typeof account.accountId).toBe('string');
    expect(typeof account.durationMs).toBe('number');
    expect(requests.find((r) => r.method === 'POST' && r.route === '/sign-in' && r.status === 400)).toBeTruthy();
    expect(records().find((r) => r.msg === 'sign-in failed')).toMatchObject({ reason: 'wrong_credentials' });

    const all = lines.join('\n');
    const session = client.cookies.get('rb_session')!;
    for (const secret of [
      'learner.secret@logs.test',
      'learner.secret',
      TEST_PASSWORD,
      'a-wrong-password-9',
      passwordHash,
      session,
      client.csrf,
      'query-secret-value',
      'abc123tokenvalue',
      'Zebulon',
      'Quixote',
    ]) {
      expect(all).not.toContain(secret);
    }
  });

  it('takes X-Request-Id from a trusted proxy only', async () => {
    const { logger } = capturingLogger();
    const untrusted = await observedApp(db, logger).request('/sign-in', { headers: { 'x-request-id': 'proxy-id-12345' } });
    expect(untrusted.headers.get('x-request-id')).not.toBe('proxy-id-12345');
    const trusted = observedApp(db, logger, { config: { env: parseEnv({ NODE_ENV: 'test', TRUST_PROXY: '1' }) } });
    expect((await trusted.request('/sign-in', { headers: { 'x-request-id': 'proxy-id-12345' } })).headers.get('x-request-id')).toBe(
      'proxy-id-12345',
    );
    const forged = await trusted.request('/sign-in', { headers: { 'x-request-id': 'bad id {"level":"fatal"}' } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('shows the request id on the error page and logs the failure safely, never as a wrong password', async () => {
    const { logger, records, lines } = capturingLogger();
    const client = new TestClient(observedApp(db, logger));
    await client.get('/sign-in');
    const res = await client.post('/sign-in', { email: 'broken@logs.test', password: 'some-password-1' });
    expect(res.status).toBe(500);
    const html = await res.text();
    const id = res.headers.get('x-request-id')!;
    expect(html).toContain('Something went wrong');
    expect(html).toContain(`Request id: <code>${id}</code>`);
    const failure = records().find((r) => r.msg === 'request failed')!;
    expect(failure).toMatchObject({ level: 'error', requestId: id, err: { type: 'PasswordCheckError' } });
    expect(lines.join('\n')).not.toContain('some-password-1');
    expect(lines.join('\n')).not.toContain('broken@logs.test');
  });
});

describe('job log', () => {
  it('writes one line per job run with task, job id, attempt, duration and outcome', async () => {
    const { logger, records } = capturingLogger();
    await db.services.sql`select graphile_worker.add_job('clean_up_sessions', '{}'::json)`;
    await db.services.sql`select graphile_worker.add_job('send_email', json_build_object('id', 'not-a-uuid'), max_attempts => 1)`;
    await runDueJobs(db, { services: { ...db.services, logger } });
    const runs = records().filter((r) => r.msg === 'job run');
    expect(runs.find((r) => r.task === 'clean_up_sessions')).toMatchObject({ outcome: 'success', attempt: 1, level: 'info' });
    const failed = runs.find((r) => r.task === 'send_email')!;
    expect(failed).toMatchObject({ outcome: 'failed for good', attempt: 1, level: 'warn' });
    expect(typeof failed.jobId).toBe('string');
    expect(typeof failed.durationMs).toBe('number');
  });
});

describe('Google call log', () => {
  it('writes one line per call with endpoint, status, duration and retry, without ids or query strings', async () => {
    const { logger, records, lines } = capturingLogger();
    const answers = [429, 200];
    const fetch = observedGoogleFetch(async () => new Response('{}', { status: answers.shift()! }), logger, null);
    const url = 'https://classroom.googleapis.com/v1/courses/123456789/students?pageSize=1000&access_token=ya29.secret';
    await fetch(url);
    await fetch(url);
    const calls = records().filter((r) => r.msg === 'google call');
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      endpoint: 'classroom.googleapis.com/v1/courses/:id/students',
      method: 'GET',
      status: 429,
      retry: false,
    });
    expect(calls[1]).toMatchObject({ status: 200, retry: true });
    expect(lines.join('\n')).not.toContain('ya29.secret');
    expect(lines.join('\n')).not.toContain('123456789');
  });
});
