import { beforeAll, describe, expect, it } from 'vitest';
import { type AccountListPage, listAccounts } from '../../src/accounts/list.js';
import type { AccountFilter } from '../../src/accounts/filter.js';
import type { Ctx } from '../../src/context.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, ctxFor, type OrgFixture } from '../helpers/fixtures.js';

// A tag filter's page is first looked for by walking the name order and probing each account for
// the tag, for a bounded number of accounts; when the walk does not fill the page (a rare tag, the
// last page), the page is read as the planner chooses. Both ways must give the same pages: these
// tags are sized so that "Common" pages are found by the walk, and "Sparse" (1 in 90) and "Rare"
// ones are not, in the group and the whole organisation, by page number and by Previous/Next.
const db = useTestDatabase();
let org: OrgFixture;
let sysCtx: Ctx;
let teacherCtx: Ctx;

/** Every account the filter should show, in name order, counted from the tables. */
async function expectedIds(ctx: Ctx, filter: AccountFilter): Promise<string[]> {
  const scope = ctx.actor.isSystemAdmin ? null : ctx.actor.managedGroupIds;
  const rows = await db.services.sql<{ id: string }[]>`
    select a.id from accounts a
    where a.organisation_id = ${ctx.actor.organisationId}
      and (${scope === null} or a.group_id = any(${scope ?? []}::uuid[]))
      and (${filter.groupId ?? null}::uuid is null or a.group_id = ${filter.groupId ?? null}::uuid)
      and exists (select 1 from account_tags at where at.account_id = a.id and at.tag_id = ${filter.tagId!})
    order by a.last_name, a.first_name, a.id`;
  return rows.map((r) => r.id);
}

const ids = (page: AccountListPage) => page.rows.map((r) => r.id);

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Tag pages', groups: ['North', 'South'], tags: ['Common', 'Sparse', 'Rare'] });
  await createOrganisation(db.services, { name: 'Elsewhere', groups: ['Far'] });
  sysCtx = await ctxFor(db, org.systemAdmin.id);
  const teacher = await createAccount(db.services, org.organisationId, {
    email: 'teacher@tagpages.test',
    kind: 'administrator',
    managedGroupIds: [org.groups.North!],
  });
  teacherCtx = await ctxFor(db, teacher.id);
  // 6,000 learners, names interleaved so name order is not insertion order; two thirds in North.
  await db.services.sql`
    insert into accounts (organisation_id, kind, first_name, last_name, email, group_id)
    select ${org.organisationId}, 'user', 'F' || (i * 7919 % 97), 'L' || (i * 104729 % 61), 'u' || i || '@tagpages.test',
      case when i % 3 = 0 then ${org.groups.South!}::uuid else ${org.groups.North!}::uuid end
    from generate_series(1, 6000) i`;
  await db.services.sql`
    insert into account_tags (account_id, tag_id)
    select a.id, t.tag from (select id, row_number() over (order by email) as n from accounts where organisation_id = ${org.organisationId} and kind = 'user') a
    cross join lateral (values
      (case when a.n % 3 = 0 then ${org.tags.Common!}::uuid end),
      (case when a.n % 90 = 0 then ${org.tags.Sparse!}::uuid end),
      (case when a.n in (5, 1234, 4321) then ${org.tags.Rare!}::uuid end)) t(tag)
    where t.tag is not null`;
  await db.services.sql`analyze accounts`;
  await db.services.sql`analyze account_tags`;
});

describe('View Accounts with a tag, page by page', () => {
  const cases = () =>
    [
      ['system administrator, tag', sysCtx, {}],
      ['system administrator, tag and group', sysCtx, { groupId: org.groups.North! }],
      ['group administrator, tag', teacherCtx, {}],
    ] as const;

  for (const tag of ['Common', 'Sparse', 'Rare'] as const) {
    it(`shows every account tagged ${tag}, in name order, on numbered pages`, async () => {
      for (const [label, ctx, extra] of cases()) {
        const filter: AccountFilter = { ...extra, tagId: org.tags[tag]! };
        const expected = await expectedIds(ctx, filter);
        expect(expected.length, label).toBeGreaterThan(0);
        const pageCount = Math.ceil(expected.length / 50);
        for (let page = 1; page <= pageCount; page++) {
          const got = await listAccounts(ctx, { filter, page });
          expect(got.total, label).toBe(expected.length);
          expect(ids(got), `${label}, page ${page}`).toEqual(expected.slice((page - 1) * 50, page * 50));
        }
        // A page past the end shows the last one.
        const past = await listAccounts(ctx, { filter, page: pageCount + 3 });
        expect(ids(past), label).toEqual(expected.slice((pageCount - 1) * 50));
      }
    });

    it(`follows Next to the end and Previous back for ${tag}`, async () => {
      for (const [label, ctx, extra] of cases()) {
        const filter: AccountFilter = { ...extra, tagId: org.tags[tag]! };
        const expected = await expectedIds(ctx, filter);
        const pages: string[][] = [ids(await listAccounts(ctx, { filter, page: 1 }))];
        while (pages.length * 50 < expected.length) {
          const last = pages[pages.length - 1]!;
          const next = await listAccounts(ctx, {
            filter,
            page: pages.length + 1,
            from: { direction: 'after', accountId: last[last.length - 1]! },
          });
          pages.push(ids(next));
        }
        expect(pages.flat(), label).toEqual(expected);
        for (let i = pages.length - 1; i > 0; i--) {
          const previous = await listAccounts(ctx, { filter, page: i, from: { direction: 'before', accountId: pages[i]![0]! } });
          expect(ids(previous), `${label}, back to page ${i}`).toEqual(pages[i - 1]);
        }
      }
    });
  }

  it("never shows another organisation's accounts or accounts outside the teacher's groups", async () => {
    const got = await listAccounts(teacherCtx, { filter: { tagId: org.tags.Common!, groupId: org.groups.South! }, page: 1 });
    expect(got.total).toBe(0);
    expect(got.rows).toEqual([]);
  });
});
