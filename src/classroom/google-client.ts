import { CodeChallengeMethod, type Credentials, OAuth2Client } from 'google-auth-library';
import { classroom_v1 } from 'googleapis/build/src/apis/classroom/v1.js';
import { GOOGLE_SCOPES, type GoogleConfig } from './config.js';
import { verifyIdToken } from './id-token.js';
import { ClassroomAccessError, ClassroomCourseGoneError, GoogleReconnectNeededError, GoogleUnavailableError } from './errors.js';

/**
 * The one place that talks to Google: OAuth (consent URL, code exchange, ID token, revoke) and
 * the Classroom calls we make, with field masks and the largest page size so a roster costs as
 * few requests as Google allows. Errors come out as the typed errors of ./errors.ts.
 */

/** The largest page size Classroom accepts; it may return fewer, and we follow nextPageToken. */
export const MAX_PAGE_SIZE = 1000;
const COURSE_FIELDS = 'nextPageToken,courses(id,name,section,courseState,ownerId)';
const STUDENT_FIELDS = 'nextPageToken,students(userId,profile(id,name(givenName,familyName,fullName),emailAddress))';

export interface GoogleCourse {
  id: string;
  name: string;
  section: string | null;
  state: string;
  ownerId: string | null;
}

export interface GoogleStudent {
  googleUserId: string;
  firstName: string;
  lastName: string;
  /** null when Classroom does not share the student's email with the teacher. */
  email: string | null;
}

export interface GoogleIdentity {
  googleUserId: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spaces requests per Google user so we stay under Google's per-user rate (20/s) in this process. */
const nextSlot = new Map<string, number>();
async function takeSlot(key: string, perSecond: number): Promise<void> {
  const interval = 1000 / perSecond;
  const now = Date.now();
  const at = Math.max(now, nextSlot.get(key) ?? 0);
  nextSlot.set(key, at + interval);
  if (nextSlot.size > 10_000) nextSlot.clear();
  if (at > now) await sleep(at - now);
}

function rateLimitedFetch(cfg: GoogleConfig, key: string): typeof fetch {
  return async (input, init) => {
    await takeSlot(key, cfg.requestsPerSecond);
    return cfg.fetch(input, init);
  };
}

interface GoogleishError {
  status?: number;
  code?: number | string;
  message?: string;
  response?: { status?: number; data?: unknown; headers?: Headers | Record<string, string> };
  config?: { retryConfig?: { currentRetryAttempt?: number } };
}

function headerOf(headers: Headers | Record<string, string> | undefined, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  return (headers as Record<string, string>)[name] ?? null;
}

/** gaxios retry settings: 429 and 5xx, exponential backoff with jitter, Retry-After honoured. */
function retryConfig(cfg: GoogleConfig) {
  return {
    retry: cfg.retries,
    noResponseRetries: 2,
    httpMethodsToRetry: ['GET', 'HEAD', 'OPTIONS'],
    statusCodesToRetry: [
      [429, 429],
      [500, 599],
    ],
    retryBackoff: async (err: GoogleishError) => {
      const attempt = Math.max(1, err.config?.retryConfig?.currentRetryAttempt ?? 1);
      const retryAfter = Number(headerOf(err.response?.headers, 'retry-after'));
      const base = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : cfg.retryDelayMs * 2 ** (attempt - 1);
      // Full jitter around the exponential step, so many syncs do not retry in lockstep.
      await sleep(Math.min(30_000, base / 2 + Math.random() * base));
    },
  };
}

function oauthClient(cfg: GoogleConfig, fetchImpl: typeof fetch): OAuth2Client {
  return new OAuth2Client({
    clientId: cfg.clientId,
    clientSecret: cfg.clientSecret,
    redirectUri: cfg.redirectUri,
    endpoints: {
      oauth2AuthBaseUrl: cfg.authUrl,
      oauth2TokenUrl: cfg.tokenUrl,
      oauth2RevokeUrl: cfg.revokeUrl,
    },
    transporterOptions: { fetchImplementation: fetchImpl },
  });
}

/** The consent-screen URL: offline access (a refresh token), PKCE S256, our state. */
export function buildAuthUrl(
  cfg: GoogleConfig,
  input: { state: string; codeChallenge: string; loginHint?: string | null; signInOnly?: boolean },
): string {
  return oauthClient(cfg, cfg.fetch).generateAuthUrl({
    // Signing in only needs who you are; connecting needs Classroom and a refresh token.
    ...(input.signInOnly ? { scope: ['openid', 'email', 'profile'] } : { access_type: 'offline', prompt: 'consent', scope: GOOGLE_SCOPES }),
    include_granted_scopes: true,
    state: input.state,
    code_challenge: input.codeChallenge,
    code_challenge_method: CodeChallengeMethod.S256,
    ...(input.loginHint ? { login_hint: input.loginHint } : {}),
  });
}

/** A PKCE verifier and its S256 challenge. */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const result = await new OAuth2Client().generateCodeVerifierAsync();
  return { verifier: result.codeVerifier, challenge: result.codeChallenge! };
}

/** The token endpoint refused the code (or could not be reached); `error` is Google's OAuth error code. */
export class OAuthExchangeError extends Error {
  constructor(readonly error: string) {
    super(EXCHANGE_WORDS[error] ?? `Google refused the sign-in (${error})`);
  }
}

const EXCHANGE_WORDS: Record<string, string> = {
  invalid_grant: 'Google did not accept the sign-in code (it was used already, or it expired)',
  invalid_client: 'Google did not recognise this installation’s OAuth client (check GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET)',
  redirect_uri_mismatch: 'Google says the redirect address does not match the one registered for this installation',
  unreachable: 'Google’s token endpoint could not be reached',
  no_id_token: 'Google did not say who signed in (no ID token came back)',
};

export interface CodeExchange {
  identity: GoogleIdentity;
  refreshToken: string | null;
  accessToken: string | null;
  expiresAt: number | null;
  scopes: string[];
}

/** Trades the code for tokens and reads who signed in from the verified ID token (IdTokenError when it fails a check). */
export async function exchangeCode(cfg: GoogleConfig, input: { code: string; codeVerifier: string }): Promise<CodeExchange> {
  const client = oauthClient(cfg, cfg.fetch);
  let tokens: Credentials;
  try {
    ({ tokens } = await client.getToken({ code: input.code, codeVerifier: input.codeVerifier }));
  } catch (error) {
    const e = error as GoogleishError;
    const data = e.response?.data as { error?: string } | undefined;
    throw new OAuthExchangeError(data?.error ?? (e.response ? 'token_exchange_failed' : 'unreachable'));
  }
  if (!tokens.id_token) throw new OAuthExchangeError('no_id_token');
  const claims = await verifyIdToken(cfg, tokens.id_token);
  return {
    identity: { googleUserId: claims.sub, email: claims.email, emailVerified: claims.emailVerified, name: claims.name },
    refreshToken: tokens.refresh_token ?? null,
    accessToken: tokens.access_token ?? null,
    expiresAt: tokens.expiry_date ?? null,
    scopes: (tokens.scope ?? '').split(' ').filter(Boolean),
  };
}

/** Withdraws the consent at Google. A token Google already forgot counts as revoked. */
export async function revokeToken(cfg: GoogleConfig, token: string): Promise<void> {
  try {
    await oauthClient(cfg, cfg.fetch).revokeToken(token);
  } catch (error) {
    const status = (error as GoogleishError).response?.status;
    if (status === 400) return;
    throw new GoogleUnavailableError(status ?? null);
  }
}

/** Access tokens by connection, reused across jobs in this process until shortly before they expire. */
const accessTokens = new Map<string, { token: string; expiresAt: number }>();

/** Identifies a connection's token in the access-token cache; a new refresh token starts a new entry. */
export function connectionCacheKey(connectionId: string, refreshTokenEncrypted: string): string {
  return `${connectionId}:${refreshTokenEncrypted.slice(-16)}`;
}

/** The code exchange's access token is good for an hour: the first Classroom calls use it instead of refreshing. */
export function rememberAccessToken(cacheKey: string, token: string | null, expiresAt: number | null): void {
  if (token && expiresAt) accessTokens.set(cacheKey, { token, expiresAt });
}

/** Translates a failed Google call into one of our typed errors. */
export function toGoogleError(error: unknown): Error {
  const e = error as GoogleishError;
  const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : undefined);
  const data = e.response?.data as { error?: string | { message?: string; status?: string; details?: { reason?: string }[] } } | undefined;
  const oauthError = typeof data?.error === 'string' ? data.error : null;
  if (oauthError === 'invalid_grant' || /invalid_grant/.test(e.message ?? '')) return new GoogleReconnectNeededError();
  const apiError = typeof data?.error === 'object' ? data.error : null;
  const message = apiError?.message ?? '';
  if (status === 403) {
    const scopeReasons = (apiError?.details ?? []).map((d) => d.reason);
    if (scopeReasons.includes('ACCESS_TOKEN_SCOPE_INSUFFICIENT') || /insufficient authentication scopes/i.test(message)) {
      return new GoogleReconnectNeededError(
        'Rosterbridge was not given permission to read your classes and rosters. Connect to Google Classroom again and allow every permission it asks for.',
      );
    }
    if (message.startsWith('@ClassroomApiDisabled')) {
      return new ClassroomAccessError(
        'Google says your account is not allowed to use the Classroom API. Ask your Google Workspace administrator to turn on Classroom data access for your account (Admin console: Apps > Google Workspace > Classroom > Data access), or connect with your school Google account.',
        'ClassroomApiDisabled',
      );
    }
    if (message.startsWith('@ClassroomDisabled')) {
      return new ClassroomAccessError(
        'Google Classroom is turned off for this Google account. Check that you connected your school Google account; if so, ask your Google Workspace administrator to turn on Classroom for you.',
        'ClassroomDisabled',
      );
    }
    const reasons = (apiError?.details ?? []).map((d) => d.reason);
    if (reasons.includes('SERVICE_DISABLED') || /has not been used in project|is disabled/i.test(message)) {
      return new ClassroomAccessError(
        'The Google Classroom API is not enabled for this Rosterbridge installation. Your Rosterbridge operator has to enable it in the Google Cloud console.',
        'ApiNotEnabled',
      );
    }
    return new ClassroomCourseGoneError();
  }
  if (status === 404) return new ClassroomCourseGoneError();
  if (status === 401) return new GoogleReconnectNeededError();
  if (status === 429 || (status !== undefined && status >= 500) || status === undefined) return new GoogleUnavailableError(status ?? null);
  return new GoogleUnavailableError(status);
}

export interface ClassroomClient {
  /** The teacher's courses in the given states, every page. */
  listTeacherCourses(states?: string[]): Promise<GoogleCourse[]>;
  /** Every student of a course, every page. */
  listStudents(courseId: string): Promise<GoogleStudent[]>;
  getCourse(courseId: string): Promise<GoogleCourse>;
}

/** The OAuth client of one connection, its access token reused from (and kept in) the process's cache. */
function connectionAuth(cfg: GoogleConfig, input: { refreshToken: string; cacheKey: string }, fetchImpl: typeof fetch): OAuth2Client {
  const auth = oauthClient(cfg, fetchImpl);
  const cached = accessTokens.get(input.cacheKey);
  auth.setCredentials({
    refresh_token: input.refreshToken,
    ...(cached && cached.expiresAt > Date.now() + 60_000 ? { access_token: cached.token, expiry_date: cached.expiresAt } : {}),
  });
  auth.on('tokens', (tokens) => {
    if (tokens.access_token && tokens.expiry_date)
      accessTokens.set(input.cacheKey, { token: tokens.access_token, expiresAt: tokens.expiry_date });
  });
  return auth;
}

/** Every page of a list call, in order. */
async function allPages<Item, Page extends { nextPageToken?: string | null }>(
  fetchPage: (pageToken: string | undefined) => Promise<Page>,
  itemsOf: (page: Page) => Item[],
): Promise<Item[]> {
  const out: Item[] = [];
  let pageToken: string | undefined;
  do {
    const page = await fetchPage(pageToken);
    out.push(...itemsOf(page));
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  return out;
}

function courseOf(c: classroom_v1.Schema$Course, fallbackId = ''): GoogleCourse {
  return {
    id: c.id ?? fallbackId,
    name: c.name ?? '(untitled class)',
    section: c.section ?? null,
    state: c.courseState ?? 'ACTIVE',
    ownerId: c.ownerId ?? null,
  };
}

function studentOf(s: classroom_v1.Schema$Student): GoogleStudent | null {
  const id = s.userId ?? s.profile?.id;
  if (!id) return null;
  const name = s.profile?.name;
  const [given, ...rest] = (name?.fullName ?? '').split(' ');
  return {
    googleUserId: id,
    firstName: (name?.givenName ?? given ?? '').trim() || '(no first name)',
    lastName: (name?.familyName ?? rest.join(' ')).trim() || '(no last name)',
    email: s.profile?.emailAddress?.trim() || null,
  };
}

/**
 * A Classroom client for one connection. `cacheKey` identifies the connection (its access token is
 * reused across calls and jobs in this process); `refreshToken` is the decrypted refresh token.
 */
export function classroomClient(cfg: GoogleConfig, input: { refreshToken: string; cacheKey: string; rateKey: string }): ClassroomClient {
  const fetchImpl = rateLimitedFetch(cfg, input.rateKey);
  const api = new classroom_v1.Classroom({
    // googleapis-common pins its own copy of google-auth-library; the client is used by duck typing.
    auth: connectionAuth(cfg, input, fetchImpl) as never,
    fetchImplementation: fetchImpl,
    retry: true,
    retryConfig: retryConfig(cfg),
  });

  // rootUrl per call: googleapis resolves a global rootUrl against the origin only, which would drop
  // a path such as the sandbox's /google-sandbox/.
  const at = { rootUrl: cfg.apiRoot };
  const page = (pageToken: string | undefined) => (pageToken ? { pageToken } : {});

  async function call<T>(fn: () => Promise<{ data: T }>): Promise<T> {
    try {
      return (await fn()).data;
    } catch (error) {
      const mapped = toGoogleError(error);
      if (mapped instanceof GoogleReconnectNeededError) accessTokens.delete(input.cacheKey);
      throw mapped;
    }
  }

  return {
    listTeacherCourses: (states = ['ACTIVE']) =>
      allPages(
        (token) =>
          call(() =>
            api.courses.list({ teacherId: 'me', courseStates: states, pageSize: MAX_PAGE_SIZE, fields: COURSE_FIELDS, ...page(token) }, at),
          ),
        (data) => (data.courses ?? []).filter((c) => c.id).map((c) => courseOf(c)),
      ),
    listStudents: (courseId) =>
      allPages(
        (token) => call(() => api.courses.students.list({ courseId, pageSize: MAX_PAGE_SIZE, fields: STUDENT_FIELDS, ...page(token) }, at)),
        (data) => (data.students ?? []).map(studentOf).filter((s): s is GoogleStudent => s !== null),
      ),
    async getCourse(courseId) {
      return courseOf(await call(() => api.courses.get({ id: courseId, fields: 'id,name,section,courseState,ownerId' }, at)), courseId);
    },
  };
}
