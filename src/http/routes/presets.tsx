import { Hono } from 'hono';
import { getOrganisationSettings, listProducts } from '../../assignments/catalogue.js';
import { createPreset, deletePreset, getPreset, listPresets, updatePreset } from '../../assignments/presets.js';
import type { Ctx } from '../../context.js';
import { ValidationError } from '../../errors.js';
import type { BuilderItem } from '../../../views/components/item-builder.js';
import { PresetDeletePage, PresetEditorPage, PresetsPage } from '../../../views/pages/presets.js';
import { applyBuilderAction, describePresetItems, fromAssignmentItems, readBuilderItems, toAssignmentItems } from '../item-form.js';
import { readForm } from '../form.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

const NOTICES: Record<string, string> = { saved: 'The Preset Assignment was saved.', deleted: 'The Preset Assignment was deleted.' };

/**
 * Where to go after saving a new preset: the Assign page it was opened from ("Create a new Preset
 * Assignment" there), or the list. Only that one shape of path is followed, so the parameter
 * cannot send anyone to another site or to a page of our own that acts on arrival.
 */
function returnPath(raw: string | undefined): string | null {
  return raw && /^\/assign\/[0-9a-f-]{36}$/.test(raw) ? raw : null;
}

async function editor(c: AppContext, presetId: string | null, name: string, items: BuilderItem[], error?: ValidationError, returnTo: string | null = null) {
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
      returnTo={returnTo}
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
  const returnTo = presetId ? null : returnPath(form.get('return'));
  const changed = applyBuilderAction(posted, form.get('action'), form.get('addProductId'), products, settings.editions);
  if (changed) return editor(c, presetId, form.get('name'), changed, undefined, returnTo);
  try {
    const input = { name: form.get('name'), items: toAssignmentItems(posted) };
    if (presetId) {
      await updatePreset(ctx, presetId, input);
      return c.redirect('/assignments/presets?done=saved', 303);
    }
    const created = await createPreset(ctx, input);
    // Back to the Assign page it came from, with the new preset chosen.
    if (returnTo) return c.redirect(`${returnTo}?presetId=${created.id}&done=preset-saved`, 303);
    return c.redirect('/assignments/presets?done=saved', 303);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    c.status(400);
    return editor(c, presetId, form.get('name'), posted, error, returnTo);
  }
}

export const presetRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/', async (c) => {
    const ctx = ctxOf(c);
    const [presets, products] = await Promise.all([listPresets(ctx), listProducts(ctx)]);
    return c.render(
      <PresetsPage
        presets={presets.map((p) => ({ id: p.id, name: p.name, summary: describePresetItems(p.items, products) }))}
        notice={NOTICES[c.req.query('done') ?? ''] ?? null}
      />,
      { title: 'Preset Assignments' },
    );
  })
  .get('/new', (c) => editor(c, null, '', [], undefined, returnPath(c.req.query('return'))))
  .post('/new', (c) => submit(c, null))
  .get('/:id', async (c) => {
    const preset = await getPreset(ctxOf(c), c.req.param('id'));
    return editor(c, preset.id, preset.name, fromAssignmentItems(preset.items));
  })
  .post('/:id', (c) => submit(c, c.req.param('id')))
  // A page of its own, so deleting is confirmed with or without script, by keyboard or pointer.
  .get('/:id/delete', async (c) => {
    const ctx = ctxOf(c);
    const [preset, products] = await Promise.all([getPreset(ctx, c.req.param('id')), listProducts(ctx)]);
    return c.render(
      <PresetDeletePage
        csrfToken={c.get('csrfToken')}
        id={preset.id}
        name={preset.name}
        summary={describePresetItems(preset.items, products)}
      />,
      { title: `Delete ${preset.name}` },
    );
  })
  .post('/:id/delete', async (c) => {
    await deletePreset(ctxOf(c), c.req.param('id'));
    return c.redirect('/assignments/presets?done=deleted', 303);
  });
