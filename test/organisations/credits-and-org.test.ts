import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import { createOrganisation as createOrganisationCommand } from '../../src/organisations/create-organisation.js';
import { addCredits } from '../../src/organisations/credits.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;
let other: OrgFixture;
let requestId: string;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Dogwood', credits: 0 });
  other = await createOrganisation(db.services, { name: 'Rival', credits: 0 });
  await createAccount(db.services, org.organisationId, {
    email: 'teacher@dogwood.test',
    kind: 'administrator',
    managedGroupIds: [org.groups.North!],
  });
  await addCredits(db.services, { organisation: org.organisationId, add: '1000', note: 'Order 1' });
  await addCredits(db.services, { organisation: 'rival', add: 5, note: '=HYPERLINK("http://evil")' });
  // A mass assignment by the system administrator that spent 30 credits.
  const [req] = await db.services.sql<{ id: string }[]>`
    insert into assignment_requests (organisation_id, created_by, items, account_ids, status, credits_spent)
    values (${org.organisationId}, ${org.systemAdmin.id}, '[]', '{}', 'finished', 30) returning id`;
  requestId = req!.id;
  await db.services.sql`update organisations set credits_balance = credits_balance - 30 where id = ${org.organisationId}`;
  await db.services
    .sql`insert into credit_ledger (organisation_id, delta, reason, request_id) values (${org.organisationId}, -30, 'Mass assignment', ${requestId})`;
});

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

describe('credits: operator command feature', () => {
  it('adds a ledger line and the balance in one go, by id or by name ignoring case, audited', async () => {
    const done = await addCredits(db.services, { organisation: 'DOGWOOD', add: '+250', note: ' order 1234 ' });
    expect(done).toMatchObject({ organisationId: org.organisationId, added: 250, balance: 1220 });
    const [line] = await db.services.sql<{ delta: number; reason: string }[]>`
      select delta, reason from credit_ledger where organisation_id = ${org.organisationId} order by id desc limit 1`;
    expect(line).toEqual({ delta: 250, reason: 'order 1234' });
    const [audit] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from audit_log where organisation_id = ${org.organisationId} and action = 'credits.added'`;
    expect(audit!.n).toBe(2);
    await addCredits(db.services, { organisation: 'dogwood', add: -250, note: 'correction' });
  });

  it('refuses bad input with what to fix, and never takes the balance below zero', async () => {
    await expect(addCredits(db.services, { organisation: 'Nowhere', add: 5, note: 'x' })).rejects.toThrow(NotFoundError);
    const bad = await addCredits(db.services, { organisation: 'Dogwood', add: '5x', note: '' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).fields).toMatchObject({
      add: 'The number of credits must be a whole number.',
      note: expect.stringContaining('Give a note'),
    });
    await expect(addCredits(db.services, { organisation: 'Rival', add: -6, note: 'too many' })).rejects.toThrow(
      /fewer than the 6 to remove/,
    );
    await expect(addCredits(db.services, { organisation: 'Rival', add: 0, note: 'zero' })).rejects.toThrow(ValidationError);
  });
});

describe('credits: the Organisation page', () => {
  it('shows the balance and the ledger: when, what, who, amount and a link to the mass assignment', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const { html } = await admin.get('/organisation');
    expect(html).toContain('970</b> credits available');
    expect(html).toContain('Mass assignment');
    expect(html).toContain('System Admin');
    expect(html).toContain(`href="/assignments/requests/${requestId}"`);
    expect(html).toContain('Rosterbridge operator');
    expect(html).toContain('+1,000');
    expect(html).not.toContain('HYPERLINK');
  });

  it('pages the ledger 50 lines at a time', async () => {
    const [o] = await db.services.sql<
      { id: string }[]
    >`insert into organisations (name, credits_balance) values ('Paged', 60) returning id`;
    await db.services
      .sql`insert into credit_ledger (organisation_id, delta, reason, created_at) select ${o!.id}, 1, 'Line ' || i, now() - make_interval(mins => i) from generate_series(1, 60) i`;
    const sys = await createAccount(db.services, o!.id, { email: 'admin@paged.test', kind: 'administrator', isSystemAdmin: true });
    const admin = await signedIn(sys.email);
    const first = await admin.get('/organisation');
    expect(first.html).toContain('>Line 1<');
    expect(first.html).toContain('>Line 50<');
    expect(first.html).not.toContain('>Line 51<');
    const second = await admin.get('/organisation?page=2');
    expect(second.html).toContain('>Line 60<');
    expect(second.html).not.toContain('>Line 50<');
  });

  it('downloads the ledger as CSV with formula cells neutralised', async () => {
    const [sys] = await db.services.sql<{ email: string }[]>`select email from accounts where id = ${other.systemAdmin.id}`;
    const admin = await signedIn(sys!.email);
    const res = await admin.request('/organisation/credits.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const text = await res.text();
    expect(text.split('\r\n')[0]).toBe('When (UTC),What,Who,Amount,Link');
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(text).toContain(',Rosterbridge operator,5,');
    expect(text).not.toContain('Order 1');
  });

  it('is for system administrators only', async () => {
    const teacher = await signedIn('teacher@dogwood.test');
    expect((await teacher.request('/organisation/credits.csv')).status).toBe(404);
    expect((await teacher.request('/organisation')).status).toBe(404);
  });
});

describe('a new organisation and its one-time sign-in link', () => {
  it('creates the organisation and its first system administrator, whose link chooses a password once', async () => {
    const made = await createOrganisationCommand(db.services, { name: ' Maple Grove ', adminEmail: 'Head@School.org' });
    expect(made.name).toBe('Maple Grove');
    const [admin] = await db.services.sql<
      { is_system_admin: boolean; password_hash: string | null }[]
    >`select is_system_admin, password_hash from accounts where id = ${made.adminId}`;
    expect(admin).toEqual({ is_system_admin: true, password_hash: null });
    const path = new URL(made.signInLink).pathname;

    const visitor = new TestClient(createTestApp(db));
    const page = await visitor.get(path);
    expect(page.html).toContain('Choose your password');
    expect(page.html).toContain('Head@School.org');
    const mismatch = await visitor.post(path, { newPassword: 'maple-grove-1', confirmPassword: 'other-one-22' });
    expect(mismatch.status).toBe(400);
    const res = await visitor.post(path, { newPassword: 'maple-grove-1', confirmPassword: 'maple-grove-1' });
    expect(res.status).toBe(303);
    expect((await visitor.get('/organisation')).html).toContain('Maple Grove');

    const again = new TestClient(createTestApp(db));
    expect((await again.get(path)).res.status).toBe(410);
    await again.get('/sign-in');
    expect((await again.post(path, { newPassword: 'hijacked-pass', confirmPassword: 'hijacked-pass' })).status).toBe(410);
    await again.signIn('head@school.org', 'maple-grove-1');
  });

  it('refuses a name already used, a bad email, and an unknown or forged link', async () => {
    await expect(createOrganisationCommand(db.services, { name: 'maple grove', adminEmail: 'x@y.org' })).rejects.toThrow(ValidationError);
    await expect(createOrganisationCommand(db.services, { name: 'Elm', adminEmail: 'nope' })).rejects.toThrow(ValidationError);
    await expect(createOrganisationCommand(db.services, { name: '', adminEmail: 'a@b.org' })).rejects.toThrow(ValidationError);
    const visitor = new TestClient(createTestApp(db));
    expect((await visitor.get('/sign-in/link/forgedforgedforgedforged123')).res.status).toBe(410);
  });

  it('npm run org: creates, adds credits, and exits non-zero with a clear message on bad input', { timeout: 300_000 }, async () => {
    const run = promisify(execFile);
    const env = { ...process.env, DATABASE_URL: db.url, ROSTERBRIDGE_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'rb-org-')) };
    const cli = ['tsx', 'src/db/org-cli.ts'];
    const created = await run('npx', [...cli, 'create', '--name', 'Oak Ridge', '--admin-email', 'head@oak.test'], { env });
    expect(created.stdout).toContain('Created the organisation "Oak Ridge"');
    expect(created.stdout).toMatch(/\/sign-in\/link\/[A-Za-z0-9_-]{30,}/);
    const credits = await run('npx', [...cli, 'credits', '--org', 'oak ridge', '--add', '500', '--note', 'order 1234'], { env });
    expect(credits.stdout).toContain('Added 500 credits to "Oak Ridge"');
    expect(credits.stdout).toContain('The balance is now 500 credits.');
    const bad = await run('npx', [...cli, 'credits', '--org', 'Oak Ridge', '--add', 'lots'], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr).toContain('--add: The number of credits must be a whole number.');
  });
});
