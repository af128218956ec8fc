import { Hono } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import * as v from 'valibot';
import { googleConfig, SANDBOX_PATH } from '../../classroom/config.js';
import {
  activeFault,
  getCourse,
  getUserProfile,
  listCourses,
  listStudents,
  unauthenticated,
  type ApiAnswer,
} from '../../classroom/sandbox/classroom-api.js';
import {
  sandboxAddStudent,
  sandboxOverview,
  sandboxRemoveMany,
  sandboxRemoveStudent,
  sandboxRenameStudent,
  sandboxSetApiDisabled,
  sandboxSetFault,
} from '../../classroom/sandbox/controls.js';
import { ensureSandboxSeeded } from '../../classroom/sandbox/data.js';
import {
  checkAuthorizeRequest,
  issueCode,
  revokeEndpoint,
  sandboxCerts,
  sandboxJwks,
  SandboxOAuthError,
  tokenEndpoint,
  userForAccessToken,
  type AuthorizeRequest,
  type SandboxClient,
} from '../../classroom/sandbox/oauth.js';
import type { Sql } from '../../db/client.js';
import { ValidationError } from '../../errors.js';
import { SandboxAddOnFramePage, SandboxConsentPage, SandboxErrorPage, SandboxHomePage } from '../../../views/pages/google-sandbox.js';
import { fields, flag, list, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

/**
 * The built-in Google sandbox, served only while GOOGLE_CLIENT_ID is unset. Its token, revoke
 * and API endpoints are called server-to-server by google-auth-library and googleapis (the CSRF
 * middleware exempts exactly those); its pages carry the sandbox banner.
 */

function sandboxClient(c: AppContext): SandboxClient {
  const cfg = googleConfig(c.get('config').env, c.get('config').appUrl);
  return { clientId: cfg.clientId, clientSecret: cfg.clientSecret, redirectUri: cfg.redirectUri, issuer: cfg.issuers[0]! };
}

const AUTH_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'nonce',
  'login_hint',
  'access_type',
  'prompt',
  'include_granted_scopes',
];

const param = (label: string) => text(label, { max: 4096 });
const AuthParams = fields(
  Object.fromEntries(AUTH_PARAMS.map((name) => [name, param(name)])) as Record<(typeof AUTH_PARAMS)[number], ReturnType<typeof param>>,
);
const ConsentForm = v.object({
  ...AuthParams.entries,
  decision: param('decision'),
  account: param('account'),
  scopeChoice: param('scopeChoice'),
  granted: list(param('granted')),
});
/** The token endpoint reads what google-auth-library sends, by name, as plain strings. */
const TokenForm = v.record(v.string(), param('A token request field'));
const RevokeQuery = fields({ token: param('token') });
const CoursesQuery = fields({
  teacherId: param('teacherId'),
  courseStates: list(param('courseStates')),
  'courseStates[]': list(param('courseStates')),
  pageSize: param('pageSize'),
  pageToken: param('pageToken'),
});
const PageQuery = fields({ pageSize: param('pageSize'), pageToken: param('pageToken') });
const ApiId = v.object({ id: text('id', { max: 200 }) });
const DoneQuery = fields({ done: text('done') });
const AddForm = fields({ courseId: text('Course'), givenName: text('First name'), familyName: text('Last name'), email: text('Email') });
const RenameForm = fields({ userId: text('Student'), givenName: text('First name'), familyName: text('Last name') });
const RemoveManyForm = fields({ courseId: text('Course'), count: text('How many') });
const FaultForm = fields({ status: text('Status'), seconds: text('Seconds') });
const DisabledForm = fields({ disabled: flag });
const CourseParam = v.object({ courseId: text('Course', { max: 64 }) });

/** Present, non-empty values only (the sandbox's functions tell absent from given). */
function given<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== '')) as Partial<T>;
}

function authorizeRequest(get: (name: string) => string | undefined): AuthorizeRequest {
  return {
    clientId: get('client_id') ?? '',
    redirectUri: get('redirect_uri') ?? '',
    responseType: get('response_type') ?? '',
    scope: get('scope') ?? '',
    state: get('state') ?? '',
    codeChallenge: get('code_challenge') ?? '',
    codeChallengeMethod: get('code_challenge_method') ?? '',
    ...(get('nonce') ? { nonce: get('nonce')! } : {}),
  };
}

function answer(c: AppContext, a: ApiAnswer) {
  for (const [k, val] of Object.entries(a.headers ?? {})) c.header(k, val);
  return c.json(a.body as object, a.status as 200);
}

/** An API call: the bearer token names the Google user; a fault set on the control page answers first. */
async function apiCall(c: AppContext, fn: (sql: Sql, googleUserId: string) => Promise<ApiAnswer>) {
  const { sql } = c.get('services');
  const who = await userForAccessToken(sql, c.req.header('authorization') ?? null);
  if (!who) return answer(c, unauthenticated());
  const fault = await activeFault(sql);
  if (fault) return answer(c, fault);
  return answer(c, await fn(sql, who.userId));
}

function oauthError(c: AppContext, error: unknown) {
  if (error instanceof SandboxOAuthError) return c.json({ error: error.error, error_description: error.description }, error.status as 400);
  throw error;
}

function page(c: AppContext, content: JSX.Element, title: string) {
  return c.render(content, { title: `${title} · Google sandbox`, sandboxBanner: true });
}

const RosterForm = fields({ courseId: text('Course', { max: 20 }), userId: text('Student', { max: 20 }) });
const RosterIds = v.object({ courseId: v.pipe(v.string(), v.regex(/^\d{1,20}$/)), userId: v.pipe(v.string(), v.regex(/^\d{1,20}$/)) });

export const googleSandboxRoutes = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (c.get('config').env.GOOGLE_CLIENT_ID) return c.notFound();
    await ensureSandboxSeeded(c.get('services').sql);
    await next();
    // Machine answers are marked too, for anyone reading them in a proxy or a log.
    c.header('X-Google-Sandbox', 'demo data, not Google');
  })

  // OAuth on Google's URL layout (accounts.google.com/o/oauth2/v2/auth, oauth2.googleapis.com/token
  // and /revoke, www.googleapis.com/oauth2/v3/certs), below one origin.
  .get('/o/oauth2/v2/auth', input.query(AuthParams), async (c) => {
    // Like Google's sign-in, the consent page keeps a popup's opener (the add-on's sign-in popup posts back to its frame).
    c.header('Cross-Origin-Opener-Policy', 'unsafe-none');
    const query = c.req.valid('query');
    const req = authorizeRequest((n) => query[n as (typeof AUTH_PARAMS)[number]] || undefined);
    try {
      checkAuthorizeRequest(sandboxClient(c), req);
    } catch (error) {
      if (!(error instanceof SandboxOAuthError)) throw error;
      c.status(400);
      return page(c, <SandboxErrorPage error={error.error} description={error.description} />, 'Access blocked');
    }
    const { sql } = c.get('services');
    let accounts: { id: string; email: string; name: string; note: string | null }[] = await sql<
      { id: string; email: string; name: string; note: string | null }[]
    >`
      select id, email, given_name || ' ' || family_name as name, note from google_sandbox_users where sign_in_choice order by id`;
    const hint = query.login_hint;
    if (hint)
      accounts = [
        ...accounts.filter((a) => a.id === hint || a.email === hint),
        ...accounts.filter((a) => a.id !== hint && a.email !== hint),
      ];
    const params: Record<string, string> = {};
    for (const name of AUTH_PARAMS) {
      if (query[name]) params[name] = query[name];
    }
    return page(
      c,
      <SandboxConsentPage
        csrfToken={c.get('csrfToken')}
        params={params}
        accounts={accounts}
        scopes={req.scope.split(' ').filter(Boolean)}
        clientName="Rosterbridge"
      />,
      'Sign in',
    );
  })
  .post('/o/oauth2/v2/auth', input.form(ConsentForm), async (c) => {
    const form = c.req.valid('form');
    const req = authorizeRequest((n) => ((form as Record<string, unknown>)[n] as string) || undefined);
    const client = sandboxClient(c);
    try {
      checkAuthorizeRequest(client, req);
      const target = new URL(req.redirectUri);
      if (form.decision !== 'allow') {
        target.searchParams.set('error', 'access_denied');
      } else {
        const { sql } = c.get('services');
        const [user] = await sql<{ id: string }[]>`select id from google_sandbox_users where id = ${form.account} and sign_in_choice`;
        if (!user) throw new SandboxOAuthError('invalid_request', 'Choose one of the demo accounts.');
        // Like Google's granular consent: the Classroom permissions can be unticked.
        const requested = req.scope.split(' ').filter(Boolean);
        const granted = form.scopeChoice ? requested.filter((x) => !x.includes('classroom') || form.granted.includes(x)) : requested;
        const scope = granted.join(' ');
        target.searchParams.set('code', await issueCode(sql, client, { ...req, scope }, user.id));
        target.searchParams.set('scope', scope);
      }
      if (req.state) target.searchParams.set('state', req.state);
      return c.redirect(target.toString(), 302);
    } catch (error) {
      if (!(error instanceof SandboxOAuthError)) throw error;
      c.status(400);
      return page(c, <SandboxErrorPage error={error.error} description={error.description} />, 'Access blocked');
    }
  })
  .post('/token', input.form(TokenForm), async (c) => {
    const form = c.req.valid('form');
    try {
      return c.json(await tokenEndpoint(c.get('services').sql, sandboxClient(c), form, c.req.header('authorization') ?? null));
    } catch (error) {
      return oauthError(c, error);
    }
  })
  .post('/revoke', input.query(RevokeQuery), input.form(RevokeQuery), async (c) => {
    const token = c.req.valid('query').token || c.req.valid('form').token;
    try {
      await revokeEndpoint(c.get('services').sql, token);
      return c.json({});
    } catch (error) {
      return oauthError(c, error);
    }
  })
  .get('/oauth2/v3/certs', async (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(await sandboxJwks(c.get('services').sql));
  })
  .get('/oauth2/v1/certs', async (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(await sandboxCerts(c.get('services').sql));
  })

  // The Classroom API (googleapis calls these with rootUrl = <origin>/google-sandbox/).
  .get('/v1/courses', input.query(CoursesQuery), (c) => {
    const query = c.req.valid('query');
    const { teacherId, pageSize, pageToken } = given({ teacherId: query.teacherId, pageSize: query.pageSize, pageToken: query.pageToken });
    return apiCall(c, (sql, user) =>
      listCourses(sql, user, {
        ...(teacherId ? { teacherId } : {}),
        courseStates: [...query.courseStates, ...query['courseStates[]']],
        ...(pageSize ? { pageSize } : {}),
        ...(pageToken ? { pageToken } : {}),
      }),
    );
  })
  .get('/v1/courses/:id', input.param(ApiId), (c) => apiCall(c, (sql, user) => getCourse(sql, user, c.req.valid('param').id)))
  .get('/v1/courses/:id/students', input.param(ApiId), input.query(PageQuery), (c) =>
    apiCall(c, (sql, user) => listStudents(sql, user, c.req.valid('param').id, given(c.req.valid('query')))),
  )
  .get('/v1/userProfiles/:id', input.param(ApiId), (c) => apiCall(c, (sql, user) => getUserProfile(sql, user, c.req.valid('param').id)))

  // The control page: rosters and faults, for signed-in administrators.
  .get('/', requireSignedIn(), requireAdministrator(), input.query(DoneQuery), async (c) => {
    const overview = await sandboxOverview(c.get('services').sql);
    return page(
      c,
      <SandboxHomePage
        csrfToken={c.get('csrfToken')}
        overview={overview}
        notice={c.req.valid('query').done || null}
        appOrigin={c.get('config').appUrl}
      />,
      'Google sandbox',
    );
  })
  .post('/controls/add', requireSignedIn(), requireAdministrator(), input.form(AddForm), async (c) => {
    const form = c.req.valid('form');
    await sandboxAddStudent(c.get('services').sql, form);
    return c.redirect(`${SANDBOX_PATH}?done=${encodeURIComponent('Student added.')}#course-${encodeURIComponent(form.courseId)}`, 303);
  })
  .post('/controls/rename', requireSignedIn(), requireAdministrator(), input.form(RenameForm), async (c) => {
    await sandboxRenameStudent(c.get('services').sql, c.req.valid('form'));
    return c.redirect(`${SANDBOX_PATH}?done=${encodeURIComponent('Student renamed.')}`, 303);
  })
  .post('/controls/remove', requireSignedIn(), requireAdministrator(), input.form(RosterForm), async (c) => {
    const parsed = v.safeParse(RosterIds, c.req.valid('form'));
    if (!parsed.success) throw new ValidationError('Choose a course and a student.');
    await sandboxRemoveStudent(c.get('services').sql, parsed.output.courseId, parsed.output.userId);
    return c.redirect(
      `${SANDBOX_PATH}?done=${encodeURIComponent('Student removed from the course.')}#course-${parsed.output.courseId}`,
      303,
    );
  })
  .post('/controls/remove-many', requireSignedIn(), requireAdministrator(), input.form(RemoveManyForm), async (c) => {
    const form = c.req.valid('form');
    const count = /^\d{1,6}$/.test(form.count) ? Number(form.count) : 0;
    if (count < 1) throw new ValidationError('Enter how many students to remove (1 to 999999).');
    await sandboxRemoveMany(c.get('services').sql, form.courseId, count);
    return c.redirect(`${SANDBOX_PATH}?done=${encodeURIComponent(`${count} students removed from the course.`)}`, 303);
  })
  .post('/controls/fault', requireSignedIn(), requireAdministrator(), input.form(FaultForm), async (c) => {
    const form = c.req.valid('form');
    const status = form.status === 'none' ? null : Number(form.status);
    if (status !== null && !(Number.isInteger(status) && status >= 400 && status <= 599))
      throw new ValidationError('Choose an error status from the list.');
    const seconds = Math.min(3600, Math.max(1, Number(form.seconds) || 30));
    await sandboxSetFault(c.get('services').sql, status, seconds);
    return c.redirect(
      `${SANDBOX_PATH}?done=${encodeURIComponent(status ? `The API now answers ${status} for ${seconds} seconds.` : 'The API answers normally.')}`,
      303,
    );
  })
  .post('/controls/api-disabled', requireSignedIn(), requireAdministrator(), input.form(DisabledForm), async (c) => {
    await sandboxSetApiDisabled(c.get('services').sql, c.req.valid('form').disabled);
    return c.redirect(`${SANDBOX_PATH}?done=${encodeURIComponent('Saved.')}`, 303);
  })

  // Plays Classroom opening the add-on's attachment discovery page in a frame. The frame's address
  // is the service's own (APP_URL), so this page opened on another origin frames it cross-site.
  .get('/classroom/:courseId/add-on', input.param(CourseParam), async (c) => {
    const { sql } = c.get('services');
    const [course] = await sql<{ id: string; name: string; owner_id: string; email: string }[]>`
      select c.id, c.name, c.owner_id, u.email from google_sandbox_courses c join google_sandbox_users u on u.id = c.owner_id
      where c.id = ${c.req.valid('param').courseId}`;
    if (!course) return c.notFound();
    // Opened on another origin than APP_URL (localhost against 127.0.0.1), it frames the service
    // cross-site, as Classroom does; like Classroom, it lets the add-on's sign-in popup keep its opener.
    const appOrigin = new URL(c.get('config').appUrl).origin;
    c.set('frameSrc', appOrigin);
    c.header('Cross-Origin-Opener-Policy', 'same-origin-allow-popups');
    const params = new URLSearchParams({
      courseId: course.id,
      itemId: `sbx-item-${course.id}`,
      addOnToken: `sbx-addon-${crypto.randomUUID()}`,
      login_hint: course.owner_id,
    });
    return page(
      c,
      <SandboxAddOnFramePage
        courseName={course.name}
        teacherEmail={course.email}
        frameUrl={`${c.get('config').appUrl.replace(/\/+$/, '')}/classroom-add-on/attachment-discovery?${params}`}
      />,
      course.name,
    );
  });
