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

/** Google's own endpoints, each on its own host and path. */
export const GOOGLE_ENDPOINTS = {
  auth: 'https://accounts.google.com/o/oauth2/v2/auth',
  token: 'https://oauth2.googleapis.com/token',
  revoke: 'https://oauth2.googleapis.com/revoke',
  certs: 'https://www.googleapis.com/oauth2/v3/certs',
  apiRoot: 'https://classroom.googleapis.com/',
  issuers: ['https://accounts.google.com', 'accounts.google.com'],
};

/**
 * Google's URL layout below one origin: what the sandbox serves and what GOOGLE_OAUTH_BASE_URL
 * (a proxy or an emulator copying Google) is expected to serve.
 */
export function endpointsUnder(base: string): { auth: string; token: string; revoke: string; certs: string } {
  const b = trimSlash(base);
  return { auth: `${b}/o/oauth2/v2/auth`, token: `${b}/token`, revoke: `${b}/revoke`, certs: `${b}/oauth2/v3/certs` };
}

/**
 * Everything the Google layer needs to reach Google, a proxy, or the built-in sandbox. Each
 * endpoint is configuration of its own (GOOGLE_AUTH_URL, GOOGLE_TOKEN_URL, GOOGLE_REVOKE_URL,
 * GOOGLE_CERTS_URL, GOOGLE_API_ROOT); without GOOGLE_CLIENT_ID they point at the sandbox on our
 * own origin, which serves Google's layout.
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
  const base = env.GOOGLE_OAUTH_BASE_URL ?? (sandbox ? `${origin}${SANDBOX_PATH}` : null);
  const fallback = base ? endpointsUnder(base) : GOOGLE_ENDPOINTS;
  const apiRoot = env.GOOGLE_API_ROOT ?? (sandbox ? `${origin}${SANDBOX_PATH}/` : GOOGLE_ENDPOINTS.apiRoot);
  const issuers = env.GOOGLE_ISSUER
    ? env.GOOGLE_ISSUER.split(',')
        .map((i) => i.trim())
        .filter(Boolean)
    : sandbox
      ? [sandboxIssuer(origin)]
      : GOOGLE_ENDPOINTS.issuers;
  return {
    sandbox,
    clientId: env.GOOGLE_CLIENT_ID ?? SANDBOX_CLIENT_ID,
    clientSecret: env.GOOGLE_CLIENT_SECRET ?? (sandbox ? SANDBOX_CLIENT_SECRET : ''),
    authUrl: env.GOOGLE_AUTH_URL ?? fallback.auth,
    tokenUrl: env.GOOGLE_TOKEN_URL ?? fallback.token,
    revokeUrl: env.GOOGLE_REVOKE_URL ?? fallback.revoke,
    certsUrl: env.GOOGLE_CERTS_URL ?? fallback.certs,
    issuers,
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

/** The issuer the sandbox writes into its ID tokens. */
export function sandboxIssuer(origin: string): string {
  return `${trimSlash(origin)}${SANDBOX_PATH}`;
}
