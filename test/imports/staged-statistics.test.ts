import { beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/context.js';
import { checkImportBatch, createImportBatch, stageImportRows } from '../../src/imports/engine.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, ctxFor, type OrgFixture } from '../helpers/fixtures.js';

// A new batch's rows must be known to the statistics before its check runs: estimated at one row,
// the check's decision re-read its whole pipeline once per row (600 rows: 11-17 s).
const db = useTestDatabase();
let org: OrgFixture;
let ctx: Ctx;

/** The planner's estimate of a batch's staged rows. */
async function estimatedRows(batchId: string): Promise<number> {
  const [row] = await db.services.sql<
    Record<string, unknown>[]
  >`explain (format json) select * from import_rows where batch_id = ${batchId}`;
  return (row!['QUERY PLAN'] as { Plan: { 'Plan Rows': number } }[])[0]!.Plan['Plan Rows'];
}

async function stagedBatch(prefix: string, count: number): Promise<string> {
  const { id } = await createImportBatch(ctx, {
    source: 'csv',
    options: { groupId: org.groups.North!, sharedPassword: 'shared-secret-1' },
  });
  const rows = Array.from({ length: count }, (_, i) => ({
    rowNumber: i + 2,
    firstName: 'Row',
    lastName: `${prefix}${i}`,
    email: `${prefix}${i}@stats.test`,
  }));
  await stageImportRows(ctx, id, rows);
  return id;
}

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Statistics', groups: ['North'] });
  ctx = await ctxFor(db, org.systemAdmin.id);
  await db.services.sql`alter table import_rows set (autovacuum_enabled = off)`;
});

describe('staging rows for an import', () => {
  it('leaves statistics that know the new batch, even a few hundred rows among batches the statistics already knew', async () => {
    await stagedBatch('first', 30);
    // The statistics now know every batch there is, as they do after autovacuum in a quiet week.
    await db.services.sql`analyze import_rows`;
    const id = await stagedBatch('second', 600);
    expect(await estimatedRows(id)).toBeGreaterThan(300);
    const summary = await checkImportBatch(ctx, id);
    expect(summary.total).toBe(600);
    const [created] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from import_rows where batch_id = ${id} and outcome = 'create'`;
    expect(created!.n).toBe(600);
  });
});
