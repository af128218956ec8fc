import { sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit.js';
import type { Ctx } from '../context.js';
import type { DbHandle } from '../db/client.js';
import type { ImportBatch } from './batches.js';
import {
  createPlannedGroupsSql,
  createPlannedTagsSql,
  plannedGroupsSql,
  plannedTagsSql,
  prunePlannedSql,
  takenPlannedSql,
  typedTagIdsSql,
  type PlannedName,
} from './new-names-sql.js';
import type { ImportOptions } from './options.js';

/**
 * The check's first step: the tags typed on the options step, the tags the rows name (when
 * "Create tags that do not exist yet" is on) and groups
 * (when a system administrator chose "Create groups that do not exist yet") that the rows name
 * and that do not exist, each given an id now. The check then resolves rows against them as if
 * they existed; nothing is created until the import runs.
 */
export async function planNewNames(tx: DbHandle, ctx: Ctx, batchId: string, options: ImportOptions): Promise<{ planned: number }> {
  const org = ctx.actor.organisationId;
  const createGroups = options.createGroups && ctx.actor.isSystemAdmin;
  const [row] = await tx.execute<{ planned: number }>(sql`
    update import_batches set
      new_tags = (${plannedTagsSql(batchId, org, { fromRows: options.createTags, typed: options.newTagNames })}),
      new_groups = ${createGroups ? sql`(${plannedGroupsSql(batchId, org)})` : sql`'[]'::jsonb`}
    where id = ${batchId}
    returning (jsonb_array_length(new_tags) + jsonb_array_length(new_groups))::int as planned`);
  return { planned: row?.planned ?? 0 };
}

/**
 * The check's last step: keeps only the planned names that a row the import applies will use.
 * It reads every row, so it runs only when something was planned.
 */
export async function prunePlannedNames(
  tx: DbHandle,
  batchId: string,
  options: ImportOptions,
  planned: { planned: number },
): Promise<void> {
  if (planned.planned === 0) return;
  const applies = (update: boolean): SQL => sql`(r.outcome = 'create' or (r.outcome = 'update' and ${update}))`;
  await tx.execute(
    prunePlannedSql(
      batchId,
      { group: applies(options.updateExisting.group), tags: applies(options.updateExisting.tags) },
      options.newTagNames,
    ),
  );
}

/**
 * The run's first step, one transaction: creates the planned tags and groups under the ids the
 * rows carry. Killed and run again, it creates nothing twice (ON CONFLICT on the ids and on the
 * unique lower(name) per organisation), and audits only what it created. A name someone created
 * since the check is used as it is: the rows are pointed at that tag or group instead.
 */
export async function createPlannedNames(ctx: Ctx, batch: ImportBatch): Promise<void> {
  if (batch.newTags.length === 0 && batch.newGroups.length === 0) return;
  const org = ctx.actor.organisationId;
  await ctx.db.transaction(async (tx) => {
    const tags = await tx.execute<PlannedName>(createPlannedTagsSql(batch.id, org));
    // A group administrator never creates groups, even if the batch was planned by someone else.
    const groups = ctx.actor.isSystemAdmin ? await tx.execute<PlannedName>(createPlannedGroupsSql(batch.id, org)) : [];
    for (const t of tags)
      await recordAudit(tx, ctx.actor, 'tag.created', {
        subjectType: 'tag',
        subjectId: t.id,
        details: { name: t.name, importBatchId: batch.id },
      });
    for (const g of groups)
      await recordAudit(tx, ctx.actor, 'group.created', {
        subjectType: 'group',
        subjectId: g.id,
        details: { name: g.name, importBatchId: batch.id },
      });
    for (const m of await tx.execute<{ planned_id: string; actual_id: string }>(takenPlannedSql('tags', batch.id, org))) {
      await tx.execute(sql`
        update import_rows set tag_ids = array(select distinct unnest(array_replace(tag_ids, ${m.planned_id}::uuid, ${m.actual_id}::uuid)))
        where batch_id = ${batch.id} and ${m.planned_id}::uuid = any(tag_ids)`);
    }
    for (const m of await tx.execute<{ planned_id: string; actual_id: string }>(takenPlannedSql('groups', batch.id, org))) {
      await tx.execute(sql`update import_rows set group_id = ${m.actual_id} where batch_id = ${batch.id} and group_id = ${m.planned_id}`);
    }
  });
}

/** The ids of the typed tag names, once planNewNames has run: every row that names no tags gets them. */
export async function typedTagIds(tx: DbHandle, batchId: string, organisationId: string, options: ImportOptions): Promise<string[]> {
  if (!options.newTagNames.length) return [];
  return (await tx.execute<{ id: string }>(typedTagIdsSql(batchId, organisationId, options.newTagNames))).map((r) => r.id);
}
