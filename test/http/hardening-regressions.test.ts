import { beforeAll, describe, expect, it } from 'vitest';
import { addressFromChain } from '../../src/http/client-address.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

/** One test per defect of the hardening issue (13) that the input layer and its helpers fix at the root. */
const db = useTestDatabase();
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Harden' });
  await createAccount(db.services, org.organisationId, { email: 'pupil@harden.test', groupId: org.groups.North! });
});

async function admin(): Promise<TestClient> {
  const client = new TestClient(createTestApp(db));
  await client.signIn(org.systemAdmin.email);
  return client;
}

describe('defects of the hardening pass', () => {
  it('open redirect: next=/%09/localhost:9/x after sign-in stays on our origin', async () => {
    const client = new TestClient(createTestApp(db));
    await client.get('/sign-in?next=%2F%09%2Flocalhost%3A9%2Fx');
    const res = await client.post('/sign-in', {
      email: org.systemAdmin.email,
      password: 'correct-horse-battery',
      next: '/\t/localhost:9/x',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });

  it('next=/%0A/x is not a 500, and a signed-in visitor is sent to our own page', async () => {
    const client = await admin();
    const res = await client.request('/sign-in?next=%2F%0A%2Fx');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const ok = await client.request('/sign-in?next=%2Faccounts%3Fpage%3D2');
    expect(ok.headers.get('location')).toBe('/accounts?page=2');
  });

  it('Classroom connect: returnTo=/%5Chost/x is not carried to Google and back', async () => {
    const client = await admin();
    const res = await client.request('/classroom/connect?returnTo=%2F%5Chost%2Fx');
    expect(res.status).toBe(303);
    const [session] = await db.services.sql<{ data: { googleConsent?: { returnTo: string } } }[]>`
      select data from sessions s join accounts a on a.id = s.account_id where a.email = ${org.systemAdmin.email} order by s.created_at desc limit 1`;
    expect(session!.data.googleConsent!.returnTo).toBe('/classroom/import');
  });

  it.each([
    ['Create Account first name', '/accounts/new', { firstName: 'A\u0000', lastName: 'B', email: 'a@b.example', kind: 'user' }],
    ['Create Account email', '/accounts/new', { firstName: 'A', lastName: 'B', email: 'a\u0000@b.example', kind: 'user' }],
    ['a preset name', '/assignments/presets/new', { name: 'Preset\u0000', action: 'save' }],
  ])('a NUL byte in %s is a 400 saying which field, not a 500', async (_name, path, form) => {
    const client = await admin();
    const res = await client.post(path, form);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('contains a control character');
  });

  it('a NUL byte in the View Accounts search and in the sign-in email is a 400', async () => {
    const client = await admin();
    expect((await client.request('/accounts?q=a%00b')).status).toBe(400);
    const visitor = new TestClient(createTestApp(db));
    await visitor.get('/sign-in');
    expect((await visitor.post('/sign-in', { email: 'a\u0000@b.example', password: 'x' })).status).toBe(400);
  });

  it('/accounts?page=99999999999999999999 shows the last page; ?page=abc the first', async () => {
    const client = await admin();
    const huge = await client.get('/accounts?page=99999999999999999999');
    expect(huge.res.status).toBe(200);
    expect(huge.html).toContain('pupil@harden.test');
    const abc = await client.get('/accounts?page=abc');
    expect(abc.res.status).toBe(200);
    expect(abc.html).toContain('pupil@harden.test');
  });

  it('the Classroom review page reads ?page through the page schema (abc is page 1, not NaN)', async () => {
    const client = await admin();
    // A batch id that names nothing: the page answers 404 whatever the page number, never 500.
    for (const page of ['abc', '99999999999999999999', '-1', '1e400']) {
      const res = await client.request(`/classroom/import/${crypto.randomUUID()}?page=${page}`);
      expect(res.status).toBe(404);
    }
  });
});

describe('the client address behind proxies (TRUST_PROXY)', () => {
  it.each([
    ['no proxy trusted: the socket peer, whatever the header says', '10.0.0.5', '203.0.113.9', 0, '10.0.0.5'],
    ['one proxy: the address it appended', '10.0.0.5', '198.51.100.1, 203.0.113.9', 1, '203.0.113.9'],
    ['two proxies: one hop further left', '10.0.0.5', '198.51.100.1, 203.0.113.9, 10.0.0.7', 2, '203.0.113.9'],
    ['a forged entry further left is not believed', '10.0.0.5', '6.6.6.6, 203.0.113.9', 1, '203.0.113.9'],
    ['fewer entries than hops: the leftmost', '10.0.0.5', '203.0.113.9', 3, '203.0.113.9'],
    ['IPv4-mapped IPv6 peer', '::ffff:10.0.0.5', undefined, 0, '10.0.0.5'],
    ['garbage is no address', '10.0.0.5', 'not-an-ip', 1, null],
  ] as const)('%s', (_name, peer, header, hops, expected) => {
    expect(addressFromChain(peer, header, hops)).toBe(expected);
  });
});
