import { beforeAll, describe, expect, it } from 'vitest';
import { THROTTLE } from '../../src/auth/sign-in-throttle.js';
import { parseEnv } from '../../src/env.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, TEST_PASSWORD, type OrgFixture } from '../helpers/fixtures.js';

/** The sign-in throttle at the route, over real PostgreSQL: who gets locked, where, for how long. */
const db = useTestDatabase();
let org: OrgFixture;
const PROXY = '10.0.0.1';

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Throttle' });
  for (const email of [
    'victim@throttle.test',
    'bystander@throttle.test',
    'mistyper@throttle.test',
    'spoofed@throttle.test',
    'real@throttle.test',
  ]) {
    await createAccount(db.services, org.organisationId, { email });
  }
});

/** A browser at `forwardedFor`, reaching us through one proxy (TRUST_PROXY=1) whose own address is PROXY. */
async function behindProxy(forwardedFor: string) {
  const client = new TestClient(createTestApp(db, { env: parseEnv({ NODE_ENV: 'test', TRUST_PROXY: '1' }) }), { peer: PROXY });
  await client.get('/sign-in');
  return (email: string, password: string) =>
    client.post('/sign-in', { email, password }, { headers: { 'x-forwarded-for': forwardedFor } });
}

/** A browser connected straight to us from `peer` (TRUST_PROXY=0), sending whatever X-Forwarded-For it likes. */
async function direct(peer: string) {
  const client = new TestClient(createTestApp(db), { peer });
  await client.get('/sign-in');
  return (email: string, password: string, forwardedFor?: string) =>
    client.post('/sign-in', { email, password }, { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
}

/** Time passes until the email's account-wide slowdown ends (as it would after at most accountMaxDelaySeconds). */
async function waitOutAccountDelay(email: string) {
  await db.services.sql`update sign_in_throttle set locked_until = now() where key = ${`account:${email}`} and locked_until > now()`;
}

describe('the sign-in throttle behind a proxy (TRUST_PROXY=1)', () => {
  it('an attacker address that reaches the per-address ceiling is locked; other people behind the same proxy are not', async () => {
    // A colleague signed in at the attacker's address (a school's one public address) before.
    expect((await (await behindProxy('203.0.113.66'))('real@throttle.test', TEST_PASSWORD)).status).toBe(303);
    const attacker = await behindProxy('203.0.113.66');
    const perEmail = THROTTLE.pairFailures;
    for (let i = 0; i < THROTTLE.addressFailures; i++) {
      const res = await attacker(`guess${Math.floor(i / perEmail)}@throttle.test`, `wrong-${i}-password`);
      expect(res.status).toBe(400);
    }
    // Locked now for every email, even with a right password.
    const locked = await attacker('bystander@throttle.test', TEST_PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(THROTTLE.lockSeconds - 60);
    expect(await locked.text()).toContain('Try again in 15 minutes');
    // Everyone else arrives through the same proxy socket and still signs in.
    const bystander = await behindProxy('198.51.100.7');
    expect((await bystander('bystander@throttle.test', TEST_PASSWORD)).status).toBe(303);
    // And the colleague who signed in at the locked address before still does.
    expect((await (await behindProxy('203.0.113.66'))('real@throttle.test', TEST_PASSWORD)).status).toBe(303);
  });

  it("an attacker cannot lock a person out of their account from that person's own address", async () => {
    const email = 'victim@throttle.test';
    const victimHome = '198.51.100.20';
    expect((await (await behindProxy(victimHome))(email, TEST_PASSWORD)).status).toBe(303);
    // The attacker tries the victim's email from many addresses, waiting out every slowdown.
    const retryAfters: number[] = [];
    for (let i = 0; i < THROTTLE.accountFailures + 15; i++) {
      const attacker = await behindProxy(`203.0.113.${i + 1}`);
      let res = await attacker(email, `guess-${i}-password`);
      if (res.status === 429) {
        retryAfters.push(Number(res.headers.get('retry-after')));
        await waitOutAccountDelay(email);
        res = await attacker(email, `guess-${i}-password`);
      }
      expect(res.status).toBe(400);
    }
    const [row] = await db.services.sql<{ failures: number; seconds: number }[]>`
      select failures, ceil(extract(epoch from locked_until - now()))::int as seconds from sign_in_throttle where key = ${`account:${email}`}`;
    expect(row!.failures).toBe(THROTTLE.accountFailures + 15);
    // Slowed down, growing, but never longer than a few minutes.
    expect(retryAfters.length).toBeGreaterThan(10);
    expect(retryAfters[1]!).toBeGreaterThan(retryAfters[0]!);
    expect(Math.max(...retryAfters, row!.seconds)).toBeLessThanOrEqual(THROTTLE.accountMaxDelaySeconds);
    // A new address waits (the guesser's position), saying when to try again...
    const newPlace = await behindProxy('192.0.2.44');
    const wait = await newPlace(email, TEST_PASSWORD);
    expect(wait.status).toBe(429);
    expect(await wait.text()).toMatch(/Try again in \d+ (seconds|minutes?)/);
    // ...but the victim at home signs in straight away with the right password.
    const home = await behindProxy(victimHome);
    expect((await home(email, TEST_PASSWORD)).status).toBe(303);
    // And once the slowdown has run out, from the new address too.
    await waitOutAccountDelay(email);
    expect((await newPlace(email, TEST_PASSWORD)).status).toBe(303);
  });
});

describe('the sign-in throttle without a trusted proxy (TRUST_PROXY=0)', () => {
  it('a spoofed X-Forwarded-For is ignored: the socket address is counted', async () => {
    const attacker = await direct('10.9.9.9');
    for (let i = 0; i < THROTTLE.pairFailures; i++) {
      expect((await attacker('spoofed@throttle.test', `wrong-${i}-password`, `203.0.113.${100 + i}`)).status).toBe(400);
    }
    expect((await attacker('spoofed@throttle.test', TEST_PASSWORD, '192.0.2.200')).status).toBe(429);
    const keys = await db.services.sql<
      { key: string }[]
    >`select key from sign_in_throttle where key like ${'%spoofed@throttle.test%'} order by key`;
    expect(keys.map((k) => k.key)).toEqual(['account:spoofed@throttle.test', 'pair:spoofed@throttle.test 10.9.9.9']);
    // The same person at another address is not locked.
    expect((await (await direct('10.9.9.10'))('spoofed@throttle.test', TEST_PASSWORD)).status).toBe(303);
  });

  it("a successful sign-in clears that email's count at that address", async () => {
    for (let round = 0; round < 2; round++) {
      const person = await direct('10.8.8.8');
      for (let i = 0; i < THROTTLE.pairFailures - 1; i++)
        expect((await person('mistyper@throttle.test', 'typo-typo-typo')).status).toBe(400);
      expect((await person('mistyper@throttle.test', TEST_PASSWORD)).status).toBe(303);
    }
  });

  it('locks an unknown email exactly like a real one, with the same words (no enumeration)', async () => {
    const answers: string[] = [];
    for (const [peer, email] of [
      ['10.7.7.1', 'real@throttle.test'],
      ['10.7.7.2', 'nobody@throttle.test'],
    ] as const) {
      const attempt = await direct(peer);
      for (let i = 0; i < THROTTLE.pairFailures; i++) expect((await attempt(email, `wrong-${i}-password`)).status).toBe(400);
      const res = await attempt(email, TEST_PASSWORD);
      expect(res.status).toBe(429);
      answers.push((await res.text()).match(/Too many failed sign-in attempts[^<]*/)![0]);
    }
    expect(answers[0]).toBe(answers[1]);
  });

  it('counts start again after a quiet window, and expired rows are pruned', async () => {
    await db.services.sql`
      insert into sign_in_throttle (key, failures, last_failure_at, expires_at)
      select 'pair:old' || n || '@throttle.test 10.1.1.1', 3, now() - interval '1 day', now() - interval '1 hour' from generate_series(1, 50) n`;
    await db.services.sql`
      insert into sign_in_throttle (key, failures, last_failure_at, expires_at)
      values ('pair:quiet@throttle.test 10.6.6.6', ${THROTTLE.pairFailures - 1}, now() - make_interval(secs => ${THROTTLE.windowSeconds + 1}), now() + interval '1 minute')`;
    const person = await direct('10.6.6.6');
    expect((await person('quiet@throttle.test', 'wrong-password-1')).status).toBe(400);
    const [quiet] = await db.services.sql<{ failures: number; locked: boolean }[]>`
      select failures, locked_until is not null as locked from sign_in_throttle where key = 'pair:quiet@throttle.test 10.6.6.6'`;
    expect(quiet).toEqual({ failures: 1, locked: false });
    const [left] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from sign_in_throttle where expires_at < now()`;
    expect(left!.n).toBe(0);
  });
});
