import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors.js';
import { createTag, deleteTag, findOrCreateTags, listTagSummaries, mergeTag, renameTag } from '../../src/tags/tags.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;
let other: OrgFixture;
let teacherId: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Cedar', groups: ['North', 'South'], tags: ['Grade 9', 'Grade 10', 'Year 9'] });
  other = await createOrganisation(db.services, { name: 'Rival', groups: ['Hidden'], tags: ['Secret'] });
  teacherId = (
    await createAccount(db.services, org.organisationId, {
      email: 'teacher@cedar.test',
      kind: 'administrator',
      managedGroupIds: [org.groups.North!],
    })
  ).id;
  // both: Grade 9 and Year 9; nine: Grade 9 only; year: Year 9 only (in South).
  ids.both = (
    await createAccount(db.services, org.organisationId, {
      email: 'both@cedar.test',
      groupId: org.groups.North!,
      tagIds: [org.tags['Grade 9']!, org.tags['Year 9']!],
    })
  ).id;
  ids.nine = (
    await createAccount(db.services, org.organisationId, {
      email: 'nine@cedar.test',
      groupId: org.groups.North!,
      tagIds: [org.tags['Grade 9']!],
    })
  ).id;
  ids.year = (
    await createAccount(db.services, org.organisationId, {
      email: 'year@cedar.test',
      groupId: org.groups.South!,
      tagIds: [org.tags['Year 9']!],
    })
  ).id;
  await createAccount(db.services, org.organisationId, { email: 'learner@cedar.test', groupId: org.groups.North! });
});

async function ctxFor(accountId: string): Promise<Ctx> {
  return { ...db.services, actor: (await loadActor(db.services, accountId))! };
}

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

async function tagsOf(accountId: string): Promise<string[]> {
  const rows = await db.services.sql<
    { name: string }[]
  >`select t.name from account_tags at join tags t on t.id = at.tag_id where at.account_id = ${accountId} order by t.name`;
  return rows.map((r) => r.name);
}

describe('tags: feature', () => {
  it('lists tags with the counts of accounts the actor may see', async () => {
    const all = await listTagSummaries(await ctxFor(org.systemAdmin.id));
    expect(all.find((t) => t.name === 'Year 9')!.accountCount).toBe(2);
    const teacher = await listTagSummaries(await ctxFor(teacherId));
    expect(teacher.find((t) => t.name === 'Year 9')!.accountCount).toBe(1);
    expect(teacher.map((t) => t.name)).not.toContain('Secret');
  });

  it('any administrator creates tags; names are trimmed, unique ignoring case and limited in length', async () => {
    const teacher = await ctxFor(teacherId);
    expect((await createTag(teacher, { name: ' Period 1 ' })).name).toBe('Period 1');
    await expect(createTag(teacher, { name: 'PERIOD 1' })).rejects.toThrow(ValidationError);
    await expect(createTag(teacher, { name: 'x'.repeat(101) })).rejects.toThrow(ValidationError);
    const learner = await ctxFor(ids.nine!);
    await expect(createTag(learner, { name: 'Mine' })).rejects.toThrow(ForbiddenError);
  });

  it('findOrCreateTags finds existing names ignoring case and creates the others once', async () => {
    const ctx = await ctxFor(org.systemAdmin.id);
    const first = await findOrCreateTags(ctx, { names: ['grade 9', 'Cohort 7', ' cohort 7 '] });
    expect(first.created).toEqual(['Cohort 7']);
    expect(first.tags.map((t) => t.name)).toEqual(['Cohort 7', 'Grade 9']);
    const again = await findOrCreateTags(ctx, { names: ['COHORT 7'] });
    expect(again.created).toEqual([]);
    expect(again.tags[0]!.id).toBe(first.tags[0]!.id);
  });

  it('rename, merge and delete are for system administrators, within their organisation', async () => {
    const teacher = await ctxFor(teacherId);
    await expect(renameTag(teacher, { tagId: org.tags['Grade 10']!, name: 'X' })).rejects.toThrow(ForbiddenError);
    await expect(mergeTag(teacher, { tagId: org.tags['Grade 10']!, intoTagId: org.tags['Grade 9']! })).rejects.toThrow(ForbiddenError);
    await expect(deleteTag(teacher, { tagId: org.tags['Grade 10']! })).rejects.toThrow(ForbiddenError);
    const admin = await ctxFor(org.systemAdmin.id);
    await expect(renameTag(admin, { tagId: other.tags.Secret!, name: 'Mine' })).rejects.toThrow(NotFoundError);
    await expect(mergeTag(admin, { tagId: org.tags['Grade 10']!, intoTagId: other.tags.Secret! })).rejects.toThrow(NotFoundError);
    await expect(deleteTag(admin, { tagId: other.tags.Secret! })).rejects.toThrow(NotFoundError);
    await expect(mergeTag(admin, { tagId: org.tags['Grade 10']!, intoTagId: org.tags['Grade 10']! })).rejects.toThrow(ValidationError);
  });
});

describe('tags: pages', () => {
  it('a group administrator creates a tag from the Tags page but cannot manage tags', async () => {
    const teacher = await signedIn('teacher@cedar.test');
    const { html } = await teacher.get('/tags');
    expect(html).toContain('Create Tag');
    expect(html).not.toContain('Manage');
    expect((await teacher.post('/tags', { name: 'Period 2' })).status).toBe(303);
    expect((await teacher.get('/tags?done=created')).html).toContain('Period 2');
    const dup = await teacher.post('/tags', { name: 'period 2' });
    expect(dup.status).toBe(400);
    expect(await dup.text()).toContain('There is already a tag named');
    expect((await teacher.get(`/tags/${org.tags['Grade 9']!}`)).res.status).toBe(404);
    expect((await teacher.post(`/tags/${org.tags['Grade 9']!}/delete`, {})).status).toBe(404);
  });

  it('merges Year 9 into Grade 9: accounts of both end with Grade 9 once', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    expect((await admin.get(`/tags/${org.tags['Year 9']!}`)).html).toContain('Merge Tag');
    const res = await admin.post(`/tags/${org.tags['Year 9']!}/merge`, { intoTagId: org.tags['Grade 9']! });
    expect(res.status).toBe(303);
    expect(await tagsOf(ids.both!)).toEqual(['Grade 9']);
    expect(await tagsOf(ids.year!)).toEqual(['Grade 9']);
    expect(await tagsOf(ids.nine!)).toEqual(['Grade 9']);
    expect((await db.services.sql`select 1 from tags where id = ${org.tags['Year 9']!}`).length).toBe(0);
    const [audit] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from audit_log where action = 'tag.merged' and organisation_id = ${org.organisationId}`;
    expect(audit!.n).toBe(1);
  });

  it('a merge with no target chosen says so', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    await admin.get(`/tags/${org.tags['Grade 10']!}`);
    const res = await admin.post(`/tags/${org.tags['Grade 10']!}/merge`, { intoTagId: '' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Choose the tag to merge into.');
  });

  it('renames, then deletes a tag after asking; it leaves every account and the accounts stay', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const id = org.tags['Grade 9']!;
    expect((await admin.post(`/tags/${id}/rename`, { name: 'Grade Nine' })).status).toBe(303);
    expect(await tagsOf(ids.nine!)).toEqual(['Grade Nine']);
    expect((await admin.get(`/tags/${id}/delete`)).html).toContain('The tag is removed from 3 accounts');
    expect((await admin.post(`/tags/${id}/delete`, {})).status).toBe(303);
    expect(await tagsOf(ids.nine!)).toEqual([]);
    expect((await db.services.sql`select 1 from accounts where id = ${ids.nine!}`).length).toBe(1);
  });

  it("another organisation's tag is a 404 everywhere, and forms need their CSRF token", async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const id = other.tags.Secret!;
    expect((await admin.get(`/tags/${id}`)).res.status).toBe(404);
    expect((await admin.get(`/tags/${id}/delete`)).res.status).toBe(404);
    expect((await admin.post(`/tags/${id}/rename`, { name: 'Mine' })).status).toBe(404);
    expect((await admin.post(`/tags/${id}/merge`, { intoTagId: org.tags['Grade 10']! })).status).toBe(404);
    expect((await admin.post(`/tags/${id}/delete`, {})).status).toBe(404);
    expect((await admin.post('/tags', { name: 'Forged', _csrf: 'nope' })).status).toBe(403);
    expect((await db.services.sql`select 1 from tags where id = ${id}`).length).toBe(1);
  });
});
