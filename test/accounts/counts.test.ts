import { beforeAll, describe, expect, it } from 'vitest';
import { foldAccountCounts } from '../../src/accounts/counts.js';
import { listAccounts } from '../../src/accounts/list.js';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { checkImportBatch, createImportBatch, runImport, stageImportRows, startImport } from '../../src/imports/engine.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;
let sysCtx: Ctx;
let teacherCtx: Ctx;

async function ctxFor(accountId: string): Promise<Ctx> {
  const actor = await loadActor(db.services, accountId);
  return { ...db.services, actor: actor! };
}

/** What View Accounts says, beside what counting the accounts themselves says. */
async function shown(ctx: Ctx, groupId?: string) {
  const page = await listAccounts(ctx, { filter: groupId ? { groupId } : {}, page: 1 });
  const scope = ctx.actor.isSystemAdmin ? null : ctx.actor.managedGroupIds;
  const [counted] = await db.services.sql<{ n: number }[]>`
    select count(*)::int as n from accounts where organisation_id = ${ctx.actor.organisationId}
      and (${scope === null} or group_id = any(${scope ?? []}::uuid[])) and (${groupId ?? null}::uuid is null or group_id = ${groupId ?? null}::uuid)`;
  return { shown: page.total, counted: counted!.n };
}

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Counts', groups: ['North', 'South', 'West'] });
  await createOrganisation(db.services, { name: 'Elsewhere', groups: ['Far'] });
  sysCtx = await ctxFor(org.systemAdmin.id);
  const teacher = await createAccount(db.services, org.organisationId, {
    email: 't@counts.test',
    kind: 'administrator',
    managedGroupIds: [org.groups.North!],
  });
  teacherCtx = await ctxFor(teacher.id);
  await db.services.sql`
    insert into accounts (organisation_id, kind, first_name, last_name, email, group_id)
    select ${org.organisationId}, 'user', 'L', 'N' || i, 'n' || i || '@counts.test', case when i % 2 = 0 then ${org.groups.North!}::uuid else ${org.groups.South!}::uuid end
    from generate_series(1, 40) i`;
});

describe('View Accounts count, kept by the database', () => {
  it('is exact after inserts, group moves, deletes and a deleted group, for every scope', async () => {
    const check = async () => {
      for (const [ctx, group] of [
        [sysCtx, undefined],
        [sysCtx, org.groups.North!],
        [sysCtx, org.groups.West!],
        [teacherCtx, undefined],
        [teacherCtx, org.groups.South!],
      ] as const) {
        const s = await shown(ctx, group);
        expect(s.shown).toBe(s.counted);
      }
    };
    await check();
    expect((await shown(sysCtx, org.groups.North!)).shown).toBe(20);
    await db.services
      .sql`update accounts set group_id = ${org.groups.West!} where email in ('n2@counts.test', 'n4@counts.test', 'n1@counts.test')`;
    await db.services.sql`update accounts set last_sign_in_at = now() where organisation_id = ${org.organisationId}`;
    await check();
    expect((await shown(sysCtx, org.groups.West!)).shown).toBe(3);
    await db.services.sql`delete from accounts where email in ('n6@counts.test', 'n7@counts.test')`;
    await db.services.sql`delete from groups where id = ${org.groups.West!}`;
    await check();
    expect((await shown(sysCtx)).shown).toBe(1 + 1 + 40 - 2);
  });

  it('is exact after an import applied in parallel chunks, and after the daily fold', async () => {
    const { id } = await createImportBatch(sysCtx, {
      source: 'csv',
      options: { groupId: org.groups.North!, sharedPassword: 'shared-secret-1' },
    });
    const rows = Array.from({ length: 90 }, (_, i) => ({
      rowNumber: i + 2,
      firstName: 'Imp',
      lastName: `Row${i}`,
      email: `imp${i}@counts.test`,
    }));
    await stageImportRows(sysCtx, id, rows);
    await checkImportBatch(sysCtx, id);
    await startImport(sysCtx, id);
    expect(await runImport(db.services, id, { chunkSize: 10, applyConcurrency: 2 })).toBe('finished');
    const before = await shown(sysCtx);
    expect(before.shown).toBe(before.counted);
    expect((await shown(sysCtx, org.groups.North!)).shown).toBe(20 - 2 - 1 + 90);

    await foldAccountCounts(db.services);
    expect(await shown(sysCtx)).toEqual(before);
    const shards = await db.services.sql<
      { shard: number }[]
    >`select distinct shard from account_counts where organisation_id = ${org.organisationId}`;
    expect(shards.map((s) => s.shard)).toEqual([0]);
  });

  it('forgets a deleted organisation at the fold', async () => {
    const gone = await createOrganisation(db.services, { name: 'Closing', groups: ['Only'] });
    await createAccount(db.services, gone.organisationId, { email: 'x@closing.test', groupId: gone.groups.Only! });
    await db.services.sql`delete from organisations where id = ${gone.organisationId}`;
    await foldAccountCounts(db.services);
    const [left] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from account_counts where organisation_id = ${gone.organisationId}`;
    expect(left!.n).toBe(0);
  });
});
