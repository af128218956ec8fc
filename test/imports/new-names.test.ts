import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { ValidationError } from '../../src/errors.js';
import {
  checkImportBatch,
  createImportBatch,
  getImportBatch,
  listImportRows,
  runImport,
  stageImportRows,
  startImport,
  type ImportOptionsPatch,
  type ImportRowInput,
} from '../../src/imports/engine.js';
import { createPlannedNames } from '../../src/imports/new-names.js';
import { reasonsWords } from '../../views/import-reasons.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;
let sysCtx: Ctx;
let teacherCtx: Ctx;

async function ctxFor(accountId: string): Promise<Ctx> {
  return { ...db.services, actor: (await loadActor(db.services, accountId))! };
}

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Names', groups: ['North', 'South'], tags: ['Grade 9'] });
  const teacher = await createAccount(db.services, org.organisationId, {
    email: 'teacher@names.test',
    kind: 'administrator',
    managedGroupIds: [org.groups.North!],
  });
  sysCtx = await ctxFor(org.systemAdmin.id);
  teacherCtx = await ctxFor(teacher.id);
});

let next = 100;
function row(extra: Partial<ImportRowInput> = {}): ImportRowInput {
  const n = next++;
  return { rowNumber: n, firstName: `First${n}`, lastName: `Last${n}`, email: `p${n}@names.test`, ...extra };
}

async function prepared(ctx: Ctx, rows: ImportRowInput[], options: ImportOptionsPatch = {}) {
  const { id } = await createImportBatch(ctx, { source: 'csv', options: { sharedPassword: 'shared-secret-1', ...options } });
  await stageImportRows(ctx, id, rows);
  const summary = await checkImportBatch(ctx, id);
  return { id, summary };
}

async function tagsNamed(pattern: string): Promise<string[]> {
  const rows = await db.services.sql<
    { name: string }[]
  >`select name from tags where organisation_id = ${org.organisationId} and name ilike ${pattern} order by lower(name)`;
  return rows.map((r) => r.name);
}

describe('imports name new tags and groups', () => {
  it('creates the tags a file names that do not exist yet (on by default), once, spelled as first written', async () => {
    const rows = [
      row({ groupName: 'North', tagNames: ['Cohort 7', 'Period 1'] }),
      row({ groupName: 'North', tagNames: ['cohort 7', 'Grade 9'] }),
      row({ groupName: 'North', tagNames: ['  Period 1 '] }),
    ];
    const { id, summary } = await prepared(sysCtx, rows);
    expect(summary.toCreate).toBe(3);
    expect((await getImportBatch(sysCtx, id)).newTags).toEqual(['Cohort 7', 'Period 1']);
    expect(await tagsNamed('cohort%')).toEqual([]);
    await startImport(sysCtx, id);
    expect(await runImport(db.services, id)).toBe('finished');
    expect(await tagsNamed('cohort 7')).toEqual(['Cohort 7']);
    expect(await tagsNamed('period 1')).toEqual(['Period 1']);
    const [tagged] = await db.services.sql<{ n: number }[]>`
      select count(*)::int as n from account_tags at join tags t on t.id = at.tag_id where t.organisation_id = ${org.organisationId} and t.name = 'Cohort 7'`;
    expect(tagged!.n).toBe(2);
    const [audit] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from audit_log where action = 'tag.created' and details->>'importBatchId' = ${id}`;
    expect(audit!.n).toBe(2);
  });

  it('with "Create tags that do not exist yet" off, rows naming them are skipped with the reason', async () => {
    const { id, summary } = await prepared(sysCtx, [row({ groupName: 'North', tagNames: ['Nowhere Tag'] })], { createTags: false });
    expect(summary.toSkip).toBe(1);
    expect(reasonsWords((await listImportRows(sysCtx, id, {})).rows[0]!.reason)).toBe(
      'There is no tag named "Nowhere Tag" in your organisation.',
    );
    expect((await getImportBatch(sysCtx, id)).newTags).toEqual([]);
  });

  it('a new group is skipped unless a system administrator chose "Create groups that do not exist yet"', async () => {
    const off = await prepared(sysCtx, [row({ groupName: 'West Campus' })]);
    expect(off.summary.toSkip).toBe(1);
    expect(reasonsWords((await listImportRows(sysCtx, off.id, {})).rows[0]!.reason)).toBe(
      'There is no group named "West Campus" in your organisation.',
    );
    const on = await prepared(sysCtx, [row({ groupName: 'West Campus' }), row({ groupName: 'west campus' })], { createGroups: true });
    expect(on.summary.toCreate).toBe(2);
    expect((await getImportBatch(sysCtx, on.id)).newGroups).toEqual(['West Campus']);
    await startImport(sysCtx, on.id);
    expect(await runImport(db.services, on.id)).toBe('finished');
    const groups = await db.services.sql<{ id: string; n: number }[]>`
      select g.id, (select count(*)::int from accounts a where a.group_id = g.id) as n from groups g where g.organisation_id = ${org.organisationId} and lower(g.name) = 'west campus'`;
    expect(groups).toHaveLength(1);
    expect(groups[0]!.n).toBe(2);
  });

  it('group administrators never create groups', async () => {
    await expect(createImportBatch(teacherCtx, { source: 'csv', options: { createGroups: true } })).rejects.toThrow(ValidationError);
    const { id, summary } = await prepared(teacherCtx, [row({ groupName: 'Teacher Made' })]);
    expect(summary.toSkip).toBe(1);
    expect((await getImportBatch(teacherCtx, id)).newGroups).toEqual([]);
  });

  it('names only the tags that rows the import applies will use', async () => {
    await createAccount(db.services, org.organisationId, { email: 'kept@names.test', groupId: org.groups.North! });
    const { id } = await prepared(sysCtx, [
      row({ email: 'kept@names.test', groupName: 'North', tagNames: ['Only On Kept'] }),
      row({ email: 'bad', tagNames: ['Only On Bad'] }),
    ]);
    expect((await getImportBatch(sysCtx, id)).newTags).toEqual([]);
  });

  it('killed after creating the names and run again: each tag and group exists once; a name made meanwhile is used as it is', async () => {
    const { id } = await prepared(sysCtx, [row({ groupName: 'Annex', tagNames: ['Resume Tag', 'Raced Tag'] })], { createGroups: true });
    await startImport(sysCtx, id);
    // Someone creates "raced tag" between the check and the run.
    const [raced] = await db.services.sql<
      { id: string }[]
    >`insert into tags (organisation_id, name) values (${org.organisationId}, 'RACED TAG') returning id`;
    const batch = await getImportBatch(sysCtx, id);
    await createPlannedNames(sysCtx, batch);
    await createPlannedNames(sysCtx, batch);
    expect(await runImport(db.services, id)).toBe('finished');
    expect(await tagsNamed('resume tag')).toEqual(['Resume Tag']);
    expect(await tagsNamed('raced tag')).toEqual(['RACED TAG']);
    const [groups] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from groups where organisation_id = ${org.organisationId} and name = 'Annex'`;
    expect(groups!.n).toBe(1);
    const [account] = await db.services.sql<{ tags: string[] }[]>`
      select array(select t.id::text from account_tags at join tags t on t.id = at.tag_id where at.account_id = a.id) as tags from accounts a
      where a.organisation_id = ${org.organisationId} and a.email = ${`p${next - 1}@names.test`}`;
    expect(account!.tags).toContain(raced!.id);
    const [audit] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from audit_log where details->>'importBatchId' = ${id}`;
    expect(audit!.n).toBe(2);
  });
});
