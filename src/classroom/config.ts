import type { Env } from '../env.js';

/** The OAuth scopes the article's "allow access to your Google Classroom" asks for. */
export const GOOGLE_SCOPES = [
  'openid',
  'email',
  'profile',
  'https://www.googleapis.com/auth/classroom.courses.readonly',
  'https://www.googleapis.com/auth/classroom.rosters.readonly',
  'https://www.googleapis.com/auth/classroom.profile.emails',
];

/** Where the sandbox lives on our own origin. */
export const SANDBOX_PATH = '/google-sandbox';
export const SANDBOX_CLIENT_ID = 'rosterbridge-sandbox.apps.googleusercontent.test';
export const SANDBOX_CLIENT_SECRET = 'sandbox-client-secret';
export const OAUTH_CALLBACK_PATH = '/classroom/oauth/callback';

/**
 * Everything the Google layer needs to reach Google, a proxy, or the built-in sandbox. The
 * endpoints are configuration (GOOGLE_OAUTH_BASE_URL, GOOGLE_API_ROOT); without GOOGLE_CLIENT_ID
 * they point at the sandbox on our own origin.
 */
export interface GoogleConfig {
  sandbox: boolean;
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  certsUrl: string;
  issuers: string[];
  /** Classroom API root, e.g. https://classroom.googleapis.com/ */
  apiRoot: string;
  /** Matched exactly by Google against the registered one. */
  redirectUri: string;
  tokenKey: string | undefined;
  requestsPerSecond: number;
  /** The fetch every Google request goes through (tests and the bench count or route calls). */
  fetch: typeof fetch;
  /** First retry delay in ms; the sandbox-driven tests shorten it. */
  retryDelayMs: number;
  retries: number;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function googleConfig(env: Env, appUrl: string, overrides: Partial<GoogleConfig> = {}): GoogleConfig {
  const origin = trimSlash(appUrl);
  const sandbox = !env.GOOGLE_CLIENT_ID;
  const oauthBase = env.GOOGLE_OAUTH_BASE_URL ? trimSlash(env.GOOGLE_OAUTH_BASE_URL) : sandbox ? `${origin}${SANDBOX_PATH}/oauth2` : null;
  const apiRoot = env.GOOGLE_API_ROOT ?? (sandbox ? `${origin}${SANDBOX_PATH}/` : 'https://classroom.googleapis.com/');
  return {
    sandbox,
    clientId: env.GOOGLE_CLIENT_ID ?? SANDBOX_CLIENT_ID,
    clientSecret: env.GOOGLE_CLIENT_SECRET ?? (sandbox ? SANDBOX_CLIENT_SECRET : ''),
    authUrl: oauthBase ? `${oauthBase}/auth` : 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: oauthBase ? `${oauthBase}/token` : 'https://oauth2.googleapis.com/token',
    revokeUrl: oauthBase ? `${oauthBase}/revoke` : 'https://oauth2.googleapis.com/revoke',
    certsUrl: oauthBase ? `${oauthBase}/certs` : 'https://www.googleapis.com/oauth2/v1/certs',
    issuers: sandbox ? [`${origin}${SANDBOX_PATH}`] : ['accounts.google.com', 'https://accounts.google.com'],
    apiRoot: apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/`,
    redirectUri: `${origin}${OAUTH_CALLBACK_PATH}`,
    tokenKey: env.TOKEN_ENCRYPTION_KEY,
    requestsPerSecond: env.GOOGLE_REQUESTS_PER_SECOND,
    fetch: (input, init) => globalThis.fetch(input, init),
    retryDelayMs: 500,
    retries: 4,
    ...overrides,
  };
}
