import type { Sql } from '../../db/client.js';
import { base64url, randomToken, safeEqual, sha256Hex } from '../../crypto-tokens.js';

/**
 * The sandbox's OAuth 2.0 server, playing Google's: authorization codes bound to client, redirect
 * URI and PKCE challenge, single use (a replayed code also revokes what it produced), access and
 * refresh tokens, RS256 ID tokens, revocation. Values are stored as SHA-256 only.
 */

export interface SandboxClient {
  clientId: string;
  clientSecret: string;
  /** The one redirect URI registered for the client. */
  redirectUri: string;
  issuer: string;
}

export class SandboxOAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

const CODE_SECONDS = 300;
const ACCESS_SECONDS = 3600;

async function sha256Base64url(text: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

interface SigningKey {
  key: CryptoKey;
  kid: string;
  pem: string;
  publicJwk: { kty: string; n: string; e: string };
}

async function signingKey(sql: Sql): Promise<SigningKey> {
  let [row] = await sql<{ signing_key: JsonWebKey | null; public_key_pem: string | null; key_id: string | null }[]>`
    select signing_key, public_key_pem, key_id from google_sandbox_settings where id = 1`;
  if (!row?.signing_key) {
    const pair = (await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    const b64 = btoa(String.fromCharCode(...spki));
    const pem = `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
    const kid = (await sha256Hex(pem)).slice(0, 16);
    await sql`
      insert into google_sandbox_settings (id, signing_key, public_key_pem, key_id) values (1, ${JSON.stringify(jwk)}::jsonb, ${pem}, ${kid})
      on conflict (id) do update set signing_key = excluded.signing_key, public_key_pem = excluded.public_key_pem, key_id = excluded.key_id
      where google_sandbox_settings.signing_key is null`;
    [row] = await sql`select signing_key, public_key_pem, key_id from google_sandbox_settings where id = 1`;
  }
  const jwk = typeof row!.signing_key === 'string' ? (JSON.parse(row!.signing_key) as JsonWebKey) : row!.signing_key!;
  const key = await crypto.subtle.importKey('jwk', jwk, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  return { key, kid: row!.key_id!, pem: row!.public_key_pem!, publicJwk: { kty: 'RSA', n: jwk.n!, e: jwk.e! } };
}

/** The public keys as Google's v3 certs endpoint gives them: a JSON Web Key Set. */
export async function sandboxJwks(sql: Sql): Promise<{ keys: Record<string, string>[] }> {
  const k = await signingKey(sql);
  return { keys: [{ ...k.publicJwk, kid: k.kid, alg: 'RS256', use: 'sig' }] };
}

/** The public keys in Google's v1 certs format ({ kid: PEM }). */
export async function sandboxCerts(sql: Sql): Promise<Record<string, string>> {
  const k = await signingKey(sql);
  return { [k.kid]: k.pem };
}

async function signJwt(sql: Sql, claims: Record<string, unknown>): Promise<string> {
  const k = await signingKey(sql);
  const enc = (obj: unknown) => base64url(new TextEncoder().encode(JSON.stringify(obj)));
  const input = `${enc({ alg: 'RS256', typ: 'JWT', kid: k.kid })}.${enc(claims)}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', k.key, new TextEncoder().encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  responseType: string;
  scope: string;
  state: string;
  codeChallenge: string;
  codeChallengeMethod: string;
  nonce?: string;
}

/** Checks an authorization request; the errors are the ones Google shows on its own error page. */
export function checkAuthorizeRequest(client: SandboxClient, req: AuthorizeRequest): void {
  if (req.clientId !== client.clientId) throw new SandboxOAuthError('invalid_client', 'The OAuth client was not found.', 401);
  if (req.redirectUri !== client.redirectUri) {
    throw new SandboxOAuthError(
      'redirect_uri_mismatch',
      `The redirect URI in the request, ${req.redirectUri}, does not match the one registered for the client.`,
    );
  }
  if (req.responseType !== 'code') throw new SandboxOAuthError('unsupported_response_type', 'Only response_type=code is supported.');
  if (!req.scope.split(' ').includes('openid')) throw new SandboxOAuthError('invalid_scope', 'The openid scope is required.');
  if (!req.codeChallenge || req.codeChallengeMethod !== 'S256') {
    throw new SandboxOAuthError('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256.');
  }
}

/** The user allowed access: a single-use code bound to the client, redirect URI and PKCE challenge. */
export async function issueCode(sql: Sql, client: SandboxClient, req: AuthorizeRequest, userId: string): Promise<string> {
  checkAuthorizeRequest(client, req);
  const code = `4/sbx-${randomToken(24)}`;
  await sql`
    insert into google_sandbox_grants (hash, kind, user_id, client_id, scopes, redirect_uri, code_challenge, nonce, expires_at)
    values (${await sha256Hex(code)}, 'code', ${userId}, ${client.clientId}, ${req.scope.split(' ').filter(Boolean)}, ${req.redirectUri},
            ${req.codeChallenge}, ${req.nonce ?? null}, now() + make_interval(secs => ${CODE_SECONDS}))`;
  return code;
}

function checkClient(client: SandboxClient, form: Record<string, string>, basic: string | null): void {
  let id = form.client_id;
  let secret = form.client_secret;
  if (basic?.startsWith('Basic ')) {
    const [u, p] = atob(basic.slice(6)).split(':');
    id = decodeURIComponent(u ?? '');
    secret = decodeURIComponent(p ?? '');
  }
  if (id !== client.clientId || !secret || !safeEqual(secret, client.clientSecret)) {
    throw new SandboxOAuthError('invalid_client', 'The OAuth client was not found.', 401);
  }
}

interface GrantRow {
  hash: string;
  kind: string;
  user_id: string;
  client_id: string;
  scopes: string[];
  redirect_uri: string | null;
  code_challenge: string | null;
  nonce: string | null;
  from_code: string | null;
  used_at: string | null;
  revoked_at: string | null;
  expires_at: string | null;
}

async function issueTokens(
  sql: Sql,
  grant: { userId: string; clientId: string; scopes: string[]; fromCode: string },
  withRefresh: boolean,
) {
  const access = `ya29.sbx-${randomToken(24)}`;
  await sql`
    insert into google_sandbox_grants (hash, kind, user_id, client_id, scopes, from_code, expires_at)
    values (${await sha256Hex(access)}, 'access', ${grant.userId}, ${grant.clientId}, ${grant.scopes}, ${grant.fromCode},
            now() + make_interval(secs => ${ACCESS_SECONDS}))`;
  let refresh: string | undefined;
  if (withRefresh) {
    refresh = `1//sbx-${randomToken(32)}`;
    await sql`
      insert into google_sandbox_grants (hash, kind, user_id, client_id, scopes, from_code)
      values (${await sha256Hex(refresh)}, 'refresh', ${grant.userId}, ${grant.clientId}, ${grant.scopes}, ${grant.fromCode})`;
  }
  return { access, refresh };
}

/** The token endpoint: authorization_code (with PKCE) and refresh_token grants. */
export async function tokenEndpoint(
  sql: Sql,
  client: SandboxClient,
  form: Record<string, string>,
  authorization: string | null,
): Promise<Record<string, unknown>> {
  checkClient(client, form, authorization);
  const grantType = form.grant_type;
  if (grantType === 'authorization_code') return exchangeCodeGrant(sql, client, form);
  if (grantType === 'refresh_token') return refreshGrant(sql, client, form);
  throw new SandboxOAuthError('unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
}

async function exchangeCodeGrant(sql: Sql, client: SandboxClient, form: Record<string, string>): Promise<Record<string, unknown>> {
  const hash = await sha256Hex(form.code ?? '');
  // Failures still commit: a code is spent by any attempt, and a replay revokes what it produced.
  const outcome = await sql.begin(async (tx): Promise<SandboxOAuthError | Record<string, unknown>> => {
    const [grant] = await tx<GrantRow[]>`select * from google_sandbox_grants where hash = ${hash} and kind = 'code' for update`;
    if (!grant || grant.client_id !== client.clientId) return new SandboxOAuthError('invalid_grant', 'Malformed auth code.');
    if (grant.used_at) {
      await tx`update google_sandbox_grants set revoked_at = now() where from_code = ${hash} and revoked_at is null`;
      return new SandboxOAuthError('invalid_grant', 'Bad Request');
    }
    await tx`update google_sandbox_grants set used_at = now() where hash = ${hash}`;
    if (grant.expires_at && new Date(grant.expires_at).getTime() < Date.now()) return new SandboxOAuthError('invalid_grant', 'Bad Request');
    if (form.redirect_uri !== grant.redirect_uri) return new SandboxOAuthError('redirect_uri_mismatch', 'Bad Request');
    const verifier = form.code_verifier ?? '';
    if (!verifier || !safeEqual(await sha256Base64url(verifier), grant.code_challenge ?? '')) {
      return new SandboxOAuthError('invalid_grant', 'Invalid code verifier.');
    }
    const { access, refresh } = await issueTokens(
      tx as unknown as Sql,
      { userId: grant.user_id, clientId: grant.client_id, scopes: grant.scopes, fromCode: hash },
      true,
    );
    const idToken = await idTokenFor(sql, tx as unknown as Sql, client, grant);
    return {
      access_token: access,
      expires_in: ACCESS_SECONDS - 1,
      refresh_token: refresh,
      scope: grant.scopes.join(' '),
      token_type: 'Bearer',
      id_token: idToken,
    };
  });
  if (outcome instanceof SandboxOAuthError) throw outcome;
  return outcome;
}

/** The signed ID token of a code's user, as Google's token endpoint returns it. */
async function idTokenFor(sql: Sql, tx: Sql, client: SandboxClient, grant: GrantRow): Promise<string> {
  const [user] = await tx<{ email: string; given_name: string; family_name: string }[]>`
    select email, given_name, family_name from google_sandbox_users where id = ${grant.user_id}`;
  const now = Math.floor(Date.now() / 1000);
  return signJwt(sql, {
    iss: client.issuer,
    aud: client.clientId,
    azp: client.clientId,
    sub: grant.user_id,
    email: user?.email,
    email_verified: true,
    name: user ? `${user.given_name} ${user.family_name}` : undefined,
    given_name: user?.given_name,
    family_name: user?.family_name,
    iat: now,
    exp: now + ACCESS_SECONDS,
    ...(grant.nonce ? { nonce: grant.nonce } : {}),
  });
}

async function refreshGrant(sql: Sql, client: SandboxClient, form: Record<string, string>): Promise<Record<string, unknown>> {
  const [grant] = await sql<GrantRow[]>`
    select * from google_sandbox_grants where hash = ${await sha256Hex(form.refresh_token ?? '')} and kind = 'refresh'`;
  if (!grant || grant.revoked_at || grant.client_id !== client.clientId) {
    throw new SandboxOAuthError('invalid_grant', 'Token has been expired or revoked.');
  }
  const { access } = await issueTokens(
    sql,
    { userId: grant.user_id, clientId: grant.client_id, scopes: grant.scopes, fromCode: grant.from_code ?? grant.hash },
    false,
  );
  return { access_token: access, expires_in: ACCESS_SECONDS - 1, scope: grant.scopes.join(' '), token_type: 'Bearer' };
}

/** Revoking an access or refresh token withdraws the whole grant, as Google does. */
export async function revokeEndpoint(sql: Sql, token: string): Promise<void> {
  const [grant] = await sql<
    GrantRow[]
  >`select * from google_sandbox_grants where hash = ${await sha256Hex(token)} and kind in ('access', 'refresh')`;
  if (!grant || grant.revoked_at) throw new SandboxOAuthError('invalid_token', 'Token expired or revoked');
  await sql`update google_sandbox_grants set revoked_at = now() where from_code = ${grant.from_code} and revoked_at is null`;
}

/** The Google user an API call's bearer token belongs to; null when the token is unknown, expired or revoked. */
export async function userForAccessToken(sql: Sql, authorization: string | null): Promise<{ userId: string; scopes: string[] } | null> {
  if (!authorization?.startsWith('Bearer ')) return null;
  const [grant] = await sql<GrantRow[]>`
    select * from google_sandbox_grants where hash = ${await sha256Hex(authorization.slice(7))} and kind = 'access'`;
  if (!grant || grant.revoked_at || (grant.expires_at && new Date(grant.expires_at).getTime() < Date.now())) return null;
  return { userId: grant.user_id, scopes: grant.scopes };
}
