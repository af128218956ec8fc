import { Hono } from 'hono';
import * as v from 'valibot';
import { isUuid } from '../../ids.js';
import { safeRedirectPath } from '../../safe-redirect.js';
import { getOrganisationSettings, listProducts } from '../../assignments/catalogue.js';
import { createPreset, deletePreset, getPreset, listPresets, updatePreset } from '../../assignments/presets.js';
import type { ValidationError } from '../../errors.js';
import type { BuilderItem } from '../../../views/components/item-builder.js';
import { PresetDeletePage, PresetEditorPage, PresetsPage } from '../../../views/pages/presets.js';
import { rerenderOn } from '../form-errors.js';
import { fields, idParam, redirectTarget, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import {
  applyBuilderAction,
  BuilderForm,
  describePresetItems,
  fromAssignmentItems,
  readBuilderItems,
  toAssignmentItems,
} from '../item-form.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

const NOTICES: Record<string, string> = { saved: 'The Preset Assignment was saved.', deleted: 'The Preset Assignment was deleted.' };

/**
 * Where to go after saving a new preset: the Assign page it was opened from ("Create a new Preset
 * Assignment" there), or the list. The value passes the one safe-redirect check, and then only the
 * Assign page's shape of path is followed, so it cannot send anyone to another site or to a page
 * of our own that acts on arrival.
 */
function returnPath(c: AppContext, raw: string): string | null {
  const path = safeRedirectPath(raw, c.get('config').appUrl, '');
  const [, selectionId, rest] = /^\/assign\/([^/?#]+)(.*)$/.exec(path) ?? [];
  return selectionId && isUuid(selectionId) && rest === '' ? path : null;
}

const ListQuery = fields({ done: text('done') });
const NewQuery = fields({ return: redirectTarget });
const EditorForm = v.object({ ...BuilderForm.entries, name: text('Name'), return: redirectTarget });

async function editor(
  c: AppContext,
  presetId: string | null,
  name: string,
  items: BuilderItem[],
  error?: ValidationError,
  returnTo: string | null = null,
) {
  const ctx = c.get('ctx');
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
async function submit(c: AppContext, presetId: string | null, form: v.InferOutput<typeof EditorForm>) {
  const ctx = c.get('ctx');
  if (presetId) await getPreset(ctx, presetId);
  const [products, settings] = await Promise.all([listProducts(ctx), getOrganisationSettings(ctx)]);
  const posted = readBuilderItems(form);
  const returnTo = presetId ? null : returnPath(c, form.return);
  const changed = applyBuilderAction(posted, form.action, form.addProductId, products, settings.editions);
  if (changed) return editor(c, presetId, form.name, changed, undefined, returnTo);
  return rerenderOn(
    c,
    async () => {
      const saved = { name: form.name, items: toAssignmentItems(posted) };
      if (presetId) {
        await updatePreset(ctx, presetId, saved);
        return c.redirect('/assignments/presets?done=saved', 303);
      }
      const created = await createPreset(ctx, saved);
      // Back to the Assign page it came from, with the new preset chosen.
      if (returnTo) return c.redirect(`${returnTo}?presetId=${created.id}&done=preset-saved`, 303);
      return c.redirect('/assignments/presets?done=saved', 303);
    },
    (error) => editor(c, presetId, form.name, posted, error, returnTo),
  );
}

export const presetRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/', input.query(ListQuery), async (c) => {
    const ctx = c.get('ctx');
    const [presets, products] = await Promise.all([listPresets(ctx), listProducts(ctx)]);
    return c.render(
      <PresetsPage
        presets={presets.map((p) => ({ id: p.id, name: p.name, summary: describePresetItems(p.items, products) }))}
        notice={NOTICES[c.req.valid('query').done] ?? null}
      />,
      { title: 'Preset Assignments' },
    );
  })
  .get('/new', input.query(NewQuery), (c) => editor(c, null, '', [], undefined, returnPath(c, c.req.valid('query').return)))
  .post('/new', input.form(EditorForm), (c) => submit(c, null, c.req.valid('form')))
  .get('/:id', input.param(idParam), async (c) => {
    const preset = await getPreset(c.get('ctx'), c.req.valid('param').id);
    return editor(c, preset.id, preset.name, fromAssignmentItems(preset.items));
  })
  .post('/:id', input.param(idParam), input.form(EditorForm), (c) => submit(c, c.req.valid('param').id, c.req.valid('form')))
  // A page of its own, so deleting is confirmed with or without script, by keyboard or pointer.
  .get('/:id/delete', input.param(idParam), async (c) => {
    const ctx = c.get('ctx');
    const [preset, products] = await Promise.all([getPreset(ctx, c.req.valid('param').id), listProducts(ctx)]);
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
  .post('/:id/delete', input.param(idParam), async (c) => {
    await deletePreset(c.get('ctx'), c.req.valid('param').id);
    return c.redirect('/assignments/presets?done=deleted', 303);
  });
