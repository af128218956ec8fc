import { Hono } from 'hono';
import { getOrganisationSettings, listProducts } from '../../assignments/catalogue.js';
import { createPreset, deletePreset, getPreset, listPresets, updatePreset } from '../../assignments/presets.js';
import { planItems } from '../../assignments/request.js';
import type { Ctx } from '../../context.js';
import { ValidationError } from '../../errors.js';
import { describeItems, type BuilderItem } from '../../../views/components/item-builder.js';
import { PresetEditorPage, PresetsPage } from '../../../views/pages/presets.js';
import { applyBuilderAction, fromAssignmentItems, readBuilderItems, toAssignmentItems } from '../item-form.js';
import { readForm } from '../form.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

const NOTICES: Record<string, string> = { saved: 'The Preset Assignment was saved.', deleted: 'The Preset Assignment was deleted.' };

async function editor(c: AppContext, presetId: string | null, name: string, items: BuilderItem[], error?: ValidationError) {
  const ctx = ctxOf(c);
  const [products, settings] = await Promise.all([listProducts(ctx), getOrganisationSettings(ctx)]);
  return c.render(
    <PresetEditorPage
      csrfToken={c.get('csrfToken')}
      presetId={presetId}
      name={name}
      items={items}
      products={products}
      editions={settings.editions}
      error={error?.message ?? null}
      fields={error?.fields ?? {}}
    />,
    { title: presetId ? 'Edit Preset Assignment' : 'Create a Preset Assignment' },
  );
}

/** Add Product / Remove re-render the editor; Save validates and stores through the feature. */
async function submit(c: AppContext, presetId: string | null) {
  const ctx = ctxOf(c);
  if (presetId) await getPreset(ctx, presetId);
  const form = await readForm(c);
  const [products, settings] = await Promise.all([listProducts(ctx), getOrganisationSettings(ctx)]);
  const posted = readBuilderItems(form);
  const changed = applyBuilderAction(posted, form.get('action'), form.get('addProductId'), products, settings.editions);
  if (changed) return editor(c, presetId, form.get('name'), changed);
  try {
    const input = { name: form.get('name'), items: toAssignmentItems(posted) };
    if (presetId) await updatePreset(ctx, presetId, input);
    else await createPreset(ctx, input);
    return c.redirect('/assignments/presets?done=saved', 303);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    c.status(400);
    return editor(c, presetId, form.get('name'), posted, error);
  }
}

export const presetRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/', async (c) => {
    const ctx = ctxOf(c);
    const [presets, products] = await Promise.all([listPresets(ctx), listProducts(ctx)]);
    return c.render(
      <PresetsPage
        csrfToken={c.get('csrfToken')}
        presets={presets.map((p) => ({ id: p.id, name: p.name, summary: describeItems(planItems(p.items.filter((i) => products.some((x) => x.id === i.productId)), products)) }))}
        notice={NOTICES[c.req.query('done') ?? ''] ?? null}
      />,
      { title: 'Preset Assignments' },
    );
  })
  .get('/new', (c) => editor(c, null, '', []))
  .post('/new', (c) => submit(c, null))
  .get('/:id', async (c) => {
    const preset = await getPreset(ctxOf(c), c.req.param('id'));
    return editor(c, preset.id, preset.name, fromAssignmentItems(preset.items));
  })
  .post('/:id', (c) => submit(c, c.req.param('id')))
  .post('/:id/delete', async (c) => {
    await deletePreset(ctxOf(c), c.req.param('id'));
    return c.redirect('/assignments/presets?done=deleted', 303);
  });
