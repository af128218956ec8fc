import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { PasswordHasher } from '../../src/auth/passwords.js';
import type { Ctx, Services } from '../../src/context.js';
import { WebActivity } from '../../src/cpu-share.js';
import { checkImportBatch, createImportBatch, getImportBatch, runImport, stageImportRows, startImport } from '../../src/imports/engine.js';
import { testConfig } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, ctxFor, type OrgFixture } from '../helpers/fixtures.js';

// Beside the web, an import hashes on the cores it leaves the requests (hashConcurrency) and, while
// no request is being served, on the one it leaves them too (idleHashConcurrency).
const db = useTestDatabase();
let org: OrgFixture;
let ctx: Ctx;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Hashing', groups: ['North'] });
  ctx = await ctxFor(db, org.systemAdmin.id);
});

/** A hasher that takes 15 ms a password and records how many hashes were in flight, over time. */
function watchedHasher(real: PasswordHasher) {
  let inFlight = 0;
  const seen: { at: number; inFlight: number }[] = [];
  const hasher: PasswordHasher = {
    async hash(password) {
      inFlight++;
      seen.push({ at: performance.now(), inFlight });
      await new Promise((resolve) => setTimeout(resolve, 15));
      const hash = await real.hash(password);
      inFlight--;
      return hash;
    },
    verify: (hash, password) => real.verify(hash, password),
  };
  return { hasher, seen };
}

async function importWithOwnPasswords(prefix: string, rows: number, web: WebActivity, services: Services): Promise<void> {
  const { id } = await createImportBatch(ctx, { source: 'csv', options: { groupId: org.groups.North! } });
  const input = Array.from({ length: rows }, (_, i) => ({
    rowNumber: i + 2,
    firstName: 'Own',
    lastName: `${prefix}${i}`,
    email: `${prefix}${i}@hashing.test`,
    password: `own-password-${i}`,
  }));
  await stageImportRows(ctx, id, input);
  await checkImportBatch(ctx, id);
  await startImport(ctx, id);
  expect(await runImport(services, id, { hashConcurrency: 1, idleHashConcurrency: 2, webActivity: web, hashChunkSize: 4 })).toBe(
    'finished',
  );
  const batch = await getImportBatch(ctx, id);
  expect([batch.passwordsHashed, batch.createdCount]).toEqual([rows, rows]);
}

describe('hashing an import beside the web', () => {
  it('keeps one hash in flight while a request is being served', async () => {
    const { hasher, seen } = watchedHasher(db.services.passwords);
    const web = new WebActivity();
    web.begin();
    await importWithOwnPasswords('busy', 8, web, { ...db.services, passwords: hasher });
    web.end();
    expect(Math.max(...seen.map((s) => s.inFlight))).toBe(1);
  });

  it('hashes two at once while none is, and takes the second core back as soon as the requests end', async () => {
    const idle = watchedHasher(db.services.passwords);
    await importWithOwnPasswords('idle', 8, new WebActivity(), { ...db.services, passwords: idle.hasher });
    expect(Math.max(...idle.seen.map((s) => s.inFlight))).toBe(2);

    const { hasher, seen } = watchedHasher(db.services.passwords);
    const web = new WebActivity();
    web.begin();
    let endedAt = Number.POSITIVE_INFINITY;
    setTimeout(() => {
      endedAt = performance.now();
      web.end();
    }, 60);
    await importWithOwnPasswords('ending', 12, web, { ...db.services, passwords: hasher });
    expect(seen.filter((s) => s.at < endedAt).every((s) => s.inFlight === 1)).toBe(true);
    expect(seen.some((s) => s.at > endedAt && s.inFlight === 2)).toBe(true);
  });
});

describe('WebActivity', () => {
  it('is told of every request the app serves, while it is being served', async () => {
    const web = new WebActivity();
    let servingDuringRequest = -1;
    const app = createApp({ config: testConfig(), services: () => db.services, webActivity: web });
    app.get('/__probe', (c) => {
      servingDuringRequest = web.serving;
      return c.text('ok');
    });
    expect((await app.request('/__probe')).status).toBe(200);
    expect([servingDuringRequest, web.serving]).toEqual([1, 0]);
    await app.request('/no-such-page');
    expect(web.serving).toBe(0);
  });

  it('counts requests in and out, and settles idle() once the last one ends', async () => {
    const web = new WebActivity();
    await web.idle();
    web.begin();
    web.begin();
    let settled = false;
    const idle = web.idle().then(() => (settled = true));
    web.end();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect([web.serving, settled]).toEqual([1, false]);
    web.end();
    await idle;
    expect([web.serving, settled]).toEqual([0, true]);
  });
});
