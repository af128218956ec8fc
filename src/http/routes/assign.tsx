import { Hono } from 'hono';
import { countSelection, getSelection } from '../../accounts/selection.js';
import { getOrganisationSettings, listProducts } from '../../assignments/catalogue.js';
import { listPresets } from '../../assignments/presets.js';
import { createAssignmentRequest, planAssignment, type AssignmentPlanInput, type AssignmentRequestMode } from '../../assignments/request.js';
import { updateSessionData } from '../../auth/sessions.js';
import type { Ctx } from '../../context.js';
import { ValidationError } from '../../errors.js';
import { AssignOptionsPage, AssignVerifyPage } from '../../../views/pages/assign.js';
import type { BuilderItem } from '../../../views/components/item-builder.js';
import { applyBuilderAction, describePresetItems, readBuilderItems, toAssignmentItems } from '../item-form.js';
import { readForm } from '../form.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

interface CustomDraft {
  mode: AssignmentRequestMode;
  items: BuilderItem[];
}

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

function draftKey(selectionId: string): string {
  return `assign:${selectionId}`;
}

/** The custom assignment being built for a selection, kept in the session between the pages. */
function readDraft(c: AppContext, selectionId: string): CustomDraft {
  const raw = c.get('session')?.data[draftKey(selectionId)] as Partial<CustomDraft> | undefined;
  const mode = raw?.mode === 'reassign' || raw?.mode === 'renew' ? raw.mode : 'assign';
  return { mode, items: Array.isArray(raw?.items) ? (raw.items as BuilderItem[]) : [] };
}

async function optionsPage(c: AppContext, selectionId: string, extra: { draft?: CustomDraft; presetError?: string; customError?: string; chosenPresetId?: string; notice?: string } = {}) {
  const ctx = ctxOf(c);
  const selection = await getSelection(ctx, selectionId);
  const [accounts, presets, products, settings] = await Promise.all([countSelection(ctx, selection), listPresets(ctx), listProducts(ctx), getOrganisationSettings(ctx)]);
  const draft = extra.draft ?? readDraft(c, selectionId);
  return c.render(
    <AssignOptionsPage
      csrfToken={c.get('csrfToken')}
      selectionId={selection.id}
      accounts={accounts}
      presets={presets.map((p) => ({ id: p.id, name: p.name, summary: describePresetItems(p.items, products) }))}
      products={products}
      editions={settings.editions}
      mayReassign={settings.mayReassignCompleted}
      mode={settings.mayReassignCompleted ? draft.mode : 'assign'}
      items={draft.items}
      presetError={extra.presetError ?? null}
      customError={extra.customError ?? null}
      chosenPresetId={extra.chosenPresetId ?? null}
      notice={extra.notice ?? null}
    />,
    { title: 'Assign' },
  );
}

function planInput(c: AppContext, selectionId: string, source: { presetId: string } | { custom: true }): AssignmentPlanInput {
  if ('presetId' in source) return { targets: { kind: 'selection', selectionId }, presetId: source.presetId };
  const draft = readDraft(c, selectionId);
  return { targets: { kind: 'selection', selectionId }, items: toAssignmentItems(draft.items), mode: draft.mode };
}

async function verifyPage(c: AppContext, selectionId: string, source: { presetId: string } | { custom: true }, page: number, error?: ValidationError) {
  const plan = await planAssignment(ctxOf(c), planInput(c, selectionId, source), { page });
  return c.render(
    <AssignVerifyPage
      csrfToken={c.get('csrfToken')}
      selectionId={selectionId}
      source={'presetId' in source ? `presetId=${encodeURIComponent(source.presetId)}` : 'custom=1'}
      presetId={'presetId' in source ? source.presetId : null}
      {...plan}
      error={error?.message ?? null}
      fields={error?.fields ?? {}}
    />,
    { title: 'Verify the assignment' },
  );
}

export const assignRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/:selectionId', (c) =>
    optionsPage(c, c.req.param('selectionId'), {
      chosenPresetId: c.req.query('presetId'),
      notice: c.req.query('done') === 'preset-saved' ? 'The Preset Assignment was saved and is chosen below. Select Continue to use it.' : undefined,
    }),
  )
  .post('/:selectionId/custom', async (c) => {
    const selectionId = c.req.param('selectionId');
    const ctx = ctxOf(c);
    await getSelection(ctx, selectionId);
    const form = await readForm(c);
    const [products, settings] = await Promise.all([listProducts(ctx), getOrganisationSettings(ctx)]);
    const requested = form.get('assignMode');
    const mode: AssignmentRequestMode = settings.mayReassignCompleted && (requested === 'reassign' || requested === 'renew') ? requested : 'assign';
    const posted = readBuilderItems(form);
    const action = form.get('action');
    const changed = applyBuilderAction(posted, action, form.get('addProductId'), products, settings.editions);
    const draft: CustomDraft = { mode, items: changed ?? posted };
    await updateSessionData(c.get('services'), c.get('session')!.id, { [draftKey(selectionId)]: draft });
    if (changed) return optionsPage(c, selectionId, { draft });
    // Continue: the engine checks the products now, so mistakes are shown where they were made.
    try {
      await planAssignment(ctx, { targets: { kind: 'selection', selectionId }, items: toAssignmentItems(draft.items), mode }, { page: 1 });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return optionsPage(c, selectionId, { draft, customError: Object.values(error.fields).join(' ') || error.message });
    }
    return c.redirect(`/assign/${selectionId}/verify?custom=1`, 303);
  })
  .get('/:selectionId/verify', async (c) => {
    const selectionId = c.req.param('selectionId');
    const presetId = c.req.query('presetId');
    const page = Number.parseInt(c.req.query('page') ?? '1', 10) || 1;
    if (!presetId && c.req.query('custom') !== '1') {
      c.status(400);
      return optionsPage(c, selectionId, { presetError: 'Choose a Preset Assignment, then select Continue.' });
    }
    try {
      return await verifyPage(c, selectionId, presetId ? { presetId } : { custom: true }, page);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return presetId ? optionsPage(c, selectionId, { presetError: error.message }) : optionsPage(c, selectionId, { customError: Object.values(error.fields).join(' ') || error.message });
    }
  })
  .post('/:selectionId/confirm', async (c) => {
    const selectionId = c.req.param('selectionId');
    const form = await readForm(c);
    const presetId = form.get('presetId');
    const source = presetId ? { presetId } : ({ custom: true } as const);
    try {
      const { requestId } = await createAssignmentRequest(ctxOf(c), {
        ...planInput(c, selectionId, source),
        confirmSubscription: form.get('confirmSubscription') === '1',
        origin: 'accounts',
      });
      if (!presetId) await updateSessionData(c.get('services'), c.get('session')!.id, { [draftKey(selectionId)]: null });
      return c.redirect(`/assignments/requests/${requestId}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return verifyPage(c, selectionId, source, 1, error);
    }
  });
