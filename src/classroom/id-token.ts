import { createPublicKey, createVerify, type JsonWebKey as NodeJwk, type KeyObject } from 'node:crypto';
import type { GoogleConfig } from './config.js';

/**
 * Checking the ID token Google returns with the code exchange: the RS256 signature against
 * Google's keys (a JSON Web Key Set as the v3 certs endpoint and OpenID discovery give, or the
 * older { kid: PEM } map), then iss, aud, exp and email_verified. A failed check says which, in
 * words; the token itself is never logged.
 */

export interface IdTokenClaims {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
}

export type IdTokenProblem =
  | 'malformed'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'no_email'
  | 'email_not_verified'
  | 'keys_unavailable';

const PROBLEM_WORDS: Record<IdTokenProblem, string> = {
  malformed: 'the ID token Google sent could not be read',
  unknown_key: 'the ID token was signed with a key that is not among Google’s published keys',
  bad_signature: 'the ID token’s signature does not match Google’s published keys',
  wrong_issuer: 'the ID token was not issued by Google',
  wrong_audience: 'the ID token was issued for another application',
  expired: 'the ID token has expired (check that this server’s clock is right)',
  no_email: 'the ID token does not say which email address signed in',
  email_not_verified: 'Google has not verified the email address of this Google account',
  keys_unavailable: 'Google’s signing keys could not be read',
};

export class IdTokenError extends Error {
  constructor(readonly problem: IdTokenProblem) {
    super(PROBLEM_WORDS[problem]);
  }
}

/** Clock difference allowed between us and Google. */
const SKEW_SECONDS = 300;
const DEFAULT_KEYS_SECONDS = 3600;

interface CachedKeys {
  keys: Map<string, KeyObject>;
  until: number;
}

/** Keys by certs URL, kept as long as the endpoint's Cache-Control allows. */
const keyCache = new Map<string, CachedKeys>();

/** Parses either a JSON Web Key Set or a { kid: PEM } map into public keys by kid. */
export function parseKeys(body: unknown): Map<string, KeyObject> {
  const out = new Map<string, KeyObject>();
  if (body && typeof body === 'object' && Array.isArray((body as { keys?: unknown }).keys)) {
    for (const jwk of (body as { keys: NodeJwk[] }).keys) {
      if (typeof jwk.kid !== 'string' || jwk.kty !== 'RSA' || (jwk.use && jwk.use !== 'sig')) continue;
      out.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
    }
    return out;
  }
  for (const [kid, pem] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (typeof pem === 'string' && pem.includes('-----BEGIN')) out.set(kid, createPublicKey(pem));
  }
  return out;
}

function maxAgeOf(res: Response): number {
  const match = /max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '');
  return match ? Number(match[1]) : DEFAULT_KEYS_SECONDS;
}

async function keysFor(cfg: GoogleConfig, kid: string): Promise<KeyObject | null> {
  const cached = keyCache.get(cfg.certsUrl);
  // A kid we do not know may be a key Google just rotated in: read the keys again once.
  if (cached && cached.until > Date.now() && cached.keys.has(kid)) return cached.keys.get(kid)!;
  let res: Response;
  try {
    res = await cfg.fetch(cfg.certsUrl, { headers: { accept: 'application/json' } });
  } catch {
    throw new IdTokenError('keys_unavailable');
  }
  if (!res.ok) throw new IdTokenError('keys_unavailable');
  let keys: Map<string, KeyObject>;
  try {
    keys = parseKeys(await res.json());
  } catch {
    throw new IdTokenError('keys_unavailable');
  }
  keyCache.set(cfg.certsUrl, { keys, until: Date.now() + maxAgeOf(res) * 1000 });
  return keys.get(kid) ?? null;
}

function decodePart(part: string | undefined): Record<string, unknown> {
  if (!part) throw new IdTokenError('malformed');
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (!value || typeof value !== 'object') throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new IdTokenError('malformed');
  }
}

function checkClaims(cfg: GoogleConfig, claims: Record<string, unknown>): IdTokenClaims {
  if (typeof claims.iss !== 'string' || !cfg.issuers.includes(claims.iss)) throw new IdTokenError('wrong_issuer');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(cfg.clientId)) throw new IdTokenError('wrong_audience');
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp + SKEW_SECONDS < now) throw new IdTokenError('expired');
  if (typeof claims.sub !== 'string' || !claims.sub) throw new IdTokenError('malformed');
  if (typeof claims.email !== 'string' || !claims.email) throw new IdTokenError('no_email');
  // Google sends a boolean; some stand-ins send the string "true".
  if (claims.email_verified !== true && claims.email_verified !== 'true') throw new IdTokenError('email_not_verified');
  return { sub: claims.sub, email: claims.email, emailVerified: true, name: typeof claims.name === 'string' ? claims.name : null };
}

/** Verifies an ID token; throws IdTokenError naming what failed. */
export async function verifyIdToken(cfg: GoogleConfig, idToken: string): Promise<IdTokenClaims> {
  const [head, body, signature] = idToken.split('.');
  const header = decodePart(head);
  const claims = decodePart(body);
  if (header.alg !== 'RS256' || typeof header.kid !== 'string' || !signature) throw new IdTokenError('malformed');
  const key = await keysFor(cfg, header.kid);
  if (!key) throw new IdTokenError('unknown_key');
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${head}.${body}`);
  if (!verifier.verify(key, Buffer.from(signature, 'base64url'))) throw new IdTokenError('bad_signature');
  return checkClaims(cfg, claims);
}

/** One line about a refused ID token: what failed and where the keys came from, never the token or the email. */
export function logIdTokenRejected(error: IdTokenError, cfg: GoogleConfig): void {
  console.warn(JSON.stringify({ event: 'google.id_token_rejected', problem: error.problem, certsUrl: cfg.certsUrl }));
}
