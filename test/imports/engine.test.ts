import { beforeAll, describe, expect, it } from 'vitest';
import argon2 from 'argon2';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import { changeUpdateChoice } from '../../src/imports/check.js';
import {
  checkImportBatch,
  createImportBatch,
  getImportBatch,
  listImportRows,
  runImport,
  stageImportRows,
  startImport,
  updateImportOptions,
  type ImportOptionsPatch,
  type ImportRowInput,
} from '../../src/imports/engine.js';
import { createSession } from '../../src/auth/sessions.js';
import { reasonsWords } from '../../views/import-reasons.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { queuedJobs } from '../helpers/jobs.js';

const db = useTestDatabase();
let org: OrgFixture;
let other: OrgFixture;
let sysCtx: Ctx;
let teacherCtx: Ctx;

async function ctxFor(accountId: string): Promise<Ctx> {
  const actor = await loadActor(db.services, accountId);
  return { ...db.services, actor: actor! };
}

beforeAll(async () => {
  org = await createOrganisation(db.services, {
    name: 'Engine',
    groups: ['North', 'South'],
    tags: ['Grade 9', 'Grade 10'],
    welcomeEmailEnabled: true,
  });
  other = await createOrganisation(db.services, { name: 'Elsewhere' });
  sysCtx = await ctxFor(org.systemAdmin.id);
  const teacher = await createAccount(db.services, org.organisationId, {
    email: 'teacher@engine.test',
    kind: 'administrator',
    groupId: org.groups.North!,
    managedGroupIds: [org.groups.North!],
  });
  teacherCtx = await ctxFor(teacher.id);
});

function row(n: number, extra: Partial<ImportRowInput> = {}): ImportRowInput {
  return { rowNumber: n, firstName: `First${n}`, lastName: `Last${n}`, email: `person${n}@engine.test`, ...extra };
}

async function prepared(ctx: Ctx, rows: ImportRowInput[], options: ImportOptionsPatch = {}, source: 'csv' | 'classroom' = 'csv') {
  const { id } = await createImportBatch(ctx, { source, options });
  await stageImportRows(ctx, id, rows);
  const summary = await checkImportBatch(ctx, id);
  return { id, summary };
}

async function outcomes(ctx: Ctx, id: string) {
  const { rows } = await listImportRows(ctx, id, { pageSize: 1000 });
  return Object.fromEntries(rows.map((r) => [r.rowNumber, { outcome: r.outcome, reason: r.reason ? reasonsWords(r.reason) : null }]));
}

describe('import engine: happy path', () => {
  it('creates accounts with one shared password hashed once, the group, tags, welcome emails and the finish email', async () => {
    const rows = [row(2), row(3), row(4, { email: 'MixedCase@Engine.test' })];
    const { id, summary } = await prepared(sysCtx, rows, {
      groupId: org.groups.South!,
      tagIds: [org.tags['Grade 9']!],
      sharedPassword: 'shared-secret-1',
      mustChangePassword: true,
      sendWelcomeEmail: true,
    });
    expect(summary).toEqual({ total: 3, toCreate: 3, toUpdate: 0, toKeep: 0, toSkip: 0 });
    await startImport(sysCtx, id);
    expect((await queuedJobs(db)).map((j) => j.task)).toContain('run_import');
    expect(await runImport(db.services, id)).toBe('finished');

    const created = await db.services.sql<
      { email: string; password_hash: string; must_change_password: boolean; group_id: string; source: string; tags: string[] }[]
    >`
      select a.email, a.password_hash, a.must_change_password, a.group_id, a.source,
        array(select t.name from account_tags at join tags t on t.id = at.tag_id where at.account_id = a.id) as tags
      from accounts a where a.organisation_id = ${org.organisationId} and a.email in ('person2@engine.test', 'person3@engine.test', 'MixedCase@Engine.test')`;
    expect(created).toHaveLength(3);
    expect(new Set(created.map((c) => c.password_hash)).size).toBe(1);
    expect(await argon2.verify(created[0]!.password_hash, 'shared-secret-1')).toBe(true);
    for (const c of created) {
      expect(c.must_change_password).toBe(true);
      expect(c.group_id).toBe(org.groups.South);
      expect(c.source).toBe('csv');
      expect(c.tags).toEqual(['Grade 9']);
    }
    const batch = await getImportBatch(sysCtx, id);
    expect(batch.status).toBe('finished');
    expect([batch.createdCount, batch.updatedCount, batch.keptCount, batch.skippedCount, batch.processedRows]).toEqual([3, 0, 0, 0, 3]);
    const mail = await db.services.sql<{ to_address: string; subject: string; text_body: string }[]>`
      select to_address, subject, text_body from outbox_emails where organisation_id = ${org.organisationId} order by created_at`;
    expect(
      mail
        .filter((m) => m.subject.startsWith('Your Engine account'))
        .map((m) => m.to_address)
        .sort(),
    ).toEqual(['MixedCase@Engine.test', 'person2@engine.test', 'person3@engine.test'].sort());
    const finished = mail.find((m) => m.subject.startsWith('Batch import finished'));
    expect(finished?.to_address).toBe('admin@engine.test');
    expect(finished?.text_body).toContain('Created: 3 accounts');
    expect(finished?.text_body).toContain(`http://rosterbridge.test/imports/${id}`);
    const jobs = await queuedJobs(db);
    expect(jobs.filter((j) => j.task === 'send_email').length).toBeGreaterThanOrEqual(4);
  });

  it("hashes each row's own password in the job, never keeping the typed one", async () => {
    const rows = [
      row(2, { email: 'own1@engine.test', password: 'own-password-1' }),
      row(3, { email: 'own2@engine.test', password: 'own-password-2' }),
    ];
    const { id } = await prepared(sysCtx, rows, { groupId: org.groups.North! });
    await startImport(sysCtx, id);
    expect((await getImportBatch(sysCtx, id)).passwordsToHash).toBe(2);
    await runImport(db.services, id, { hashChunkSize: 1 });
    const [a] = await db.services.sql<{ password_hash: string }[]>`select password_hash from accounts where email = 'own1@engine.test'`;
    const [b] = await db.services.sql<{ password_hash: string }[]>`select password_hash from accounts where email = 'own2@engine.test'`;
    expect(await argon2.verify(a!.password_hash, 'own-password-1')).toBe(true);
    expect(await argon2.verify(b!.password_hash, 'own-password-2')).toBe(true);
    const [left] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from import_rows where batch_id = ${id} and password is not null`;
    expect(left!.n).toBe(0);
    expect((await getImportBatch(sysCtx, id)).passwordsHashed).toBe(2);
  });

  it('matches by Google user id first, then by email ignoring case, and stores the Google id on new accounts', async () => {
    const byGoogle = await createAccount(db.services, org.organisationId, {
      email: 'old-address@engine.test',
      googleUserId: 'g-100',
      groupId: org.groups.North!,
    });
    const byEmail = await createAccount(db.services, org.organisationId, { email: 'Case@Engine.test', groupId: org.groups.North! });
    const rows = [
      row(2, { email: 'new-address@engine.test', googleUserId: 'g-100' }),
      row(3, { email: 'case@engine.TEST', googleUserId: 'g-101' }),
      row(4, { email: 'fresh@engine.test', googleUserId: 'g-102' }),
    ];
    const { id } = await prepared(
      sysCtx,
      rows,
      { groupId: org.groups.North!, sharedPassword: 'shared-secret-1', updateExisting: { tags: true } },
      'classroom',
    );
    const seen = await listImportRows(sysCtx, id);
    expect(seen.rows.map((r) => [r.outcome, r.accountId])).toEqual([
      ['update', byGoogle.id],
      ['update', byEmail.id],
      ['create', null],
    ]);
    await startImport(sysCtx, id);
    await runImport(db.services, id);
    const [linked] = await db.services.sql<
      { google_user_id: string | null; email: string }[]
    >`select google_user_id, email from accounts where id = ${byEmail.id}`;
    expect(linked).toEqual({ google_user_id: 'g-101', email: 'Case@Engine.test' });
    const [fresh] = await db.services.sql<
      { google_user_id: string; source: string }[]
    >`select google_user_id, source from accounts where email = 'fresh@engine.test'`;
    expect(fresh).toEqual({ google_user_id: 'g-102', source: 'classroom' });
  });

  it('accepts rows with a Google id and no email when a placeholder domain is chosen, with no password when allowed', async () => {
    const rows = [row(1, { email: '', googleUserId: 'G-Hidden-1' }), row(2, { email: '', googleUserId: null })];
    const { id, summary } = await prepared(
      sysCtx,
      rows,
      { groupId: org.groups.North!, allowNoPassword: true, placeholderEmailDomain: 'classroom.invalid' },
      'classroom',
    );
    expect(summary.toCreate).toBe(1);
    expect((await outcomes(sysCtx, id))[2]).toEqual({ outcome: 'skip', reason: 'The email is missing.' });
    await startImport(sysCtx, id);
    await runImport(db.services, id);
    const [created] = await db.services.sql<{ email: string; password_hash: string | null; google_user_id: string }[]>`
      select email, password_hash, google_user_id from accounts where google_user_id = 'G-Hidden-1'`;
    expect(created).toEqual({ email: 'g-hidden-1@classroom.invalid', password_hash: null, google_user_id: 'G-Hidden-1' });
  });
  it('imports administrators (system administrators only), each managing the group it is put in', async () => {
    const { id, summary } = await prepared(sysCtx, [row(2, { email: 'new-admin@engine.test', groupName: 'South' })], {
      accountKind: 'administrator',
      sharedPassword: 'shared-secret-1',
    });
    expect(summary.toCreate).toBe(1);
    await startImport(sysCtx, id);
    await runImport(db.services, id);
    const [admin] = await db.services.sql<{ kind: string; is_system_admin: boolean; managed: string[] }[]>`
      select kind, is_system_admin, array(select group_id::text from administrator_groups ag where ag.account_id = a.id) as managed
      from accounts a where email = 'new-admin@engine.test'`;
    expect(admin).toEqual({ kind: 'administrator', is_system_admin: false, managed: [org.groups.South] });
  });
});

describe('import engine: the check', () => {
  it("gives the accounts to create ids in row order, so they go in at the end of the accounts' index", async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row(900_000 + i * 3));
    const { id } = await prepared(sysCtx, rows, { groupId: org.groups.North!, sharedPassword: 'Shared-pass-123' });
    const ids = (
      await db.services.sql<{ id: string }[]>`select new_account_id::text as id from import_rows where batch_id = ${id} order by row_number`
    ).map((r) => r.id);
    expect(ids).toHaveLength(5000);
    expect(new Set(ids).size).toBe(5000);
    expect(ids.every((x) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/.test(x))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });

  it('skips an email with a dot at either end or doubled in its local part (the hardening pass found dot.@ accepted)', async () => {
    const rows = [
      row(2, { email: 'dot.@engine.test' }),
      row(3, { email: '.dot@engine.test' }),
      row(4, { email: 'd..ot@engine.test' }),
      row(5, { email: 'd.ot@engine.test' }),
    ];
    const { id } = await prepared(sysCtx, rows, { groupId: org.groups.North!, sharedPassword: 'shared-secret-1' });
    const o = await outcomes(sysCtx, id);
    expect(o[2]).toEqual({ outcome: 'skip', reason: 'The email "dot.@engine.test" is not a valid email address.' });
    expect(o[3]!.outcome).toBe('skip');
    expect(o[4]!.outcome).toBe('skip');
    expect(o[5]).toEqual({ outcome: 'create', reason: null });
  });

  it('skips every kind of bad row with its reason', async () => {
    await createAccount(db.services, org.organisationId, { email: 'exists@engine.test', groupId: org.groups.South! });
    const rows = [
      row(2, { email: 'not-an-email' }),
      row(3, { email: '' }),
      row(4, { firstName: '' }),
      row(5, { lastName: ' ' }),
      row(6, { email: 'dup@engine.test' }),
      row(7, { email: 'DUP@engine.test' }),
      row(8, { groupName: 'Atlantis' }),
      row(9, { tagNames: ['Grade 9', 'Nope'] }),
      row(10, { firstName: 'x'.repeat(101) }),
      row(11, { password: 'short' }),
      row(12, { email: 'exists@engine.test' }),
      row(13, { groupName: 'south', tagNames: ['grade 10'] }),
    ];
    const { id, summary } = await prepared(sysCtx, rows, { sharedPassword: 'shared-secret-1', createTags: false });
    const o = await outcomes(sysCtx, id);
    expect(o[2]).toEqual({ outcome: 'skip', reason: 'The email "not-an-email" is not a valid email address.' });
    expect(o[3]).toEqual({ outcome: 'skip', reason: 'The email is missing.' });
    expect(o[4]).toEqual({ outcome: 'skip', reason: 'The first name is missing.' });
    expect(o[5]).toEqual({ outcome: 'skip', reason: 'The last name is missing.' });
    expect(o[6]!.outcome).toBe('skip');
    expect(o[6]!.reason).toBe('The group is missing.');
    expect(o[7]).toEqual({ outcome: 'skip', reason: 'The same email is also on row 6.' });
    expect(o[8]).toEqual({ outcome: 'skip', reason: 'There is no group named "Atlantis" in your organisation.' });
    expect(o[9]!.reason).toContain('There is no tag named "Nope"');
    expect(o[10]!.reason).toBe('The first name is longer than 100 characters.');
    expect(o[11]!.reason).toBe('The password is shorter than 8 characters.');
    expect(o[12]).toEqual({ outcome: 'keep', reason: 'An account with this email already exists; it will be left as it is.' });
    expect(o[13]).toEqual({ outcome: 'create', reason: null });
    expect(summary).toEqual({ total: 12, toCreate: 1, toUpdate: 0, toKeep: 1, toSkip: 10 });

    await updateImportOptions(sysCtx, id, { updateExisting: { password: true, group: true } });
    expect((await getImportBatch(sysCtx, id)).status).toBe('draft');
    await checkImportBatch(sysCtx, id);
    expect((await outcomes(sysCtx, id))[12]).toEqual({
      outcome: 'update',
      reason: 'An account with this email already exists; its password and group will be updated.',
    });
  });

  it('changes what to update on existing accounts without checking the rows again, deciding as a full check would', async () => {
    await createAccount(db.services, org.organisationId, { email: 'relabel-user@engine.test', groupId: org.groups.North! });
    await createAccount(db.services, org.organisationId, {
      email: 'relabel-admin@engine.test',
      kind: 'administrator',
      groupId: org.groups.North!,
    });
    const rows = [
      row(2, { email: 'relabel-user@engine.test', password: 'changed-pass-1' }),
      row(3, { email: 'relabel-admin@engine.test', password: 'changed-pass-1' }),
      row(4, { email: 'relabel-new@engine.test', password: 'changed-pass-1' }),
      row(5, { email: 'RELABEL-USER@engine.test', password: 'changed-pass-1' }),
    ];
    const { id } = await prepared(sysCtx, rows, { groupId: org.groups.North! });
    const before = await outcomes(sysCtx, id);
    expect(before[2]).toEqual({ outcome: 'keep', reason: 'An account with this email already exists; it will be left as it is.' });
    const newIds = async () =>
      db.services.sql<
        { new_account_id: string | null }[]
      >`select new_account_id from import_rows where batch_id = ${id} order by row_number`;
    const idsBefore = await newIds();

    const summary = await changeUpdateChoice(sysCtx, id, { password: true, group: false, tags: true });
    expect(summary).toEqual({ total: 4, toCreate: 1, toUpdate: 1, toKeep: 1, toSkip: 1 });
    const relabelled = await outcomes(sysCtx, id);
    expect(relabelled[2]).toEqual({
      outcome: 'update',
      reason: 'An account with this email already exists; its password and tags will be updated.',
    });
    expect(relabelled[3]).toEqual(before[3]);
    expect(relabelled[5]).toEqual(before[5]);
    expect(await newIds()).toEqual(idsBefore); // the rows were not checked again (a check draws new ids)
    const batch = await getImportBatch(sysCtx, id);
    expect(batch.status).toBe('checked');
    expect(batch.options.updateExisting).toEqual({ password: true, group: false, tags: true });

    // The same options through the full check decide the same.
    await updateImportOptions(sysCtx, id, { updateExisting: { password: true, group: false, tags: true } });
    await checkImportBatch(sysCtx, id);
    expect(await outcomes(sysCtx, id)).toEqual(relabelled);

    await changeUpdateChoice(sysCtx, id, { password: false, group: false, tags: false });
    expect(await outcomes(sysCtx, id)).toEqual(before);
    expect((await getImportBatch(sysCtx, id)).toUpdate).toBe(0);
  });

  it('checks the rows again in full when a matched row names a tag the import would create, so the tag is made and added', async () => {
    const existing = await createAccount(db.services, org.organisationId, { email: 'relabel-tag@engine.test', groupId: org.groups.North! });
    const rows = [row(2, { email: 'relabel-tag@engine.test', tagNames: ['Relabel Fresh Tag'] })];
    const { id } = await prepared(sysCtx, rows, { groupId: org.groups.North!, sharedPassword: 'shared-secret-1' });
    // Only a row left as it is named the tag, so the check dropped it from what the import creates.
    expect((await getImportBatch(sysCtx, id)).newTags).toHaveLength(0);
    const summary = await changeUpdateChoice(sysCtx, id, { password: false, group: false, tags: true });
    expect(summary).toEqual({ total: 1, toCreate: 0, toUpdate: 1, toKeep: 0, toSkip: 0 });
    expect((await getImportBatch(sysCtx, id)).newTags).toHaveLength(1);
    await startImport(sysCtx, id);
    expect(await runImport(db.services, id)).toBe('finished');
    const tags = await db.services.sql<{ name: string }[]>`
      select t.name from account_tags x join tags t on t.id = x.tag_id where x.account_id = ${existing.id}`;
    expect(tags.map((t) => t.name)).toEqual(['Relabel Fresh Tag']);
  });

  it('never lets an administrator touch accounts outside their groups, nor import administrators', async () => {
    const southern = await createAccount(db.services, org.organisationId, { email: 'southern@engine.test', groupId: org.groups.South! });
    const northern = await createAccount(db.services, org.organisationId, { email: 'northern@engine.test', groupId: org.groups.North! });
    await createSession(db.services, southern.id);
    await createSession(db.services, northern.id);
    await expect(createImportBatch(teacherCtx, { source: 'csv', options: { accountKind: 'administrator' } })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(createImportBatch(teacherCtx, { source: 'csv', options: { groupId: org.groups.South! } })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const rows = [
      row(2, { email: 'southern@engine.test', password: 'changed-pass-1' }),
      row(3, { email: 'northern@engine.test', password: 'changed-pass-1' }),
      row(4, { email: 'teacher-new@engine.test', password: 'changed-pass-1', groupName: 'South' }),
    ];
    const { id } = await prepared(teacherCtx, rows, { groupId: org.groups.North!, updateExisting: { password: true } });
    const o = await outcomes(teacherCtx, id);
    expect(o[2]).toEqual({
      outcome: 'skip',
      reason: 'An account with this email already exists in a group you do not manage, so it was left as it is.',
    });
    expect(o[3]!.outcome).toBe('update');
    expect(o[4]).toEqual({ outcome: 'skip', reason: 'You do not manage the group "South".' });
    await startImport(teacherCtx, id);
    await runImport(db.services, id);
    const [south] = await db.services.sql<
      { password_hash: string }[]
    >`select password_hash from accounts where email = 'southern@engine.test'`;
    expect(await argon2.verify(south!.password_hash, 'changed-pass-1')).toBe(false);
    const [north] = await db.services.sql<
      { password_hash: string }[]
    >`select password_hash from accounts where email = 'northern@engine.test'`;
    expect(await argon2.verify(north!.password_hash, 'changed-pass-1')).toBe(true);
    // A password changed by the import ends that account's sessions, as changing it on Your Account does.
    expect(await db.services.sql`select 1 from sessions where account_id = ${northern.id}`).toHaveLength(0);
    expect(await db.services.sql`select 1 from sessions where account_id = ${southern.id}`).toHaveLength(1);
  });

  it('skips an update whose account was deleted after the check, instead of counting it as updated', async () => {
    const gone = await createAccount(db.services, org.organisationId, { email: 'deleted-later@engine.test', groupId: org.groups.North! });
    const rows = [row(2, { email: 'deleted-later@engine.test' }), row(3, { email: 'created-beside@engine.test' })];
    const { id } = await prepared(sysCtx, rows, {
      groupId: org.groups.North!,
      sharedPassword: 'shared-secret-1',
      updateExisting: { password: true },
    });
    expect((await outcomes(sysCtx, id))[2]!.outcome).toBe('update');
    await db.services.sql`delete from accounts where id = ${gone.id}`;
    await startImport(sysCtx, id);
    expect(await runImport(db.services, id)).toBe('finished');
    const o = await outcomes(sysCtx, id);
    expect(o[2]).toEqual({
      outcome: 'skip',
      reason: 'The account changed after the check (deleted, moved or made an administrator), so it was left as it is.',
    });
    expect(o[3]!.outcome).toBe('create');
    const batch = await getImportBatch(sysCtx, id);
    expect([batch.createdCount, batch.updatedCount, batch.skippedCount]).toEqual([1, 0, 1]);
  });

  it("gives not found for another organisation's batch, and for a teacher's view of someone else's batch", async () => {
    const { id } = await createImportBatch(sysCtx, { source: 'csv' });
    const otherCtx = await ctxFor(other.systemAdmin.id);
    await expect(getImportBatch(otherCtx, id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(stageImportRows(otherCtx, id, [row(2)])).rejects.toBeInstanceOf(NotFoundError);
    await expect(checkImportBatch(otherCtx, id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(startImport(otherCtx, id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(listImportRows(otherCtx, id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getImportBatch(teacherCtx, id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getImportBatch(sysCtx, 'not-a-uuid')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('import engine: the rest of the checks', () => {
  it('skips duplicate Google ids, two rows for one account, another Google link, a missing password; keeps accounts of another kind', async () => {
    await createAccount(db.services, org.organisationId, {
      email: 'linked@engine.test',
      googleUserId: 'g-linked',
      groupId: org.groups.North!,
    });
    await createAccount(db.services, org.organisationId, { email: 'both@engine.test', googleUserId: 'g-both', groupId: org.groups.North! });
    await createAccount(db.services, org.organisationId, {
      email: 'boss@engine.test',
      kind: 'administrator',
      groupId: org.groups.North!,
      managedGroupIds: [org.groups.North!],
    });
    const rows = [
      row(2, { email: 'ga@engine.test', googleUserId: 'g-dup' }),
      row(3, { email: 'gb@engine.test', googleUserId: 'g-dup' }),
      row(4, { email: 'x-both@engine.test', googleUserId: 'g-both' }),
      row(5, { email: 'both@engine.test' }),
      row(6, { email: 'linked@engine.test', googleUserId: 'g-other' }),
      row(7, { email: 'boss@engine.test' }),
      row(8, { email: 'nopass@engine.test' }),
    ];
    const { id, summary } = await prepared(sysCtx, rows, { groupId: org.groups.North!, updateExisting: { group: true } }, 'classroom');
    const o = await outcomes(sysCtx, id);
    // Counted with row 5 as skipped, though the decision first found it an update of row 4's account.
    expect(summary).toEqual({ total: 7, toCreate: 0, toUpdate: 1, toKeep: 1, toSkip: 5 });
    expect(o[2]!.outcome).toBe('skip');
    expect(o[2]!.reason).toBe('The password is missing.');
    expect(o[3]).toEqual({ outcome: 'skip', reason: 'The same Google account is also on row 2.' });
    expect(o[4]!.outcome).toBe('update');
    expect(o[5]).toEqual({ outcome: 'skip', reason: 'Row 4 is for the same account.' });
    expect(o[6]).toEqual({
      outcome: 'skip',
      reason: 'An account with this email is linked to another Google account, so it was left as it is.',
    });
    expect(o[7]).toEqual({
      outcome: 'keep',
      reason: 'An account with this email already exists as an administrator; it will be left as it is.',
    });
    expect(o[8]).toEqual({ outcome: 'skip', reason: 'The password is missing.' });
  });

  it('skips, at run time, rows whose account was created or whose group was deleted after the check', async () => {
    const [spare] = await db.services.sql<
      { id: string }[]
    >`insert into groups (organisation_id, name) values (${org.organisationId}, 'Doomed') returning id`;
    const rows = [
      row(2, { email: 'raced@engine.test' }),
      row(3, { email: 'doomed@engine.test', groupName: 'Doomed' }),
      row(4, { email: 'fine@engine.test' }),
    ];
    const { id } = await prepared(sysCtx, rows, { sharedPassword: 'shared-secret-1', groupId: org.groups.North! });
    expect((await outcomes(sysCtx, id))[3]!.outcome).toBe('create');
    await startImport(sysCtx, id);
    await createAccount(db.services, org.organisationId, { email: 'RACED@engine.test', groupId: org.groups.South! });
    await db.services.sql`delete from groups where id = ${spare!.id}`;
    expect(await runImport(db.services, id)).toBe('finished');
    const o = await outcomes(sysCtx, id);
    expect(o[2]!.reason).toContain('was created after the check');
    expect(o[3]!.reason).toContain('was deleted or is no longer one of yours since the check');
    expect(o[4]!.outcome).toBe('create');
    const batch = await getImportBatch(sysCtx, id);
    expect([batch.createdCount, batch.skippedCount]).toEqual([1, 2]);
    const [raced] = await db.services.sql<{ group_id: string }[]>`select group_id from accounts where lower(email) = 'raced@engine.test'`;
    expect(raced!.group_id).toBe(org.groups.South);
  });
});

describe('import engine: killed and resumed', () => {
  it('finishes with exactly the right accounts after being killed inside and between chunks, never finished early', async () => {
    const rows = Array.from({ length: 50 }, (_, i) =>
      row(i + 2, { email: `resume${i}@engine.test`, password: i % 5 === 0 ? `row-password-${i}` : null }),
    );
    rows.push(row(60, { email: 'resume0@engine.test' }));
    const { id } = await prepared(sysCtx, rows, {
      groupId: org.groups.North!,
      sharedPassword: 'shared-secret-1',
      tagIds: [org.tags['Grade 10']!],
      sendWelcomeEmail: true,
    });
    await startImport(sysCtx, id);

    let applyChunks = 0;
    const killInside = async (phase: string) => {
      if (phase === 'apply' && ++applyChunks === 3) throw new Error('killed inside the third chunk');
    };
    await expect(
      runImport(db.services, id, { chunkSize: 10, hashChunkSize: 3, applyConcurrency: 1, beforeChunkCommit: killInside }),
    ).rejects.toThrow('killed');
    let batch = await getImportBatch(sysCtx, id);
    expect(batch.status).toBe('running');
    expect(batch.processedRows).toBe(20);

    let hashSteps = 0;
    const killBetween = async (phase: string) => {
      if (phase === 'apply' && ++hashSteps === 2) throw new Error('killed between chunks');
    };
    await expect(runImport(db.services, id, { chunkSize: 10, applyConcurrency: 1, afterChunk: killBetween })).rejects.toThrow('killed');
    batch = await getImportBatch(sysCtx, id);
    expect(batch.status).toBe('running');
    expect(batch.processedRows).toBe(40);

    expect(await runImport(db.services, id, { chunkSize: 10 })).toBe('finished');
    expect(await runImport(db.services, id, { chunkSize: 10 })).toBe('not-runnable');
    batch = await getImportBatch(sysCtx, id);
    expect([batch.status, batch.createdCount, batch.skippedCount, batch.processedRows]).toEqual(['finished', 50, 1, 51]);
    const [accounts] = await db.services.sql<{ n: number; tagged: number }[]>`
      select count(*)::int as n, count(*) filter (where exists (select 1 from account_tags t where t.account_id = a.id))::int as tagged
      from accounts a where a.email like 'resume%@engine.test'`;
    expect(accounts).toEqual({ n: 50, tagged: 50 });
    const [welcome] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from outbox_emails where to_address like 'resume%@engine.test'`;
    expect(welcome!.n).toBe(50);
    const [finished] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from outbox_emails where subject like 'Batch import finished%' and text_body like ${`%${id}%`}`;
    expect(finished!.n).toBe(1);
    const [own] = await db.services.sql<
      { password_hash: string }[]
    >`select password_hash from accounts where email = 'resume5@engine.test'`;
    expect(await argon2.verify(own!.password_hash, 'row-password-5')).toBe(true);
  });
});

describe('import engine: chunks applied two at a time', () => {
  it('commits in row order: when a chunk fails, the chunks after it roll back, and a rerun completes exactly', async () => {
    const rows = Array.from({ length: 80 }, (_, i) => row(i + 2, { email: `pair${i}@engine.test` }));
    const { id } = await prepared(sysCtx, rows, { groupId: org.groups.North!, sharedPassword: 'shared-secret-1' });
    await startImport(sysCtx, id);
    let chunks = 0;
    const failThird = async (phase: string) => {
      if (phase !== 'apply') return;
      // Slow every chunk a little so the next one is in flight when the third fails.
      await new Promise((r) => setTimeout(r, 30));
      if (++chunks === 3) throw new Error('third chunk failed');
    };
    await expect(runImport(db.services, id, { chunkSize: 10, applyConcurrency: 2, beforeChunkCommit: failThird })).rejects.toThrow(
      'third chunk failed',
    );
    const half = await getImportBatch(sysCtx, id);
    expect(half.status).toBe('running');
    expect(half.processedRows).toBe(20);
    expect(half.appliedThrough).toBe(21);
    const [made] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from accounts where email like 'pair%@engine.test'`;
    expect(made!.n).toBe(20);
    expect(await runImport(db.services, id, { chunkSize: 10, applyConcurrency: 2 })).toBe('finished');
    const done = await getImportBatch(sysCtx, id);
    expect([done.createdCount, done.processedRows]).toEqual([80, 80]);
    const [all] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from accounts where email like 'pair%@engine.test'`;
    expect(all!.n).toBe(80);
  });
});

describe('import engine: clean-up', () => {
  it('removes imports abandoned in the wizard with their rows and passwords, and keeps finished ones', async () => {
    const { cleanUpImports } = await import('../../src/imports/clean-up.js');
    const { id: old } = await prepared(sysCtx, [row(2, { email: 'abandoned@engine.test', password: 'typed-password-1' })], {
      groupId: org.groups.North!,
    });
    const { id: fresh } = await prepared(sysCtx, [row(2, { email: 'fresh-draft@engine.test' })], {
      groupId: org.groups.North!,
      sharedPassword: 'shared-secret-1',
    });
    await db.services.sql`update import_batches set created_at = now() - interval '3 days' where id = ${old}`;
    const { removed } = await cleanUpImports(db.services);
    expect(removed).toBeGreaterThanOrEqual(1);
    const left = await db.services.sql<{ id: string }[]>`select id from import_batches where id in (${old}, ${fresh})`;
    expect(left.map((r) => r.id)).toEqual([fresh]);
    const [rows] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from import_rows where batch_id = ${old}`;
    expect(rows!.n).toBe(0);
  });
});
