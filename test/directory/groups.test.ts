import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.js';
import { createGroup, deleteGroup, listGroupSummaries, renameGroup, setGroupAdministrators } from '../../src/groups/groups.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;
let other: OrgFixture;
let teacherId: string;
let otherTeacherId: string;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Birch', groups: ['North', 'South', 'East'] });
  other = await createOrganisation(db.services, { name: 'Rival', groups: ['Hidden'] });
  teacherId = (
    await createAccount(db.services, org.organisationId, {
      email: 'teacher@birch.test',
      kind: 'administrator',
      firstName: 'Tess',
      lastName: 'Teacher',
      managedGroupIds: [org.groups.North!],
    })
  ).id;
  otherTeacherId = (
    await createAccount(db.services, org.organisationId, {
      email: 'other@birch.test',
      kind: 'administrator',
      firstName: 'Otto',
      lastName: 'Other',
    })
  ).id;
  for (let i = 0; i < 3; i++)
    await createAccount(db.services, org.organisationId, { email: `n${i}@birch.test`, groupId: org.groups.North! });
  await createAccount(db.services, org.organisationId, { email: 'e0@birch.test', groupId: org.groups.East! });
  await createAccount(db.services, org.organisationId, { email: 'learner@birch.test', groupId: org.groups.South! });
});

async function ctxFor(accountId: string): Promise<Ctx> {
  return { ...db.services, actor: (await loadActor(db.services, accountId))! };
}

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

async function audits(action: string): Promise<number> {
  const [row] = await db.services.sql<
    { n: number }[]
  >`select count(*)::int as n from audit_log where organisation_id = ${org.organisationId} and action = ${action}`;
  return row!.n;
}

describe('groups: feature', () => {
  it('lists groups with account counts and their group administrators; a group administrator sees only theirs', async () => {
    const all = await listGroupSummaries(await ctxFor(org.systemAdmin.id));
    const north = all.find((g) => g.name === 'North')!;
    expect(north.accountCount).toBe(3);
    expect(north.administrators.map((a) => a.name)).toEqual(['Tess Teacher']);
    const mine = await listGroupSummaries(await ctxFor(teacherId));
    expect(mine.map((g) => g.name)).toEqual(['North']);
  });

  it('creates and renames, refusing a name already used ignoring case, empty or too long', async () => {
    const ctx = await ctxFor(org.systemAdmin.id);
    const made = await createGroup(ctx, { name: '  Cohort A ' });
    expect(made.name).toBe('Cohort A');
    await expect(createGroup(ctx, { name: 'north' })).rejects.toThrow(ValidationError);
    await expect(createGroup(ctx, { name: '   ' })).rejects.toThrow(ValidationError);
    await expect(createGroup(ctx, { name: 'x'.repeat(101) })).rejects.toThrow(ValidationError);
    await expect(renameGroup(ctx, { groupId: made.id, name: 'SOUTH' })).rejects.toThrow(ValidationError);
    await renameGroup(ctx, { groupId: made.id, name: 'Cohort B' });
    const [row] = await db.services.sql<{ name: string }[]>`select name from groups where id = ${made.id}`;
    expect(row!.name).toBe('Cohort B');
    expect(await audits('group.created')).toBeGreaterThanOrEqual(1);
    expect(await audits('group.renamed')).toBeGreaterThanOrEqual(1);
  });

  it('is for system administrators only, and never reaches another organisation', async () => {
    const teacher = await ctxFor(teacherId);
    await expect(createGroup(teacher, { name: 'Mine' })).rejects.toThrow(ForbiddenError);
    await expect(renameGroup(teacher, { groupId: org.groups.North!, name: 'Mine' })).rejects.toThrow(ForbiddenError);
    const admin = await ctxFor(org.systemAdmin.id);
    await expect(renameGroup(admin, { groupId: other.groups.Hidden!, name: 'Taken' })).rejects.toThrow(NotFoundError);
    await expect(deleteGroup(admin, { groupId: other.groups.Hidden!, moveToGroupId: null })).rejects.toThrow(NotFoundError);
    await expect(deleteGroup(admin, { groupId: org.groups.East!, moveToGroupId: other.groups.Hidden! })).rejects.toThrow(NotFoundError);
    const [row] = await db.services.sql<{ name: string }[]>`select name from groups where id = ${other.groups.Hidden!}`;
    expect(row!.name).toBe('Hidden');
  });

  it("chooses the group administrators, refusing system administrators and other organisations' accounts", async () => {
    const admin = await ctxFor(org.systemAdmin.id);
    await setGroupAdministrators(admin, { groupId: org.groups.South!, accountIds: [otherTeacherId, teacherId] });
    await setGroupAdministrators(admin, { groupId: org.groups.South!, accountIds: [otherTeacherId] });
    const rows = await db.services.sql<
      { account_id: string }[]
    >`select account_id from administrator_groups where group_id = ${org.groups.South!}`;
    expect(rows.map((r) => r.account_id)).toEqual([otherTeacherId]);
    await expect(setGroupAdministrators(admin, { groupId: org.groups.South!, accountIds: [org.systemAdmin.id] })).rejects.toThrow(
      ValidationError,
    );
    await expect(setGroupAdministrators(admin, { groupId: org.groups.South!, accountIds: [other.systemAdmin.id] })).rejects.toThrow(
      ValidationError,
    );
    expect(await audits('group.administrators_set')).toBe(2);
  });
});

describe('groups: pages', () => {
  it('a system administrator creates a group from the Groups page, and a duplicate name gets a message', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const { html } = await admin.get('/groups');
    expect(html).toContain('href="/groups"');
    expect(html).toContain('Create Group');
    const res = await admin.post('/groups', { name: 'West' });
    expect(res.status).toBe(303);
    expect((await admin.get('/groups?done=created')).html).toContain('West');
    const dup = await admin.post('/groups', { name: 'west' });
    expect(dup.status).toBe(400);
    expect(await dup.text()).toContain('There is already a group named');
  });

  it('refuses a form without its CSRF token', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const res = await admin.post('/groups', { name: 'Forged', _csrf: 'wrong' });
    expect(res.status).toBe(403);
    const rows = await db.services.sql`select 1 from groups where name = 'Forged'`;
    expect(rows.length).toBe(0);
  });

  it('deletes a group after asking, moving its accounts to another group; no account is deleted', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const [g] = await db.services.sql<
      { id: string }[]
    >`insert into groups (organisation_id, name) values (${org.organisationId}, 'Temp') returning id`;
    const a = await createAccount(db.services, org.organisationId, { email: 'temp1@birch.test', groupId: g!.id });
    const ask = await admin.get(`/groups/${g!.id}/delete`);
    expect(ask.html).toContain('This group has 1 account');
    expect(ask.html).toContain('Move its accounts to');
    const res = await admin.post(`/groups/${g!.id}/delete`, { moveToGroupId: org.groups.East! });
    expect(res.status).toBe(303);
    const [acc] = await db.services.sql<{ group_id: string }[]>`select group_id from accounts where id = ${a.id}`;
    expect(acc!.group_id).toBe(org.groups.East!);
    expect((await db.services.sql`select 1 from groups where id = ${g!.id}`).length).toBe(0);
    expect(await audits('group.deleted')).toBeGreaterThanOrEqual(1);
  });

  it('deletes a group leaving its accounts without a group', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const [g] = await db.services.sql<
      { id: string }[]
    >`insert into groups (organisation_id, name) values (${org.organisationId}, 'Temp2') returning id`;
    const a = await createAccount(db.services, org.organisationId, { email: 'temp2@birch.test', groupId: g!.id });
    await admin.get(`/groups/${g!.id}/delete`);
    expect((await admin.post(`/groups/${g!.id}/delete`, { moveToGroupId: '' })).status).toBe(303);
    const [acc] = await db.services.sql<{ group_id: string | null }[]>`select group_id from accounts where id = ${a.id}`;
    expect(acc!.group_id).toBeNull();
  });

  it('renames and sets administrators through the group page', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const { html } = await admin.get(`/groups/${org.groups.East!}`);
    expect(html).toContain('Otto Other');
    expect((await admin.post(`/groups/${org.groups.East!}/rename`, { name: 'Eastside' })).status).toBe(303);
    expect((await admin.post(`/groups/${org.groups.East!}/administrators`, { accountIds: [otherTeacherId] })).status).toBe(303);
    const bad = await admin.post(`/groups/${org.groups.East!}/rename`, { name: '' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Enter a name for the group.');
  });

  it("another organisation's group is a 404 on every page and action", async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const id = other.groups.Hidden!;
    expect((await admin.get(`/groups/${id}`)).res.status).toBe(404);
    expect((await admin.get(`/groups/${id}/delete`)).res.status).toBe(404);
    expect((await admin.post(`/groups/${id}/rename`, { name: 'Mine' })).status).toBe(404);
    expect((await admin.post(`/groups/${id}/delete`, {})).status).toBe(404);
    expect((await admin.post(`/groups/${id}/administrators`, { accountIds: [otherTeacherId] })).status).toBe(404);
    expect((await admin.get('/groups/not-a-uuid')).res.status).toBe(404);
    expect((await db.services.sql`select 1 from groups where id = ${id} and name = 'Hidden'`).length).toBe(1);
  });

  it('a group administrator sees their own groups read-only and cannot change any', async () => {
    const teacher = await signedIn('teacher@birch.test');
    const { html } = await teacher.get('/groups');
    expect(html).toContain('North');
    expect(html).not.toContain('South');
    expect(html).not.toContain('Create Group');
    expect((await teacher.post('/groups', { name: 'Sneaky' })).status).toBe(404);
    expect((await teacher.get(`/groups/${org.groups.North!}`)).res.status).toBe(404);
    expect((await teacher.post(`/groups/${org.groups.North!}/delete`, {})).status).toBe(404);
  });

  it('learners do not see the Groups page at all', async () => {
    const learner = await signedIn('learner@birch.test');
    expect((await learner.get('/groups')).res.status).toBe(404);
  });
});
