import { beforeAll, describe, expect, it } from 'vitest';
import { confirmBulkAction, runBulkAction } from '../../src/accounts/bulk.js';
import { createSelection } from '../../src/accounts/selection.js';
import type { Ctx } from '../../src/context.js';
import { checkImportBatch, createImportBatch, runImport, stageImportRows, startImport } from '../../src/imports/engine.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, ctxFor, type OrgFixture } from '../helpers/fixtures.js';
import { queuedJobs, runDueJobs } from '../helpers/jobs.js';

// View Accounts counts from its indexes alone only on pages the visibility map marks; bulk
// writers have the pages they wrote marked (src/accounts/vacuum.ts). What is checked is the
// outcome: how many table rows an index-only count of a group still has to visit.
const db = useTestDatabase();
let org: OrgFixture;
let ctx: Ctx;

/** Rows the table is visited for while counting a group's accounts from its index. */
async function heapFetches(groupId: string): Promise<number> {
  return db.services.sql.begin(async (tx) => {
    await tx`set local enable_seqscan = off`;
    await tx`set local enable_bitmapscan = off`;
    const [row] = await tx<{ plan: unknown }[]>`
      explain (analyze, format json) select count(*) from accounts where organisation_id = ${org.organisationId} and group_id = ${groupId}`;
    const text = JSON.stringify(row!['QUERY PLAN' as keyof typeof row]);
    expect(text).toContain('Index Only Scan');
    return [...text.matchAll(/"Heap Fetches":\s*(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  });
}

async function importInto(groupId: string, prefix: string, count: number, options: Parameters<typeof runImport>[2]) {
  const { id } = await createImportBatch(ctx, { source: 'csv', options: { groupId, sharedPassword: 'shared-secret-1' } });
  const rows = Array.from({ length: count }, (_, i) => ({
    rowNumber: i + 2,
    firstName: 'Imp',
    lastName: `${prefix}${i}`,
    email: `${prefix}${i}@vacuum.test`,
  }));
  await stageImportRows(ctx, id, rows);
  await checkImportBatch(ctx, id);
  await startImport(ctx, id);
  expect(await runImport(db.services, id, options)).toBe('finished');
}

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Vacuum', groups: ['North', 'South'] });
  ctx = await ctxFor(db, org.systemAdmin.id);
  // Only the application vacuums here, so what it leaves unmarked is seen, and no autovacuum of
  // another table holds a snapshot that keeps the newest rows from being marked.
  const tables = await db.services.sql<{ name: string }[]>`
    select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname in ('public', 'graphile_worker')`;
  for (const t of tables) await db.services.sql.unsafe(`alter table ${t.name} set (autovacuum_enabled = off)`);
});

describe('pages written in bulk are marked visible', () => {
  it('after a large import, by the job the import queues; a small import queues none', async () => {
    await importInto(org.groups.North!, 'small', 20, {});
    expect((await queuedJobs(db)).map((j) => j.task)).not.toContain('vacuum_written_accounts');

    await importInto(org.groups.North!, 'big', 1200, {});
    expect(await heapFetches(org.groups.North!)).toBeGreaterThan(1000);
    expect((await queuedJobs(db)).filter((j) => j.task === 'vacuum_written_accounts')).toHaveLength(1);
    // The job waits a few seconds for writes close behind; here it is made due at once.
    await db.services.sql`update graphile_worker._private_jobs set run_at = now()`;
    await runDueJobs(db);
    expect((await queuedJobs(db)).map((j) => j.task)).not.toContain('vacuum_written_accounts');
    expect(await heapFetches(org.groups.North!)).toBe(0);
  });

  it('after a bulk action on 1,000+ accounts, by the job it queues', async () => {
    const [tag] = await db.services.sql<{ id: string }[]>`
      insert into tags (organisation_id, name) values (${org.organisationId}, 'Everyone') returning id`;
    const selection = await createSelection(ctx, { allMatching: true, filter: { groupId: org.groups.North! } });
    const { bulkActionId } = await confirmBulkAction(ctx, { selectionId: selection.id, action: { kind: 'add-tag', tagId: tag!.id } });
    // Confirm runs it now or queues it; either way it is done after this.
    await runBulkAction(db.services, bulkActionId);
    const [done] = await db.services.sql<{ status: string; changed_count: number }[]>`
      select status, changed_count from bulk_actions where id = ${bulkActionId}`;
    expect(done).toEqual({ status: 'finished', changed_count: 1220 });
    expect((await queuedJobs(db)).filter((j) => j.task === 'vacuum_written_accounts')).toHaveLength(1);
  });

  it('during an import that rests beside the web, between its chunks', async () => {
    await importInto(org.groups.South!, 'rest', 600, { chunkSize: 200, applyBusyShare: 0.9 });
    // The last chunk's pages are marked in its rest too: nothing is left for a count to visit,
    // before any job has run.
    expect(await heapFetches(org.groups.South!)).toBe(0);
  });
});
