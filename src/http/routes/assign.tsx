import { Hono } from 'hono';
import * as v from 'valibot';
import { countSelection, getSelection } from '../../accounts/selection.js';
import { getOrganisationSettings, listProducts } from '../../assignments/catalogue.js';
import { listPresets } from '../../assignments/presets.js';
import type { AssignmentPlanInput, AssignmentRequestMode } from '../../assignments/plan.js';
import { createAssignmentRequest, planAssignment } from '../../assignments/request.js';
import { updateSessionData } from '../../auth/sessions.js';
import type { ValidationError } from '../../errors.js';
import { AssignOptionsPage, AssignVerifyPage } from '../../../views/pages/assign.js';
import type { BuilderItem } from '../../../views/components/item-builder.js';
import { applyBuilderAction, describePresetItems, readBuilderItems, toAssignmentItems } from '../item-form.js';
import { rerenderOn } from '../form-errors.js';
import { choice, fields, flag, id, optionalId, page, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { BuilderForm } from '../item-form.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

interface CustomDraft {
  mode: AssignmentRequestMode;
  items: BuilderItem[];
}

const SelectionParam = v.object({ selectionId: id });

const OptionsQuery = fields({ presetId: optionalId('The Preset Assignment'), done: text('done') });

const CustomForm = v.object({ ...BuilderForm.entries, assignMode: choice(['assign', 'reassign', 'renew'], 'assign') });

const VerifyQuery = fields({ presetId: optionalId('The Preset Assignment'), custom: flag, page });

const ConfirmForm = fields({ presetId: optionalId('The Preset Assignment'), confirmSubscription: flag });

function draftKey(selectionId: string): string {
  return `assign:${selectionId}`;
}

/** The custom assignment being built for a selection, kept in the session between the pages. */
function readDraft(c: AppContext, selectionId: string): CustomDraft {
  const raw = c.get('session')?.data[draftKey(selectionId)] as Partial<CustomDraft> | undefined;
  const mode = raw?.mode === 'reassign' || raw?.mode === 'renew' ? raw.mode : 'assign';
  return { mode, items: Array.isArray(raw?.items) ? (raw.items as BuilderItem[]) : [] };
}

async function optionsPage(
  c: AppContext,
  selectionId: string,
  extra: { draft?: CustomDraft; presetError?: string; customError?: ValidationError; chosenPresetId?: string; notice?: string } = {},
) {
  const ctx = c.get('ctx');
  const selection = await getSelection(ctx, selectionId);
  const [accounts, presets, products, settings] = await Promise.all([
    countSelection(ctx, selection),
    listPresets(ctx),
    listProducts(ctx),
    getOrganisationSettings(ctx),
  ]);
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
      customError={extra.customError?.message ?? null}
      customFields={extra.customError?.fields ?? {}}
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

async function verifyPage(
  c: AppContext,
  selectionId: string,
  source: { presetId: string } | { custom: true },
  page: number,
  error?: ValidationError,
) {
  const plan = await planAssignment(c.get('ctx'), planInput(c, selectionId, source), { page });
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
  .get('/:selectionId', input.param(SelectionParam), input.query(OptionsQuery), (c) => {
    const query = c.req.valid('query');
    return optionsPage(c, c.req.valid('param').selectionId, {
      ...(query.presetId ? { chosenPresetId: query.presetId } : {}),
      notice: query.done === 'preset-saved' ? 'The Preset Assignment was saved and is chosen below. Select Continue to use it.' : undefined,
    });
  })
  .post('/:selectionId/custom', input.param(SelectionParam), input.form(CustomForm), async (c) => {
    const { selectionId } = c.req.valid('param');
    const ctx = c.get('ctx');
    await getSelection(ctx, selectionId);
    const form = c.req.valid('form');
    const [products, settings] = await Promise.all([listProducts(ctx), getOrganisationSettings(ctx)]);
    const mode: AssignmentRequestMode = settings.mayReassignCompleted ? form.assignMode : 'assign';
    const posted = readBuilderItems(form);
    const changed = applyBuilderAction(posted, form.action, form.addProductId, products, settings.editions);
    const draft: CustomDraft = { mode, items: changed ?? posted };
    await updateSessionData(c.get('services'), c.get('session')!.id, { [draftKey(selectionId)]: draft });
    if (changed) return optionsPage(c, selectionId, { draft });
    // Continue: the engine checks the products now, so mistakes are shown where they were made.
    return rerenderOn(
      c,
      async () => {
        await planAssignment(
          ctx,
          { targets: { kind: 'selection', selectionId }, items: toAssignmentItems(draft.items), mode },
          { page: 1 },
        );
        return c.redirect(`/assign/${selectionId}/verify?custom=1`, 303);
      },
      (error) => optionsPage(c, selectionId, { draft, customError: error }),
    );
  })
  .get('/:selectionId/verify', input.param(SelectionParam), input.query(VerifyQuery), async (c) => {
    const { selectionId } = c.req.valid('param');
    const { presetId, custom, page } = c.req.valid('query');
    if (!presetId && !custom) {
      c.status(400);
      return optionsPage(c, selectionId, { presetError: 'Choose a Preset Assignment, then select Continue.' });
    }
    return rerenderOn(
      c,
      () => verifyPage(c, selectionId, presetId ? { presetId } : { custom: true }, page),
      (error) =>
        presetId ? optionsPage(c, selectionId, { presetError: error.message }) : optionsPage(c, selectionId, { customError: error }),
    );
  })
  .post('/:selectionId/confirm', input.param(SelectionParam), input.form(ConfirmForm), async (c) => {
    const { selectionId } = c.req.valid('param');
    const { presetId, confirmSubscription } = c.req.valid('form');
    const source = presetId ? { presetId } : ({ custom: true } as const);
    return rerenderOn(
      c,
      async () => {
        const { requestId } = await createAssignmentRequest(c.get('ctx'), {
          ...planInput(c, selectionId, source),
          confirmSubscription,
          origin: 'accounts',
        });
        if (!presetId) await updateSessionData(c.get('services'), c.get('session')!.id, { [draftKey(selectionId)]: null });
        return c.redirect(`/assignments/requests/${requestId}`, 303);
      },
      (error) => verifyPage(c, selectionId, source, 1, error),
    );
  });
