import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { googleConfig } from '../../src/classroom/config.js';
import { ClassroomAccessError, GoogleReconnectNeededError, GoogleUnavailableError } from '../../src/classroom/errors.js';
import { classroomClient, MAX_PAGE_SIZE } from '../../src/classroom/google-client.js';
import { parseEnv } from '../../src/env.js';
import { GOOGLE_TEST_API, GOOGLE_TEST_OAUTH, googleHandlers, googleMockState, student, type GoogleMockState } from '../mocks/google.js';

const state: GoogleMockState = googleMockState();
const server = setupServer(...googleHandlers(state));
let n = 0;

const cfg = googleConfig(
  parseEnv({
    NODE_ENV: 'test',
    GOOGLE_CLIENT_ID: 'client.apps.googleusercontent.com',
    GOOGLE_CLIENT_SECRET: 'secret',
    GOOGLE_OAUTH_BASE_URL: GOOGLE_TEST_OAUTH,
    GOOGLE_API_ROOT: GOOGLE_TEST_API,
    GOOGLE_REQUESTS_PER_SECOND: '1000',
  }),
  'https://roster.example',
  { retryDelayMs: 5 },
);

/** A client with its own token cache entry, so each test starts with a token refresh. */
const client = () => classroomClient(cfg, { refreshToken: '1//refresh', cacheKey: `t${++n}`, rateKey: `r${n}` });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  Object.assign(state, googleMockState());
});

const apiCalls = () => state.requests.filter((r) => r.path.startsWith('/v1/'));

describe('Classroom client layer', () => {
  it('reads every page of courses, asking for the largest page and only the fields it uses', async () => {
    state.pageMax = 2;
    state.courses = [1, 2, 3, 4, 5].map((i) => ({ id: `c${i}`, name: `Class ${i}`, courseState: 'ACTIVE', ownerId: 't1' }));
    const courses = await client().listTeacherCourses();
    expect(courses.map((c) => c.id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    const calls = apiCalls();
    expect(calls).toHaveLength(3);
    expect(calls[0]!.query).toMatchObject({
      teacherId: ['me'],
      courseStates: ['ACTIVE'],
      pageSize: [String(MAX_PAGE_SIZE)],
      fields: ['nextPageToken,courses(id,name,section,courseState,ownerId)'],
    });
    expect(calls[1]!.query.pageToken).toEqual(['2']);
    // The token endpoint was called once for the three pages.
    expect(state.requests.filter((r) => r.path === '/token')).toHaveLength(1);
  });

  it('reads every page of a roster and keeps students whose email is hidden, without an email', async () => {
    state.pageMax = 2;
    state.students.c1 = [
      student('s1', 'Ana', 'Lopez', 'ana@school.test'),
      student('s2', 'Ben', 'Okafor'),
      student('s3', 'Cy', 'Park', 'cy@school.test'),
    ];
    const roster = await client().listStudents('c1');
    expect(roster).toEqual([
      { googleUserId: 's1', firstName: 'Ana', lastName: 'Lopez', email: 'ana@school.test' },
      { googleUserId: 's2', firstName: 'Ben', lastName: 'Okafor', email: null },
      { googleUserId: 's3', firstName: 'Cy', lastName: 'Park', email: 'cy@school.test' },
    ]);
    expect(apiCalls()).toHaveLength(2);
    expect(apiCalls()[0]!.query.fields).toEqual([
      'nextPageToken,students(userId,profile(id,name(givenName,familyName,fullName),emailAddress))',
    ]);
  });

  it('retries a 429 (and a 503) with backoff, then succeeds', async () => {
    state.students.c1 = [student('s1', 'Ana', 'Lopez', 'ana@school.test')];
    state.script.push({
      prefix: '/v1/courses/c1',
      status: 429,
      body: { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } },
    });
    state.script.push({
      prefix: '/v1/courses/c1',
      status: 503,
      body: { error: { code: 503, message: 'Unavailable', status: 'UNAVAILABLE' } },
    });
    const roster = await client().listStudents('c1');
    expect(roster).toHaveLength(1);
    expect(apiCalls()).toHaveLength(3);
  });

  it('gives up after its retries with a GoogleUnavailableError (the job queue retries later)', async () => {
    for (let i = 0; i < 10; i++) state.script.push({ prefix: '/v1/courses', status: 500, body: { error: { code: 500, message: 'boom' } } });
    await expect(client().listTeacherCourses()).rejects.toBeInstanceOf(GoogleUnavailableError);
    expect(apiCalls()).toHaveLength(1 + cfg.retries);
  });

  it('turns invalid_grant from the token endpoint into GoogleReconnectNeededError, without retrying', async () => {
    state.tokenAnswer = { status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } };
    await expect(client().listTeacherCourses()).rejects.toBeInstanceOf(GoogleReconnectNeededError);
    expect(apiCalls()).toHaveLength(0);
  });

  it('explains a 403 ClassroomApiDisabled clearly, without retrying', async () => {
    state.script.push({
      prefix: '/v1/courses',
      status: 403,
      body: {
        error: {
          code: 403,
          message: '@ClassroomApiDisabled The user is not permitted to access the Classroom API.',
          errors: [
            {
              message: '@ClassroomApiDisabled The user is not permitted to access the Classroom API.',
              domain: 'global',
              reason: 'forbidden',
            },
          ],
          status: 'PERMISSION_DENIED',
        },
      },
    });
    const error = await client()
      .listTeacherCourses()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClassroomAccessError);
    expect((error as ClassroomAccessError).reason).toBe('ClassroomApiDisabled');
    expect((error as Error).message).toMatch(/not allowed to use the Classroom API.*Google Workspace administrator/);
    expect(apiCalls()).toHaveLength(1);
  });

  it('asks for a new connection when the token lacks the Classroom scopes', async () => {
    state.script.push({
      prefix: '/v1/courses',
      status: 403,
      body: {
        error: {
          code: 403,
          message: 'Request had insufficient authentication scopes.',
          status: 'PERMISSION_DENIED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' }],
        },
      },
    });
    const error = await client()
      .listTeacherCourses()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoogleReconnectNeededError);
    expect((error as Error).message).toMatch(/allow every permission/);
  });

  it('says so when the Classroom API is not enabled for the project', async () => {
    state.script.push({
      prefix: '/v1/courses',
      status: 403,
      body: {
        error: {
          code: 403,
          message: 'Google Classroom API has not been used in project 123 before or it is disabled.',
          status: 'PERMISSION_DENIED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'SERVICE_DISABLED' }],
        },
      },
    });
    const error = await client()
      .listTeacherCourses()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClassroomAccessError);
    expect((error as ClassroomAccessError).reason).toBe('ApiNotEnabled');
  });

  it('stays under the per-user request rate', async () => {
    const slow = googleConfig(
      parseEnv({
        NODE_ENV: 'test',
        GOOGLE_CLIENT_ID: 'x',
        GOOGLE_OAUTH_BASE_URL: GOOGLE_TEST_OAUTH,
        GOOGLE_API_ROOT: GOOGLE_TEST_API,
        GOOGLE_REQUESTS_PER_SECOND: '20',
      }),
      'https://roster.example',
    );
    state.pageMax = 1;
    state.courses = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({ id: `c${i}`, name: `Class ${i}`, courseState: 'ACTIVE', ownerId: 't1' }));
    const started = Date.now();
    await classroomClient(slow, { refreshToken: '1//r', cacheKey: 'rate', rateKey: 'rate-user' }).listTeacherCourses();
    // 10 requests (token + 9 pages) at 20 per second take at least 450 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(440);
  });
});
