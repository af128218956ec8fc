import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenCipher } from '../../src/classroom/token-crypto.js';
import { sha256Hex } from '../../src/crypto-tokens.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { classroomEnv, consentThroughSandbox, sandboxNetwork, TEST_TOKEN_KEY } from './sandbox-network.js';

const db = useTestDatabase();
let app: ReturnType<typeof createTestApp>;
const server = setupServer(...sandboxNetwork(() => app));
let org: OrgFixture;

// Demo Google accounts of the sandbox (src/classroom/sandbox/data.ts).
const SAM = '200000001'; // admin@maplegrove.test
const SAM_PERSONAL = '200000003'; // sam.rivera@gmail.test

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  app = createTestApp(db, { env: classroomEnv() });
  org = await createOrganisation(db.services, { name: 'Maple Grove' });
  await createAccount(db.services, org.organisationId, { email: 'learner@maplegrove.test' });
});
afterAll(() => server.close());
beforeEach(async () => {
  await db.services.sql`delete from google_connections`;
});

async function signedIn(email = 'admin@maplegrove.test') {
  const client = new TestClient(app);
  await client.signIn(email);
  return client;
}

async function connection() {
  const [row] = await db.services.sql<
    { account_id: string; google_user_id: string; google_email: string; refresh_token_encrypted: string; status: string }[]
  >`
    select account_id, google_user_id, google_email, refresh_token_encrypted, status from google_connections`;
  return row ?? null;
}

async function sandboxGrant(token: string) {
  const [row] = await db.services.sql<{ kind: string; revoked_at: Date | null }[]>`
    select kind, revoked_at from google_sandbox_grants where hash = ${await sha256Hex(token)}`;
  return row ?? null;
}

describe('connecting Google Classroom (happy path)', () => {
  it('asks for offline access with PKCE S256, a state and the exact redirect URI, then stores the refresh token encrypted', async () => {
    const client = await signedIn();
    const start = await client.post('/classroom/connect', { returnTo: '/classroom/import' });
    const url = new URL(start.headers.get('location')!);
    expect(url.pathname).toBe('/google-sandbox/o/oauth2/v2/auth');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{30,}$/);
    expect(url.searchParams.get('redirect_uri')).toBe('http://localhost/classroom/oauth/callback');
    expect(url.searchParams.get('scope')!.split(' ')).toEqual(
      expect.arrayContaining([
        'openid',
        'email',
        'profile',
        'https://www.googleapis.com/auth/classroom.courses.readonly',
        'https://www.googleapis.com/auth/classroom.rosters.readonly',
        'https://www.googleapis.com/auth/classroom.profile.emails',
      ]),
    );

    const res = await consentThroughSandbox(client, SAM);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/classroom/import');
    const row = await connection();
    expect(row).toMatchObject({
      account_id: org.systemAdmin.id,
      google_user_id: SAM,
      google_email: 'admin@maplegrove.test',
      status: 'active',
    });
    expect(row!.refresh_token_encrypted).toMatch(/^v1\./);
    const token = await createTokenCipher(TEST_TOKEN_KEY).decrypt(row!.refresh_token_encrypted, org.systemAdmin.id);
    expect(await sandboxGrant(token)).toMatchObject({ kind: 'refresh', revoked_at: null });
    // Bound to its account: the same ciphertext does not open for another row.
    await expect(createTokenCipher(TEST_TOKEN_KEY).decrypt(row!.refresh_token_encrypted, org.organisationId)).rejects.toThrow(
      /could not be decrypted/,
    );
  });

  it('uses the access token of the code exchange for the course list: one token call, at most one certs call', async () => {
    const seen: string[] = [];
    const listen = ({ request }: { request: Request }) => void seen.push(new URL(request.url).pathname);
    server.events.on('request:start', listen);
    const client = await signedIn();
    await consentThroughSandbox(client, SAM);
    const pick = await client.get('/classroom/import');
    server.events.removeListener('request:start', listen);
    expect(pick.res.status).toBe(200);
    expect(seen.filter((p) => p === '/google-sandbox/token')).toHaveLength(1);
    expect(seen.filter((p) => p.startsWith('/google-sandbox/oauth2/')).length).toBeLessThanOrEqual(1);
    // The key set by default is the JSON Web Key Set at Google's v3 path, not the PEM certificates.
    expect(seen).not.toContain('/google-sandbox/oauth2/v1/certs');
    expect(seen.filter((p) => p === '/google-sandbox/v1/courses')).toHaveLength(1);
  });

  it('disconnect revokes the token at Google and forgets it', async () => {
    const client = await signedIn();
    await consentThroughSandbox(client, SAM);
    const row = await connection();
    const token = await createTokenCipher(TEST_TOKEN_KEY).decrypt(row!.refresh_token_encrypted, org.systemAdmin.id);
    const res = await client.post('/classroom/disconnect');
    expect(res.status).toBe(303);
    expect(await connection()).toBeNull();
    expect((await sandboxGrant(token))!.revoked_at).not.toBeNull();
  });
});

describe('connecting Google Classroom (errors)', () => {
  it('refuses a callback without state, and one whose state is not this session’s', async () => {
    const client = await signedIn();
    const missing = await consentThroughSandbox(client, SAM, {
      beforeCallback: (u) => {
        u.searchParams.delete('state');
        return u;
      },
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('was not started from this browser session');
    expect(await connection()).toBeNull();

    const wrong = await consentThroughSandbox(client, SAM, {
      beforeCallback: (u) => {
        u.searchParams.set('state', 'not-the-state-we-sent-aaaaaaaaaaaaaaaaaaaaa');
        return u;
      },
    });
    expect(wrong.status).toBe(400);
    expect(await connection()).toBeNull();
  });

  it('refuses a state from another session (the attacker’s own consent)', async () => {
    const attacker = await signedIn();
    let stolen: URL | undefined;
    await consentThroughSandbox(attacker, SAM, {
      beforeCallback: (u) => {
        stolen = u;
        return new URL('http://localhost/classroom/oauth/callback?error=access_denied');
      },
    });
    const victim = await signedIn();
    const res = await victim.request(stolen!.pathname + stolen!.search);
    expect(res.status).toBe(400);
    expect(await connection()).toBeNull();
  });

  it('a replayed code is refused and the tokens of its first use are revoked', async () => {
    const client = await signedIn();
    let used: URL | undefined;
    await consentThroughSandbox(client, SAM, {
      beforeCallback: (u) => {
        used = u;
      },
    });
    const first = await connection();
    const token = await createTokenCipher(TEST_TOKEN_KEY).decrypt(first!.refresh_token_encrypted, first!.account_id);
    // A fresh consent in the same session, but the old code presented with the new state.
    const res = await consentThroughSandbox(client, SAM, {
      beforeCallback: (u) => {
        u.searchParams.set('code', used!.searchParams.get('code')!);
        return u;
      },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Google did not accept the sign-in code (it was used already, or it expired)');
    expect((await sandboxGrant(token))!.revoked_at).not.toBeNull();
  });

  it('an ID token that fails a check is refused with what failed, logged without the token', async () => {
    // The app expects another issuer than the sandbox's: the token's iss check fails.
    const strict = createTestApp(db, { env: classroomEnv({ GOOGLE_ISSUER: 'https://accounts.google.com' }) });
    const client = new TestClient(strict);
    await client.signIn('admin@maplegrove.test');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    let code = '';
    const res = await consentThroughSandbox(client, SAM, {
      beforeCallback: (u) => {
        code = u.searchParams.get('code')!;
      },
    });
    const logged = warn.mock.calls.map((c) => String(c[0]));
    warn.mockRestore();
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Google’s answer could not be trusted: the ID token was not issued by Google. Nothing was changed.');
    expect(html).not.toContain('used already');
    expect(await connection()).toBeNull();
    expect(logged.some((line) => line.includes('"problem":"wrong_issuer"'))).toBe(true);
    expect(logged.join('\n')).not.toContain(code);
    expect(logged.join('\n')).not.toMatch(/eyJ|maplegrove/);
  });

  it('a wrong PKCE verifier makes Google refuse the code; nothing is stored', async () => {
    const client = await signedIn();
    const res = await consentThroughSandbox(client, SAM, {
      beforeCallback: async () => {
        await db.services.sql`
          update sessions set data = jsonb_set(data, '{googleConsent,verifier}', to_jsonb('x'::text || repeat('y', 60)))
          where account_id = ${org.systemAdmin.id} and data ? 'googleConsent'`;
      },
    });
    expect(res.status).toBe(400);
    expect(await connection()).toBeNull();
  });

  it('a state can only be used once', async () => {
    const client = await signedIn();
    let callback: URL | undefined;
    const ok = await consentThroughSandbox(client, SAM, {
      beforeCallback: (u) => {
        callback = u;
      },
    });
    expect(ok.status).toBe(303);
    const again = await client.request(callback!.pathname + callback!.search);
    expect(again.status).toBe(400);
  });

  it('shows the email-match page when the Google email differs, with Your Account and Import from CSV', async () => {
    const client = await signedIn();
    const res = await consentThroughSandbox(client, SAM_PERSONAL);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Your email addresses do not match');
    expect(html).toContain('your email address in Rosterbridge must match the email address you use to access Google Classroom');
    expect(html).toContain('sam.rivera@gmail.test');
    expect(html).toContain('href="/account#change-email"');
    expect(html).toContain('Import from CSV');
    expect(html).toContain('href="/imports/csv"');
    expect(await connection()).toBeNull();
    // The tokens Google issued for the wrong account are not kept, nor left valid.
    const [live] = await db.services.sql<{ n: number }[]>`
      select count(*)::int as n from google_sandbox_grants where user_id = ${SAM_PERSONAL} and kind = 'refresh' and revoked_at is null`;
    expect(live!.n).toBe(0);
  });

  it('matches the email ignoring case', async () => {
    await db.services.sql`update accounts set email = 'Admin@MapleGrove.test' where id = ${org.systemAdmin.id}`;
    try {
      const client = await signedIn('Admin@MapleGrove.test');
      const res = await consentThroughSandbox(client, SAM);
      expect(res.status).toBe(303);
      expect(await connection()).not.toBeNull();
    } finally {
      await db.services.sql`update accounts set email = 'admin@maplegrove.test' where id = ${org.systemAdmin.id}`;
    }
  });

  it('refuses a consent where the Classroom permissions were unticked, and revokes what Google issued', async () => {
    const client = await signedIn();
    const start = await client.post('/classroom/connect', {});
    const authUrl = new URL(start.headers.get('location')!);
    await client.get(authUrl.pathname + authUrl.search);
    const form: Record<string, string | string[]> = {
      account: SAM,
      decision: 'allow',
      scopeChoice: '1',
      granted: ['https://www.googleapis.com/auth/classroom.courses.readonly'],
    };
    for (const [k, v] of authUrl.searchParams) form[k] = v;
    const back = await client.post('/google-sandbox/o/oauth2/v2/auth', form);
    const callback = new URL(back.headers.get('location')!);
    const res = await client.request(callback.pathname + callback.search);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('needs permission to view your Google Classroom classes');
    expect(await connection()).toBeNull();
    const [live] = await db.services.sql<{ n: number }[]>`
      select count(*)::int as n from google_sandbox_grants where user_id = ${SAM} and kind = 'refresh' and revoked_at is null
        and not ('https://www.googleapis.com/auth/classroom.rosters.readonly' = any(scopes))`;
    expect(live!.n).toBe(0);
    const [issued] = await db.services.sql<{ n: number }[]>`
      select count(*)::int as n from google_sandbox_grants where user_id = ${SAM} and kind = 'refresh'
        and not ('https://www.googleapis.com/auth/classroom.rosters.readonly' = any(scopes))`;
    expect(issued!.n).toBe(1);
  });

  it('Cancel on the consent screen connects nothing', async () => {
    const client = await signedIn();
    const res = await consentThroughSandbox(client, SAM, { decision: 'deny' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('access was not allowed');
    expect(await connection()).toBeNull();
  });

  it('the sandbox refuses a redirect URI that is not the registered one', async () => {
    const client = await signedIn();
    const start = await client.post('/classroom/connect', {});
    const url = new URL(start.headers.get('location')!);
    url.searchParams.set('redirect_uri', 'http://localhost/classroom/oauth/callback/');
    const { res, html } = await client.get(url.pathname + url.search);
    expect(res.status).toBe(400);
    expect(html).toContain('redirect_uri_mismatch');
  });

  it('learners cannot start a connection', async () => {
    const client = await signedIn('learner@maplegrove.test');
    const res = await client.post('/classroom/connect', {});
    expect(res.status).toBe(404);
  });
});
