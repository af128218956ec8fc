import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import {
  checkImportBatch,
  createImportBatch,
  getImportBatch,
  runImport,
  stageImportRows,
  startImport,
  type ImportRowInput,
} from '../../src/imports/engine.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;
let ctx: Ctx;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Resting', groups: ['North'] });
  ctx = { ...db.services, actor: (await loadActor(db.services, org.systemAdmin.id))! };
});

async function startedImport(prefix: string, rows: number): Promise<string> {
  const input: ImportRowInput[] = Array.from({ length: rows }, (_, i) => ({
    rowNumber: i + 2,
    firstName: 'Rest',
    lastName: `Row${i}`,
    email: `${prefix}${i}@resting.test`,
  }));
  const { id } = await createImportBatch(ctx, {
    source: 'csv',
    options: { groupId: org.groups.North!, sharedPassword: 'shared-secret-1' },
  });
  await stageImportRows(ctx, id, input);
  await checkImportBatch(ctx, id);
  await startImport(ctx, id);
  return id;
}

/** Runs an import of 3 chunks whose transactions each take at least 40 ms; the gaps between one chunk's commit and the next one's. */
async function gapsBetweenChunks(prefix: string, applyBusyShare: number): Promise<number[]> {
  const id = await startedImport(prefix, 30);
  const committed: number[] = [];
  const gaps: number[] = [];
  const result = await runImport(db.services, id, {
    chunkSize: 10,
    applyConcurrency: 1,
    applyBusyShare,
    beforeChunkCommit: async (phase) => {
      if (phase !== 'apply') return;
      await new Promise((resolve) => setTimeout(resolve, 40));
      if (committed.length) gaps.push(performance.now() - committed[committed.length - 1]!);
    },
    afterChunk: (phase) => {
      if (phase === 'apply') committed.push(performance.now());
    },
  });
  expect(result).toBe('finished');
  const batch = await getImportBatch(ctx, id);
  expect([batch.createdCount, batch.processedRows]).toEqual([30, 30]);
  return gaps;
}

describe('import engine: resting between chunks beside the web', () => {
  it('with half the time, rests after each chunk at least as long as the chunk took, and still imports every row', async () => {
    const gaps = await gapsBetweenChunks('half', 0.5);
    expect(gaps).toHaveLength(2);
    // The next chunk starts after a rest of at least its predecessor's 40+ ms, then spends 40 ms itself.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(80);
  });
});
