import { sql } from 'drizzle-orm';
import * as v from 'valibot';
import { recordAudit } from '../audit.js';
import { isUniqueViolation } from '../accounts/own-account.js';
import type { Ctx } from '../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { itemProblems, listProducts, unparsedItemProblems } from './catalogue.js';
import { AssignmentItemsSchema, type AssignmentItem } from './items.js';
import { isUuid } from '../ids.js';

export interface PresetAssignment {
  id: string;
  name: string;
  items: AssignmentItem[];
  updatedAt: Date;
}

export const PRESET_NAME_MAX = 120;

function parseStoredItems(raw: unknown): AssignmentItem[] {
  const parsed = v.safeParse(AssignmentItemsSchema, raw);
  return parsed.success ? parsed.output : [];
}

function requireAdministrator(ctx: Ctx): void {
  if (ctx.actor.kind !== 'administrator') throw new ForbiddenError('Only administrators can use preset assignments.');
}

/** The organisation's preset assignments, by name. */
export async function listPresets(ctx: Ctx): Promise<PresetAssignment[]> {
  requireAdministrator(ctx);
  const rows = await ctx.db.execute<{ id: string; name: string; items: unknown; updated_at: Date }>(sql`
    select id, name, items, updated_at from preset_assignments where organisation_id = ${ctx.actor.organisationId} order by lower(name)`);
  return rows.map((r) => ({ id: r.id, name: r.name, items: parseStoredItems(r.items), updatedAt: r.updated_at }));
}

export async function getPreset(ctx: Ctx, id: string): Promise<PresetAssignment> {
  requireAdministrator(ctx);
  if (!isUuid(id)) throw new NotFoundError('That preset assignment does not exist.');
  const [row] = await ctx.db.execute<{ id: string; name: string; items: unknown; updated_at: Date }>(sql`
    select id, name, items, updated_at from preset_assignments where id = ${id} and organisation_id = ${ctx.actor.organisationId}`);
  if (!row) throw new NotFoundError('That preset assignment does not exist.');
  return { id: row.id, name: row.name, items: parseStoredItems(row.items), updatedAt: row.updated_at };
}

/** Validates a name and items against the catalogue and the organisation's editions. */
export async function validatePresetInput(
  ctx: Ctx,
  input: { name: string; items: unknown },
): Promise<{ name: string; items: AssignmentItem[] }> {
  const fields: Record<string, string> = {};
  const name = input.name.trim();
  if (!name) fields.name = 'Enter a name for the preset assignment.';
  else if (name.length > PRESET_NAME_MAX) fields.name = `A name can be at most ${PRESET_NAME_MAX} characters.`;
  const parsed = v.safeParse(AssignmentItemsSchema, input.items);
  let items: AssignmentItem[] = [];
  if (!parsed.success) {
    Object.assign(fields, unparsedItemProblems(input.items, await listProducts(ctx)));
  } else {
    items = parsed.output;
    const [org] = await ctx.db.execute<{ editions: string[] }>(
      sql`select editions from organisations where id = ${ctx.actor.organisationId}`,
    );
    const problems = itemProblems(items, await listProducts(ctx), org?.editions ?? []);
    if (problems.length) fields.items = problems.join(' ');
  }
  if (Object.keys(fields).length) throw new ValidationError('The preset assignment was not saved.', fields);
  return { name, items };
}

export async function createPreset(ctx: Ctx, input: { name: string; items: unknown }): Promise<{ id: string }> {
  requireAdministrator(ctx);
  const { name, items } = await validatePresetInput(ctx, input);
  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx.execute<{ id: string }>(sql`
        insert into preset_assignments (organisation_id, name, items, created_by)
        values (${ctx.actor.organisationId}, ${name}, ${JSON.stringify(items)}::jsonb, ${ctx.actor.id}) returning id`);
      await recordAudit(tx, ctx.actor, 'preset.created', { subjectType: 'preset_assignment', subjectId: row!.id });
      return { id: row!.id };
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ValidationError('The preset assignment was not saved.', { name: 'A preset assignment with this name already exists.' });
    throw error;
  }
}

export async function updatePreset(ctx: Ctx, id: string, input: { name: string; items: unknown }): Promise<void> {
  await getPreset(ctx, id);
  const { name, items } = await validatePresetInput(ctx, input);
  try {
    await ctx.db.transaction(async (tx) => {
      await tx.execute(sql`
        update preset_assignments set name = ${name}, items = ${JSON.stringify(items)}::jsonb, updated_at = now()
        where id = ${id} and organisation_id = ${ctx.actor.organisationId}`);
      await recordAudit(tx, ctx.actor, 'preset.updated', { subjectType: 'preset_assignment', subjectId: id });
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ValidationError('The preset assignment was not saved.', { name: 'A preset assignment with this name already exists.' });
    throw error;
  }
}

/** Deleting a preset leaves the assignments made with it, and the requests that name it, as they are. */
export async function deletePreset(ctx: Ctx, id: string): Promise<void> {
  await getPreset(ctx, id);
  await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`delete from preset_assignments where id = ${id} and organisation_id = ${ctx.actor.organisationId}`);
    await recordAudit(tx, ctx.actor, 'preset.deleted', { subjectType: 'preset_assignment', subjectId: id });
  });
}
