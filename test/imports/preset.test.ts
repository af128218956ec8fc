import { beforeAll, describe, expect, it } from 'vitest';
import { listProducts, seedDemoCatalogue, type Product } from '../../src/assignments/catalogue.js';
import { createPreset, deletePreset } from '../../src/assignments/presets.js';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { checkImportBatch, createImportBatch, getImportBatch, runImport, stageImportRows, startImport } from '../../src/imports/engine.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { runDueJobs } from '../helpers/jobs.js';

const db = useTestDatabase();
let org: OrgFixture;
let ctx: Ctx;
let life: Product;

beforeAll(async () => {
  await seedDemoCatalogue(db.services);
  life = (await listProducts(db.services)).find((p) => p.name === 'Life Skills')!;
  org = await createOrganisation(db.services, { name: 'Preset', credits: 1000, editions: ['standard', 'enhanced'] });
  ctx = { ...db.services, actor: (await loadActor(db.services, org.systemAdmin.id))! };
});

async function importWithPreset(presetId: string, emails: string[]) {
  const { id } = await createImportBatch(ctx, {
    source: 'csv',
    options: { groupId: org.groups.North!, sharedPassword: 'shared-secret-1', presetId, updateExisting: { tags: true } },
  });
  await stageImportRows(
    ctx,
    id,
    emails.map((email, i) => ({ rowNumber: i + 2, firstName: 'P', lastName: `R${i}`, email })),
  );
  await checkImportBatch(ctx, id);
  await startImport(ctx, id);
  expect(await runImport(db.services, id)).toBe('finished');
  return id;
}

describe('Preset Assignment on an import', () => {
  it('is requested through the assignment engine for the created and updated accounts when the import finishes', async () => {
    const preset = await createPreset(ctx, {
      name: 'Starter',
      items: [{ productId: life.id, edition: 'standard', mode: 'subscription', startsOn: null, months: 6 }],
    });
    const existing = await createAccount(db.services, org.organisationId, { email: 'already@preset.test', groupId: org.groups.North! });
    const id = await importWithPreset(preset.id, ['new1@preset.test', 'new2@preset.test', 'already@preset.test']);
    const batch = await getImportBatch(ctx, id);
    expect(batch.assignmentRequestId).not.toBeNull();
    expect(batch.error).toBeNull();
    const [request] = await db.services.sql<{ account_ids: string[]; preset_id: string; origin: string }[]>`
      select account_ids, preset_id, origin from assignment_requests where id = ${batch.assignmentRequestId!}`;
    const created = await db.services.sql<
      { id: string }[]
    >`select id from accounts where email in ('new1@preset.test', 'new2@preset.test')`;
    expect([...request!.account_ids].sort()).toEqual([...created.map((c) => c.id), existing.id].sort());
    expect(request!.preset_id).toBe(preset.id);
    expect(request!.origin).toBe('import');
    await runDueJobs(db);
    const [assigned] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from assignments where organisation_id = ${org.organisationId} and product_id = ${life.id}`;
    expect(assigned!.n).toBe(3);
  });

  it('does not hold the import back when the preset was deleted meanwhile, and says so', async () => {
    const preset = await createPreset(ctx, {
      name: 'Short-lived',
      items: [{ productId: life.id, edition: 'standard', mode: 'subscription', startsOn: null, months: 3 }],
    });
    const { id } = await createImportBatch(ctx, {
      source: 'csv',
      options: { groupId: org.groups.North!, sharedPassword: 'shared-secret-1', presetId: preset.id },
    });
    await stageImportRows(ctx, id, [{ rowNumber: 2, firstName: 'Gone', lastName: 'Preset', email: 'gone@preset.test' }]);
    await checkImportBatch(ctx, id);
    await startImport(ctx, id);
    await deletePreset(ctx, preset.id);
    expect(await runImport(db.services, id)).toBe('finished');
    const batch = await getImportBatch(ctx, id);
    expect(batch.assignmentRequestId).toBeNull();
    expect(batch.error).toContain('The preset assignment was not applied');
    const client = new TestClient(createTestApp(db));
    await client.signIn('admin@preset.test');
    expect((await client.get(`/imports/${id}`)).html).toContain('The preset assignment was not applied');
  });

  it("offers the organisation's presets on the upload step and refuses one from elsewhere", async () => {
    await createPreset(ctx, {
      name: 'Offered preset',
      items: [{ productId: life.id, edition: 'standard', mode: 'subscription', startsOn: null, months: 12 }],
    });
    const other = await createOrganisation(db.services, { name: 'Other Preset', editions: ['standard'] });
    const otherCtx = { ...db.services, actor: (await loadActor(db.services, other.systemAdmin.id))! };
    const foreign = await createPreset(otherCtx, {
      name: 'Foreign',
      items: [{ productId: life.id, edition: 'standard', mode: 'subscription', startsOn: null, months: 12 }],
    });
    const client = new TestClient(createTestApp(db));
    await client.signIn('admin@preset.test');
    const page = await client.get('/imports/csv/upload');
    expect(page.html).toContain('Preset Assignment');
    expect(page.html).toContain('Offered preset');
    expect(page.html).not.toContain('Foreign');
    const form = new FormData();
    form.set('_csrf', client.csrf);
    form.set('file', new File(['First Name,Last Name,Email\nA,B,ab@preset.test\n'], 'a.csv'));
    form.set('presetId', foreign.id);
    const res = await client.request('/imports/csv/upload', { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('That preset assignment no longer exists');
  });
});
