import { sql, type SQL } from 'drizzle-orm';
import { listProducts } from '../assignments/catalogue.js';
import { getPreset } from '../assignments/presets.js';
import { planItems } from '../assignments/plan.js';
import { itemsSql, pairsSql } from '../assignments/rules.js';
import type { Ctx } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { assertEditable, getImportBatch, type ImportBatch } from './batches.js';
import { checkPresetChoice } from './presets.js';

/** What an import's Preset Assignment will cost when the import finishes, against the credits the organisation has now. */
export interface PresetCost {
  presetId: string;
  presetName: string;
  credits: number;
  balance: number;
  payable: boolean;
}

/**
 * The accounts the preset would reach, as the assignment rules read them: the new accounts (not
 * there yet, so without assignments) and the existing accounts the import updates.
 */
function presetTargetsSql(batch: ImportBatch): SQL {
  return sql`
    select null::uuid as id, ${batch.options.accountKind}::text as kind, false as deactivated
    from import_rows r where r.batch_id = ${batch.id} and r.outcome = 'create'
    union all
    select a.id, a.kind::text, a.deactivated_at is not null
    from import_rows r join accounts a on a.id = r.account_id and a.organisation_id = ${batch.organisationId}
    where r.batch_id = ${batch.id} and r.outcome = 'update'`;
}

/** The cost of a checked batch's preset (null: no preset, or it was deleted meanwhile). Same rules as Confirm Assignment. */
export async function importPresetCost(ctx: Ctx, batch: ImportBatch): Promise<PresetCost | null> {
  if (!batch.options.presetId) return null;
  let preset: Awaited<ReturnType<typeof getPreset>>;
  try {
    preset = await getPreset(ctx, batch.options.presetId);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
  if (preset.items.length === 0) return null;
  const planned = planItems(preset.items, await listProducts(ctx));
  const pairs = pairsSql(presetTargetsSql(batch), itemsSql(preset.items, planned), 'assign');
  const [row] = await ctx.db.execute<{ credits: number; balance: number }>(sql`
    select (select coalesce(sum(p.credit_cost) filter (where p.outcome = 'assign'), 0)::int from (${pairs}) p) as credits,
      (select credits_balance from organisations where id = ${batch.organisationId}) as balance`);
  const credits = row?.credits ?? 0;
  const balance = row?.balance ?? 0;
  return { presetId: preset.id, presetName: preset.name, credits, balance, payable: credits <= balance };
}

/** Refuses to start an import whose preset the organisation cannot pay for, naming the way out. */
export async function assertPresetPayable(ctx: Ctx, batch: ImportBatch): Promise<void> {
  const cost = await importPresetCost(ctx, batch);
  if (cost && !cost.payable) {
    throw new ValidationError(
      `The preset assignment ${cost.presetName} needs ${cost.credits} credits and your organisation has ${cost.balance}. Choose another preset, or import without it.`,
      { presetId: 'Choose a preset your organisation can pay for, or import without one.' },
    );
  }
}

/**
 * Changes (or, with null, drops) the preset of a batch being prepared. The preset does not change
 * what the check found, so the batch stays checked.
 */
export async function changeImportPreset(ctx: Ctx, batchId: string, presetId: string | null): Promise<void> {
  const batch = await getImportBatch(ctx, batchId);
  assertEditable(batch);
  const chosen = await checkPresetChoice(ctx, presetId);
  await ctx.db.execute(sql`
    update import_batches set options = jsonb_set(options, '{presetId}', ${JSON.stringify(chosen)}::jsonb)
    where id = ${batch.id} and status in ('draft', 'checked')`);
}
