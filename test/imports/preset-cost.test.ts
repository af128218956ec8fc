import { beforeAll, describe, expect, it } from 'vitest';
import { listProducts, seedDemoCatalogue, type Product } from '../../src/assignments/catalogue.js';
import { createPreset } from '../../src/assignments/presets.js';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { checkImportBatch, createImportBatch, getImportBatch, runImport, stageImportRows } from '../../src/imports/engine.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { queuedJobs, runDueJobs } from '../helpers/jobs.js';

const db = useTestDatabase();
let org: OrgFixture;
let ctx: Ctx;
let career: Product;
let workplace: Product;

/** The page's words without tags or repeated spaces. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/ ([:;,.])/g, '$1');

beforeAll(async () => {
  await seedDemoCatalogue(db.services);
  const products = await listProducts(db.services);
  career = products.find((p) => p.name === 'Career Exploration')!;
  workplace = products.find((p) => p.name === 'Workplace Readiness')!;
  org = await createOrganisation(db.services, { name: 'Costly', credits: 0 });
  ctx = { ...db.services, actor: (await loadActor(db.services, org.systemAdmin.id))! };
});

async function setCredits(n: number) {
  await db.services.sql`update organisations set credits_balance = ${n} where id = ${org.organisationId}`;
}

/** A CSV batch as the wizard leaves it at verification (the file's facts, staged and checked rows). */
const CSV_STATE = {
  fileName: 'cost.csv',
  encoding: 'utf-8',
  delimiter: ',',
  headers: ['First Name', 'Last Name', 'Email'],
  rowCount: 0,
  samples: [],
  mapping: ['firstName', 'lastName', 'email'],
  staged: true,
  checked: true,
};

async function checkedImport(presetId: string, emails: string[]) {
  const { id } = await createImportBatch(ctx, {
    source: 'csv',
    sourceState: { ...CSV_STATE, rowCount: emails.length },
    options: { groupId: org.groups.North!, sharedPassword: 'shared-secret-1', presetId, updateExisting: { tags: true } },
  });
  await stageImportRows(
    ctx,
    id,
    emails.map((email, i) => ({ rowNumber: i + 2, firstName: 'Cost', lastName: `Row${i}`, email })),
  );
  await checkImportBatch(ctx, id);
  return id;
}

async function admin() {
  const client = new TestClient(createTestApp(db));
  await client.signIn(org.systemAdmin.email);
  return client;
}

describe('the preset on import verification', () => {
  it('shows what the preset will cost, refuses Import Accounts while it cannot be paid, and imports once the preset is dropped', async () => {
    const perAccount = career.creditCost + workplace.creditCost;
    const preset = await createPreset(ctx, {
      name: 'Career starter',
      items: [
        { productId: career.id, edition: 'standard', mode: 'subscription', startsOn: null, months: 12 },
        { productId: workplace.id, edition: 'standard', mode: 'subscription', startsOn: null, months: 12 },
      ],
    });
    // An existing account the import updates counts too; an administrator would not.
    await createAccount(db.services, org.organisationId, { email: 'old@costly.test', groupId: org.groups.North! });
    const id = await checkedImport(preset.id, ['a@costly.test', 'b@costly.test', 'old@costly.test']);
    const cost = perAccount * 3;
    await setCredits(cost - 1);
    const client = await admin();

    for (const path of [`/imports/${id}/ready`, `/imports/${id}/verify?page=1`]) {
      const page = text((await client.get(path)).html);
      expect(page).toContain(`Preset Assignment Career starter: ${cost} credits; your organisation has ${cost - 1}.`);
      expect(page).toContain('Not enough credits for the preset');
      expect(page).toContain('Import without the preset');
      expect(page).toContain('Change the preset');
      expect(page).not.toContain('Import Accounts');
    }

    const refused = await client.post(`/imports/${id}/start`);
    expect(refused.status).toBe(400);
    expect(text(await refused.text())).toContain(`needs ${cost} credits and your organisation has ${cost - 1}`);
    expect((await getImportBatch(ctx, id)).status).toBe('checked');
    expect((await queuedJobs(db)).filter((j) => j.task === 'run_import')).toHaveLength(0);

    const dropped = await client.post(`/imports/${id}/preset`, { presetId: '' });
    expect(dropped.status).toBe(303);
    expect(dropped.headers.get('location')).toBe(`/imports/${id}/ready`);
    const batch = await getImportBatch(ctx, id);
    expect(batch.options.presetId).toBeNull();
    expect(batch.status).toBe('checked');
    const ready = text((await client.get(`/imports/${id}/ready`)).html);
    expect(ready).toContain('Import Accounts');
    expect(ready).not.toContain('Career starter');
    expect((await client.post(`/imports/${id}/start`)).status).toBe(303);
    expect((await getImportBatch(ctx, id)).status).toBe('queued');
  });

  it('lets the administrator change to a preset the organisation can pay for', async () => {
    const big = await createPreset(ctx, {
      name: 'Big bundle',
      items: [{ productId: career.id, edition: 'standard', mode: 'subscription', startsOn: null, months: 12 }],
    });
    const small = await createPreset(ctx, {
      name: 'Small bundle',
      items: [{ productId: workplace.id, edition: 'standard', mode: 'subscription', startsOn: null, months: 12 }],
    });
    const id = await checkedImport(big.id, ['c@costly.test', 'd@costly.test']);
    await setCredits(workplace.creditCost * 2);
    const client = await admin();
    expect(text((await client.get(`/imports/${id}/ready`)).html)).not.toContain('Import Accounts');
    expect((await client.post(`/imports/${id}/preset`, { presetId: small.id })).status).toBe(303);
    const page = text((await client.get(`/imports/${id}/ready`)).html);
    expect(page).toContain(`Small bundle: ${workplace.creditCost * 2} credits; your organisation has ${workplace.creditCost * 2}.`);
    expect(page).toContain('Import Accounts');
  });

  it('shows on the result page how the preset turned out: assigned and skipped, or not made and why', async () => {
    const preset = await createPreset(ctx, {
      name: 'Outcome bundle',
      items: [{ productId: workplace.id, edition: 'standard', mode: 'subscription', startsOn: null, months: 12 }],
    });
    await setCredits(100);
    const client = await admin();

    const paid = await checkedImport(preset.id, ['e@costly.test', 'f@costly.test']);
    expect((await client.post(`/imports/${paid}/start`)).status).toBe(303);
    await runDueJobs(db);
    const done = text((await client.get(`/imports/${paid}`)).html);
    expect(done).toContain('Preset Assignment: Outcome bundle');
    expect(done).toContain('2 assigned, 0 skipped');

    // Paid for when verified, but the credits were spent elsewhere before the import finished.
    const late = await checkedImport(preset.id, ['g@costly.test']);
    expect((await client.post(`/imports/${late}/start`)).status).toBe(303);
    await setCredits(0);
    expect(await runImport(db.services, late)).toBe('finished');
    await runDueJobs(db);
    const short = text((await client.get(`/imports/${late}`)).html);
    expect(short).toContain('Preset Assignment: Outcome bundle');
    expect(short).toMatch(/Not made: Not enough credits: this assignment needs \d+ credits and your organisation has 0/);
  });
});
