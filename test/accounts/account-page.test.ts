import { beforeAll, describe, expect, it } from 'vitest';
import { changeAccountStatus, editAccount } from '../../src/accounts/account-changes.js';
import { completePasswordReset, sendPasswordReset } from '../../src/accounts/password-reset.js';
import { createAssignmentRequest } from '../../src/assignments/request.js';
import { runAssignmentRequest } from '../../src/assignments/run.js';
import { listProducts } from '../../src/assignments/catalogue.js';
import { loadActor } from '../../src/auth/actor.js';
import { signIn } from '../../src/auth/sign-in.js';
import type { Ctx } from '../../src/context.js';
import { seedDemoCatalogue } from '../../src/db/seed-catalogue.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.js';
import {
  checkImportBatch,
  createImportBatch,
  runImport,
  stageImportRows,
  startImport,
  type ImportRowInput,
} from '../../src/imports/engine.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, TEST_PASSWORD, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;
let other: OrgFixture;
let teacher: { id: string; email: string };
let north: { id: string; email: string };
let south: { id: string; email: string };
let stranger: { id: string; email: string };
let secondAdmin: { id: string; email: string };

beforeAll(async () => {
  await seedDemoCatalogue(db.services);
  org = await createOrganisation(db.services, { name: 'Birch', groups: ['North', 'South'], tags: ['Grade 9', 'Grade 10'], credits: 100 });
  other = await createOrganisation(db.services, { name: 'Rowan', groups: ['Far'] });
  teacher = await createAccount(db.services, org.organisationId, {
    email: 'teacher@birch.test',
    kind: 'administrator',
    firstName: 'Tess',
    lastName: 'Teacher',
    managedGroupIds: [org.groups.North!],
  });
  north = await createAccount(db.services, org.organisationId, {
    email: 'nora@birch.test',
    firstName: 'Nora',
    lastName: 'North',
    groupId: org.groups.North!,
    tagIds: [org.tags['Grade 9']!],
  });
  south = await createAccount(db.services, org.organisationId, {
    email: 'sam@birch.test',
    firstName: 'Sam',
    lastName: 'South',
    groupId: org.groups.South!,
  });
  secondAdmin = await createAccount(db.services, org.organisationId, {
    email: 'second@birch.test',
    kind: 'administrator',
    isSystemAdmin: true,
    firstName: 'Sec',
    lastName: 'Ond',
  });
  stranger = await createAccount(db.services, other.organisationId, { email: 'stranger@rowan.test', groupId: other.groups.Far! });
});

async function ctxFor(id: string): Promise<Ctx> {
  return { ...db.services, actor: (await loadActor(db.services, id))! };
}

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

describe("An account's page: happy path", () => {
  it('shows the details, the assignments with progress and the mass assignment that made them, and the history', async () => {
    const admin = await ctxFor(org.systemAdmin.id);
    const product = (await listProducts(db.services)).find((p) => p.name === 'Life Skills')!;
    const items = [
      { productId: product.id, edition: 'standard' as const, mode: 'manual' as const, unitIds: product.units.slice(0, 2).map((u) => u.id) },
    ];
    const { requestId } = await createAssignmentRequest(admin, {
      targets: { kind: 'accounts', accountIds: [north.id] },
      items,
      origin: 'import',
    });
    await runAssignmentRequest(db.services, requestId);
    await db.services
      .sql`insert into unit_assignments (account_id, product_id, unit_id, status, completed_at) values (${north.id}, ${product.id}, ${product.units[0]!.id}, 'completed', now())`;
    const client = await signedIn(org.systemAdmin.email);
    const { res, html } = await client.get(`/accounts/${north.id}`);
    expect(res.status).toBe(200);
    expect(html).toContain('Nora North');
    expect(html).toContain('nora@birch.test');
    expect(html).toContain('Grade 9');
    expect(html).toContain('Life Skills');
    expect(html).toContain('1 of 2 units completed');
    expect(html).toContain('In progress');
    expect(html).toContain(`/assignments/requests/${requestId}`);
    expect(html).toContain('Active');
  });

  it('is linked from every name in View Accounts', async () => {
    const client = await signedIn(org.systemAdmin.email);
    const { html } = await client.get('/accounts');
    expect(html).toContain(`<a href="/accounts/${south.id}">Sam South</a>`);
  });

  it('edits name, email, group and tags with the rules of Create Account, and records it', async () => {
    const client = await signedIn(org.systemAdmin.email);
    await client.get(`/accounts/${south.id}`);
    const res = await client.post(`/accounts/${south.id}/edit`, {
      firstName: 'Samuel',
      lastName: 'South',
      email: 'samuel@birch.test',
      groupId: org.groups.North!,
      tagIds: [org.tags['Grade 10']!],
    });
    expect(res.status).toBe(303);
    const [row] = await db.services.sql`select first_name, email, group_id from accounts where id = ${south.id}`;
    expect(row).toEqual({ first_name: 'Samuel', email: 'samuel@birch.test', group_id: org.groups.North! });
    const tags = await db.services.sql`select tag_id from account_tags where account_id = ${south.id}`;
    expect(tags.map((t) => t.tag_id)).toEqual([org.tags['Grade 10']!]);
    expect(res.headers.get('location')).toBe(`/accounts/${south.id}?done=saved`);
    const page = await client.get(res.headers.get('location')!);
    expect(page.html).toContain('The changes were saved.');
    expect(page.html).toContain('Details edited (by System Admin)');
    // Put back for the other tests.
    await editAccount(await ctxFor(org.systemAdmin.id), south.id, {
      firstName: 'Sam',
      lastName: 'South',
      email: 'sam@birch.test',
      groupId: org.groups.South!,
      tagIds: [],
    });
  });

  it('sets a new password and signs the account out everywhere', async () => {
    const learner = await signedIn(north.email);
    const client = await signedIn(org.systemAdmin.email);
    await client.get(`/accounts/${north.id}`);
    const res = await client.post(`/accounts/${north.id}/password`, { password: 'a-brand-new-one', confirmPassword: 'a-brand-new-one' });
    expect(res.status).toBe(303);
    expect((await learner.get('/account')).res.status).toBe(303);
    await expect(signIn(db.services, { email: north.email, password: 'a-brand-new-one', address: null })).resolves.toMatchObject({
      accountId: north.id,
    });
    await db.services
      .sql`update accounts set password_hash = (select password_hash from accounts where id = ${south.id}) where id = ${north.id}`;
  });

  it('sends a single-use reset link through the outbox, storing only its hash; the link ends every session', async () => {
    const learner = await signedIn(south.email);
    await sendPasswordReset(await ctxFor(org.systemAdmin.id), south.id);
    const [mail] = await db.services.sql<
      { text_body: string }[]
    >`select text_body from outbox_emails where to_address = ${south.email} order by created_at desc limit 1`;
    const link = mail!.text_body.match(/http:\/\/rosterbridge\.test(\/reset-password\/[A-Za-z0-9_-]+)/)![1]!;
    const token = link.split('/').pop()!;
    const stored = await db.services
      .sql`select token_hash, extract(epoch from expires_at - created_at)::int as seconds from one_time_links where purpose = 'password_reset' and account_id = ${south.id}`;
    expect(stored.map((r) => r.token_hash)).not.toContain(token);
    expect(stored.map((r) => r.seconds)).toEqual([3600]);
    const anonymous = new TestClient(createTestApp(db));
    const page = await anonymous.get(link);
    expect(page.html).toContain('Choose a new password');
    const short = await anonymous.post(link, { password: 'short', confirmPassword: 'short' });
    expect(short.status).toBe(400);
    const done = await anonymous.post(link, { password: 'reset-by-link-1', confirmPassword: 'reset-by-link-1' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your password was changed');
    expect((await learner.get('/account')).res.status).toBe(303);
    await expect(signIn(db.services, { email: south.email, password: 'reset-by-link-1', address: null })).resolves.toMatchObject({
      accountId: south.id,
    });
    // Single use.
    expect((await anonymous.get(link)).res.status).toBe(404);
    await expect(
      completePasswordReset(db.services, { token, password: 'again-and-again', confirmPassword: 'again-and-again' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a link older than an hour no longer works', async () => {
    await sendPasswordReset(await ctxFor(org.systemAdmin.id), north.id);
    const [mail] = await db.services.sql<
      { text_body: string }[]
    >`select text_body from outbox_emails where to_address = ${north.email} order by created_at desc limit 1`;
    const token = mail!.text_body.match(/reset-password\/([A-Za-z0-9_-]+)/)![1]!;
    await db.services
      .sql`update one_time_links set expires_at = now() - interval '1 second' where purpose = 'password_reset' and account_id = ${north.id} and used_at is null`;
    await expect(
      completePasswordReset(db.services, { token, password: 'too-late-now', confirmPassword: 'too-late-now' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('signs out everywhere', async () => {
    const learner = await signedIn(north.email);
    const client = await signedIn(org.systemAdmin.email);
    await client.get(`/accounts/${north.id}`);
    expect((await client.post(`/accounts/${north.id}/sign-out`)).status).toBe(303);
    expect((await learner.get('/account')).res.status).toBe(303);
  });

  it('deactivates: sign-in refused, sessions ended, badge and filter; mass assign skips it with its reason; reactivates', async () => {
    const learner = await signedIn(north.email);
    const client = await signedIn(org.systemAdmin.email);
    await client.get(`/accounts/${north.id}`);
    expect((await client.post(`/accounts/${north.id}/deactivate`)).status).toBe(303);
    expect((await learner.get('/account')).res.status).toBe(303);
    await expect(signIn(db.services, { email: north.email, password: TEST_PASSWORD, address: null })).rejects.toThrow('deactivated');
    const list = await client.get('/accounts?status=deactivated');
    expect(list.html).toContain('Nora North');
    expect(list.html).toContain('badge-deactivated');
    expect(list.html).toContain('1 account match');
    expect((await client.get('/accounts?status=active')).html).not.toContain('Nora North');

    const admin = await ctxFor(org.systemAdmin.id);
    const product = (await listProducts(db.services)).find((p) => p.name !== 'Life Skills')!;
    const items = [{ productId: product.id, edition: 'standard' as const, mode: 'manual' as const, unitIds: [product.units[0]!.id] }];
    const { requestId } = await createAssignmentRequest(admin, {
      targets: { kind: 'accounts', accountIds: [north.id, south.id] },
      items,
      origin: 'import',
    });
    await runAssignmentRequest(db.services, requestId);
    const outcomes = await db.services.sql`select account_id, outcome, reason from assignment_outcomes where request_id = ${requestId}`;
    expect(outcomes).toEqual([{ account_id: north.id, outcome: 'skipped', reason: expect.stringContaining('deactivated') }]);

    expect((await client.post(`/accounts/${north.id}/reactivate`)).status).toBe(303);
    await expect(signIn(db.services, { email: north.email, password: TEST_PASSWORD, address: null })).resolves.toMatchObject({
      accountId: north.id,
    });
    const history = await client.get(`/accounts/${north.id}`);
    expect(history.html).toContain('Deactivated (by System Admin)');
    expect(history.html).toContain('Reactivated (by System Admin)');
  });

  it('deletes on a confirmation page that names the assignments and progress going with it', async () => {
    const doomed = await createAccount(db.services, org.organisationId, {
      email: 'doomed@birch.test',
      firstName: 'Dee',
      lastName: 'Oomed',
      groupId: org.groups.North!,
    });
    const admin = await ctxFor(org.systemAdmin.id);
    const product = (await listProducts(db.services)).find((p) => p.name === 'Life Skills')!;
    const { requestId } = await createAssignmentRequest(admin, {
      targets: { kind: 'accounts', accountIds: [doomed.id] },
      items: [{ productId: product.id, edition: 'standard', mode: 'manual', unitIds: [product.units[0]!.id] }],
      origin: 'import',
    });
    await runAssignmentRequest(db.services, requestId);
    const client = await signedIn(org.systemAdmin.email);
    const confirm = await client.get(`/accounts/${doomed.id}/delete`);
    expect(confirm.html).toContain('also deletes its 1 assignment');
    expect((await client.post(`/accounts/${doomed.id}/delete`)).headers.get('location')).toBe('/accounts?done=deleted');
    expect(await db.services.sql`select 1 from accounts where id = ${doomed.id}`).toHaveLength(0);
    expect(await db.services.sql`select 1 from assignments where account_id = ${doomed.id}`).toHaveLength(0);
  });
});

describe("An account's page: errors", () => {
  it('refuses an email another account of the organisation uses, ignoring case, and keeps what was typed', async () => {
    const client = await signedIn(org.systemAdmin.email);
    await client.get(`/accounts/${south.id}`);
    const res = await client.post(`/accounts/${south.id}/edit`, {
      firstName: 'Typed Name',
      lastName: 'South',
      email: 'NORA@birch.test',
      groupId: org.groups.South!,
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('An account with this email already exists in your organisation.');
    expect(html).toContain('value="Typed Name"');
    const [row] = await db.services.sql`select first_name, email from accounts where id = ${south.id}`;
    expect(row).toEqual({ first_name: 'Sam', email: 'sam@birch.test' });
  });

  it('refuses a bad email, an empty name, a learner without a group and mismatched passwords', async () => {
    const admin = await ctxFor(org.systemAdmin.id);
    const error = await editAccount(admin, south.id, {
      firstName: '',
      lastName: 'South',
      email: 'not-an-email',
      groupId: '',
      tagIds: [],
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(Object.keys((error as ValidationError).fields).sort()).toEqual(['email', 'firstName', 'groupId']);
    const client = await signedIn(org.systemAdmin.email);
    await client.get(`/accounts/${south.id}`);
    const res = await client.post(`/accounts/${south.id}/password`, { password: 'one-password', confirmPassword: 'another-one' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('The two passwords are not the same.');
  });

  it('nobody deactivates or deletes themselves; the last system administrator stays', async () => {
    const admin = await ctxFor(org.systemAdmin.id);
    await expect(changeAccountStatus(admin, org.systemAdmin.id, 'deactivate')).rejects.toThrow('You cannot deactivate your own account.');
    await expect(changeAccountStatus(admin, org.systemAdmin.id, 'delete')).rejects.toThrow('You cannot delete your own account.');
    // The other system administrator deactivated leaves this one: allowed. Then that one cannot remove this one (itself deactivated, it cannot act at all).
    await changeAccountStatus(admin, secondAdmin.id, 'deactivate');
    expect(await loadActor(db.services, secondAdmin.id)).toBeNull();
    await changeAccountStatus(admin, secondAdmin.id, 'reactivate');
    const client = await signedIn(org.systemAdmin.email);
    await client.get(`/accounts/${org.systemAdmin.id}`);
    const res = await client.post(`/accounts/${org.systemAdmin.id}/delete`);
    expect(res.status).toBe(400);
    expect(await db.services.sql`select 1 from accounts where id = ${org.systemAdmin.id}`).toHaveLength(1);
  });
});

describe("An account's page: security", () => {
  it("another organisation's account is not found, for page and every action", async () => {
    const client = await signedIn(org.systemAdmin.email);
    expect((await client.get(`/accounts/${stranger.id}`)).res.status).toBe(404);
    for (const action of ['edit', 'password', 'password-reset', 'sign-out', 'deactivate', 'reactivate', 'delete']) {
      const res = await client.post(`/accounts/${stranger.id}/${action}`, {
        firstName: 'X',
        lastName: 'Y',
        email: 'x@y.test',
        password: 'long-enough-pw',
        confirmPassword: 'long-enough-pw',
      });
      expect(res.status, action).toBe(404);
    }
    expect(
      await db.services.sql`select 1 from accounts where id = ${stranger.id} and deactivated_at is null and first_name = 'Test'`,
    ).toHaveLength(1);
  });

  it("a group administrator acts on learners of their groups only: another group's account is not found, an administrator is read-only", async () => {
    const t = await ctxFor(teacher.id);
    await expect(changeAccountStatus(t, south.id, 'deactivate')).rejects.toBeInstanceOf(NotFoundError);
    await expect(changeAccountStatus(t, secondAdmin.id, 'deactivate')).rejects.toBeInstanceOf(NotFoundError);
    const client = await signedIn(teacher.email);
    expect((await client.get(`/accounts/${south.id}`)).res.status).toBe(404);
    const own = await client.get(`/accounts/${north.id}`);
    expect(own.res.status).toBe(200);
    // A teacher moving a learner to a group they do not manage is refused.
    const res = await client.post(`/accounts/${north.id}/edit`, {
      firstName: 'Nora',
      lastName: 'North',
      email: 'nora@birch.test',
      groupId: org.groups.South!,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Choose one of the groups you manage.');
    // An administrator account in the teacher's group is theirs to read, not to change.
    const colleague = await createAccount(db.services, org.organisationId, {
      email: 'colleague@birch.test',
      kind: 'administrator',
      groupId: org.groups.North!,
      managedGroupIds: [org.groups.North!],
    });
    await expect(changeAccountStatus(t, colleague.id, 'deactivate')).rejects.toBeInstanceOf(ForbiddenError);
    expect((await client.get(`/accounts/${colleague.id}`)).html).toContain('Only system administrators can change administrator accounts.');
  });

  it('learners get 404 and every form needs the CSRF token', async () => {
    const learner = await signedIn(north.email);
    expect((await learner.get(`/accounts/${north.id}`)).res.status).toBe(404);
    const client = await signedIn(org.systemAdmin.email);
    const res = await client.post(`/accounts/${south.id}/deactivate`, { _csrf: 'wrong' });
    expect(res.status).toBe(403);
    expect(await db.services.sql`select 1 from accounts where id = ${south.id} and deactivated_at is null`).toHaveLength(1);
  });
});

describe("An account's page: the import that created it", () => {
  async function imported(
    source: 'csv' | 'classroom',
    email: string,
    extra: Partial<ImportRowInput> = {},
  ): Promise<{ batchId: string; accountId: string }> {
    const ctx = await ctxFor(org.systemAdmin.id);
    const { id } = await createImportBatch(ctx, { source, options: { groupId: org.groups.South!, sharedPassword: 'shared-secret-1' } });
    await stageImportRows(ctx, id, [{ rowNumber: 2, firstName: 'Ira', lastName: 'Imported', email, ...extra }]);
    expect(await checkImportBatch(ctx, id)).toMatchObject({ toCreate: 1 });
    await startImport(ctx, id);
    expect(await runImport(db.services, id)).toBe('finished');
    const [account] = await db.services.sql<{ id: string }[]>`select id from accounts where email = ${email}`;
    return { batchId: id, accountId: account!.id };
  }

  it('shows "Created by a CSV import" with a link to the import, and the Classroom equivalent', async () => {
    const client = await signedIn(org.systemAdmin.email);
    const csv = await imported('csv', 'ira.csv@birch.test');
    const csvPage = (await client.get(`/accounts/${csv.accountId}`)).html;
    expect(csvPage).toMatch(new RegExp(`<a href="/imports/${csv.batchId}">Created by a CSV import</a>\\s*\\(by System Admin\\)`));
    const classroom = await imported('classroom', 'ira.gc@birch.test', { googleUserId: 'g-ira' });
    const classroomPage = (await client.get(`/accounts/${classroom.accountId}`)).html;
    expect(classroomPage).toContain(`<a href="/imports/${classroom.batchId}">Created by a Google Classroom import or sync</a>`);
    expect(classroomPage).not.toContain('Created by a CSV import');
    // An import that is no longer kept leaves the line, without its link.
    await db.services.sql`delete from import_batches where id = ${csv.batchId}`;
    const after = (await client.get(`/accounts/${csv.accountId}`)).html;
    expect(after).toContain('Created by a CSV import');
    expect(after).not.toContain(`/imports/${csv.batchId}`);
  });
});
