import { generateKeyPairSync, createSign, type KeyObject } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { googleConfig, type GoogleConfig } from '../../src/classroom/config.js';
import { IdTokenError, verifyIdToken } from '../../src/classroom/id-token.js';
import { parseEnv } from '../../src/env.js';

/**
 * Configuration of Google's endpoints one by one, and the ID token check against a JSON Web Key
 * Set (as Google's v3 certs endpoint serves it) or PEM certificates, with each failed check named.
 */

const CLIENT = 'client-1.apps.googleusercontent.test';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
let certsHits = 0;
let certsBody: unknown;

function sign(claims: Record<string, unknown>, key: KeyObject = privateKey, kid = 'k1'): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc({ alg: 'RS256', typ: 'JWT', kid })}.${enc(claims)}`;
  const s = createSign('RSA-SHA256');
  s.update(input);
  return `${input}.${s.sign(key).toString('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);
const good = (extra: Record<string, unknown> = {}) => ({
  iss: 'https://accounts.google.com',
  aud: CLIENT,
  sub: '1234',
  email: 'teacher@school.test',
  email_verified: true,
  iat: now(),
  exp: now() + 3600,
  ...extra,
});

let certsUrl = 'https://www.googleapis.com/oauth2/v3/certs';
const server = setupServer(
  http.get('https://keys.example.test/*', () => {
    certsHits++;
    return HttpResponse.json(certsBody as object, { headers: { 'cache-control': 'public, max-age=600' } });
  }),
);

function cfg(): GoogleConfig {
  return googleConfig(
    parseEnv({ NODE_ENV: 'test', GOOGLE_CLIENT_ID: CLIENT, GOOGLE_CLIENT_SECRET: 's', GOOGLE_CERTS_URL: certsUrl }),
    'https://roster.example',
  );
}

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
let n = 0;
beforeEach(() => {
  // A certs URL per test: the key cache is per URL.
  certsUrl = `https://keys.example.test/${++n}/certs`;
  certsHits = 0;
  certsBody = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }] };
});

describe('Google endpoints', () => {
  it('default to Google’s own, each on its own host and path', () => {
    const c = googleConfig(parseEnv({ NODE_ENV: 'test', GOOGLE_CLIENT_ID: CLIENT }), 'https://roster.example');
    expect([c.authUrl, c.tokenUrl, c.revokeUrl, c.certsUrl, c.apiRoot]).toEqual([
      'https://accounts.google.com/o/oauth2/v2/auth',
      'https://oauth2.googleapis.com/token',
      'https://oauth2.googleapis.com/revoke',
      'https://www.googleapis.com/oauth2/v3/certs',
      'https://classroom.googleapis.com/',
    ]);
  });

  it('can be set one by one, on different hosts, with the shorthand filling the rest in Google’s layout', () => {
    const c = googleConfig(
      parseEnv({
        NODE_ENV: 'test',
        GOOGLE_CLIENT_ID: CLIENT,
        GOOGLE_OAUTH_BASE_URL: 'https://emulator.test/',
        GOOGLE_TOKEN_URL: 'https://tokens.proxy.test/oauth/token',
        GOOGLE_CERTS_URL: 'https://keys.proxy.test/jwks.json',
        GOOGLE_API_ROOT: 'https://api.proxy.test/classroom',
      }),
      'https://roster.example',
    );
    expect(c.authUrl).toBe('https://emulator.test/o/oauth2/v2/auth');
    expect(c.tokenUrl).toBe('https://tokens.proxy.test/oauth/token');
    expect(c.revokeUrl).toBe('https://emulator.test/revoke');
    expect(c.certsUrl).toBe('https://keys.proxy.test/jwks.json');
    expect(c.apiRoot).toBe('https://api.proxy.test/classroom/');
  });

  it('point at the sandbox, in Google’s layout, without a client id', () => {
    const c = googleConfig(parseEnv({ NODE_ENV: 'test' }), 'http://localhost:3000');
    expect(c.authUrl).toBe('http://localhost:3000/google-sandbox/o/oauth2/v2/auth');
    expect(c.certsUrl).toBe('http://localhost:3000/google-sandbox/oauth2/v3/certs');
  });
});

describe('ID token check', () => {
  it('accepts a token signed with a key of the JSON Web Key Set, and reads the keys once', async () => {
    const c = cfg();
    expect(await verifyIdToken(c, sign(good()))).toMatchObject({ sub: '1234', email: 'teacher@school.test', emailVerified: true });
    await verifyIdToken(c, sign(good({ sub: '5678' })));
    expect(certsHits).toBe(1);
  });

  it('accepts PEM certificates too ({ kid: PEM }, Google’s v1 format)', async () => {
    certsBody = { k1: publicKey.export({ format: 'pem', type: 'spki' }) };
    expect((await verifyIdToken(cfg(), sign(good()))).sub).toBe('1234');
  });

  const cases: [string, () => string, string][] = [
    ['a signature by another key', () => sign(good(), other.privateKey), 'the ID token’s signature does not match Google’s published keys'],
    [
      'an unknown key id',
      () => sign(good(), privateKey, 'k9'),
      'the ID token was signed with a key that is not among Google’s published keys',
    ],
    ['another issuer', () => sign(good({ iss: 'https://evil.test' })), 'the ID token was not issued by Google'],
    ['another audience', () => sign(good({ aud: 'someone-else' })), 'the ID token was issued for another application'],
    ['an expired token', () => sign(good({ exp: now() - 3600 })), 'the ID token has expired (check that this server’s clock is right)'],
    [
      'an unverified email',
      () => sign(good({ email_verified: false })),
      'Google has not verified the email address of this Google account',
    ],
    ['garbage', () => 'not-a-jwt', 'the ID token Google sent could not be read'],
  ];
  for (const [name, token, words] of cases) {
    it(`refuses ${name}, saying so in words`, async () => {
      const error = await verifyIdToken(cfg(), token()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdTokenError);
      expect((error as Error).message).toBe(words);
    });
  }

  it('says when the keys cannot be read', async () => {
    certsBody = 'nope';
    server.use(http.get(`${certsUrl}`, () => new HttpResponse('down', { status: 503 })));
    const error = await verifyIdToken(cfg(), sign(good())).catch((e: unknown) => e);
    expect((error as IdTokenError).problem).toBe('keys_unavailable');
  });
});
