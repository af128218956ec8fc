import { sql, type SQL } from 'drizzle-orm';
import { groupScopeSql, toUuidArray } from '../accounts/scope.js';
import { recordAudit } from '../audit.js';
import type { Actor, Ctx, Services } from '../context.js';
import type { HeldPlan } from '../db/schema/classroom.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { addJobSql } from '../jobs.js';
import { isUuid } from '../ids.js';
import type { NotImported } from '../imports/reasons.js';

/**
 * Course links: a Classroom course imported into a group, kept in sync. An administrator sees the
 * links of the groups they manage and the ones they made; a system administrator sees all.
 */

export const SYNC_TASK = 'sync_classroom_link';
export type SyncTrigger = 'schedule' | 'manual' | 'import' | 'newcomers' | 'approval';

export function syncJobKey(linkId: string): string {
  return `${SYNC_TASK}:${linkId}`;
}

/**
 * A sync job for a link: one job key per link (presses and the schedule never pile up) and one
 * queue per link (two syncs of the same class never run at once, even on two workers).
 */
export function syncJobSql(linkId: string, payload: { trigger: SyncTrigger; approvedRemovals?: string[] }, delaySeconds = 0): SQL {
  return addJobSql(
    SYNC_TASK,
    { linkId, ...payload },
    {
      jobKey: syncJobKey(linkId),
      jobKeyMode: 'replace',
      queueName: syncJobKey(linkId),
      maxAttempts: 6,
      ...(delaySeconds ? { runAt: sql`(now() + make_interval(secs => ${delaySeconds}))` } : {}),
    },
  );
}

/** What a sync needs of its link (loaded without an actor: the job runs as the link's owner). */
export interface SyncLink {
  id: string;
  organisationId: string;
  ownerId: string;
  googleCourseId: string;
  courseName: string;
  groupId: string | null;
  tagIds: string[];
  tagExisting: boolean;
  presetId: string | null;
  defaultPasswordEncrypted: string | null;
  syncState: string;
  importBatchId: string | null;
}

type SyncLinkRow = {
  id: string;
  organisation_id: string;
  owner_id: string;
  google_course_id: string;
  course_name: string;
  group_id: string | null;
  tag_ids: string[] | null;
  tag_existing: boolean;
  preset_id: string | null;
  default_password_encrypted: string | null;
  sync_state: string;
  import_batch_id: string | null;
};

export async function loadSyncLink(services: Pick<Services, 'db'>, linkId: string): Promise<SyncLink | null> {
  const [row] = await services.db.execute<SyncLinkRow>(sql`
    select id, organisation_id, owner_id, google_course_id, course_name, group_id, tag_ids, tag_existing, preset_id,
      default_password_encrypted, sync_state, import_batch_id
    from classroom_course_links where id = ${linkId}`);
  if (!row) return null;
  return {
    id: row.id,
    organisationId: row.organisation_id,
    ownerId: row.owner_id,
    googleCourseId: row.google_course_id,
    courseName: row.course_name,
    groupId: row.group_id,
    tagIds: row.tag_ids ?? [],
    tagExisting: row.tag_existing,
    presetId: row.preset_id,
    defaultPasswordEncrypted: row.default_password_encrypted,
    syncState: row.sync_state,
    importBatchId: row.import_batch_id,
  };
}

export function linkScopeSql(actor: Actor, alias = 'l'): SQL {
  const l = sql.raw(alias);
  if (actor.isSystemAdmin) return sql`${l}.organisation_id = ${actor.organisationId}`;
  return sql`${l}.organisation_id = ${actor.organisationId} and (${l}.owner_id = ${actor.id} or ${l}.group_id = any(${toUuidArray(actor.managedGroupIds)}))`;
}

export interface CourseLink {
  id: string;
  ownerId: string;
  ownerName: string;
  googleCourseId: string;
  courseName: string;
  section: string | null;
  groupId: string | null;
  groupName: string | null;
  tagIds: string[];
  tagNames: string[];
  presetId: string | null;
  hasDefaultPassword: boolean;
  syncState: 'ok' | 'held' | 'failed' | 'needs_reconnecting' | 'waiting_for_import';
  syncMessage: string | null;
  heldPlan: HeldPlan | null;
  lastSyncedAt: Date | null;
  importBatchId: string | null;
  /** "Also add these tags to accounts that already exist". */
  tagExisting: boolean;
  members: number;
  removedMembers: number;
  /** A sync Google failed that the job queue will try again: the next attempt's number and time. */
  retry: { attempt: number; of: number; nextAt: Date } | null;
}

type LinkRow = {
  id: string;
  owner_id: string;
  owner_name: string;
  google_course_id: string;
  course_name: string;
  section: string | null;
  group_id: string | null;
  group_name: string | null;
  tag_ids: string[];
  tag_names: string[] | null;
  preset_id: string | null;
  has_password: boolean;
  sync_state: CourseLink['syncState'];
  sync_message: string | null;
  held_plan: HeldPlan | string | null;
  last_synced_at: string | null;
  import_batch_id: string | null;
  tag_existing: boolean;
  members: number;
  removed_members: number;
  retry: { attempts: number; max_attempts: number; run_at: string } | string | null;
};

function retryOf(raw: LinkRow['retry']): CourseLink['retry'] {
  const r = typeof raw === 'string' ? (JSON.parse(raw) as Exclude<LinkRow['retry'], string>) : raw;
  return r ? { attempt: r.attempts + 1, of: r.max_attempts, nextAt: new Date(r.run_at) } : null;
}

function toLink(r: LinkRow): CourseLink {
  return {
    id: r.id,
    ownerId: r.owner_id,
    ownerName: r.owner_name,
    googleCourseId: r.google_course_id,
    courseName: r.course_name,
    section: r.section,
    groupId: r.group_id,
    groupName: r.group_name,
    tagIds: r.tag_ids ?? [],
    tagNames: r.tag_names ?? [],
    presetId: r.preset_id,
    hasDefaultPassword: r.has_password,
    syncState: r.sync_state,
    syncMessage: r.sync_message,
    heldPlan: typeof r.held_plan === 'string' ? (JSON.parse(r.held_plan) as HeldPlan) : r.held_plan,
    lastSyncedAt: r.last_synced_at ? new Date(r.last_synced_at) : null,
    importBatchId: r.import_batch_id,
    tagExisting: r.tag_existing,
    members: r.members,
    removedMembers: r.removed_members,
    retry: retryOf(r.retry),
  };
}

const linkSelect = sql`
  select l.id, l.owner_id, o.first_name || ' ' || o.last_name as owner_name, l.google_course_id, l.course_name, l.section,
    l.group_id, g.name as group_name, l.tag_ids,
    (select array_agg(t.name order by t.name) from tags t where t.id = any(l.tag_ids) and t.organisation_id = l.organisation_id) as tag_names,
    l.preset_id, l.default_password_encrypted is not null as has_password, l.sync_state, l.sync_message, l.held_plan,
    l.last_synced_at, l.import_batch_id, l.tag_existing,
    (select count(*)::int from classroom_link_members m where m.link_id = l.id and not m.removed) as members,
    (select json_build_object('attempts', j.attempts, 'max_attempts', j.max_attempts, 'run_at', j.run_at)
     from graphile_worker._private_jobs j
     where j.key = ${`${SYNC_TASK}:`} || l.id::text and j.last_error is not null and j.locked_at is null
       and j.attempts > 0 and j.attempts < j.max_attempts) as retry,
    (select count(*)::int from classroom_link_members m where m.link_id = l.id and m.removed) as removed_members
  from classroom_course_links l
  join accounts o on o.id = l.owner_id
  left join groups g on g.id = l.group_id`;

export async function listCourseLinks(ctx: Ctx): Promise<CourseLink[]> {
  const rows = await ctx.db.execute<LinkRow>(sql`${linkSelect} where ${linkScopeSql(ctx.actor)} order by l.course_name, l.id`);
  return rows.map(toLink);
}

export async function getCourseLink(ctx: Ctx, linkId: string): Promise<CourseLink> {
  if (!isUuid(linkId)) throw new NotFoundError('No such course link.');
  const [row] = await ctx.db.execute<LinkRow>(sql`${linkSelect} where l.id = ${linkId} and ${linkScopeSql(ctx.actor)}`);
  if (!row) throw new NotFoundError('No such course link.');
  return toLink(row);
}

/** The link for a Classroom course id, if this organisation has one the actor can see. */
export async function findLinkByCourse(ctx: Ctx, googleCourseId: string): Promise<CourseLink | null> {
  const [row] = await ctx.db.execute<LinkRow>(
    sql`${linkSelect} where l.google_course_id = ${googleCourseId} and ${linkScopeSql(ctx.actor)}`,
  );
  return row ? toLink(row) : null;
}

/** "Sync now": one job per link (its job key), so presses and the schedule never pile up. */
export async function requestSync(ctx: Ctx, linkId: string): Promise<void> {
  const link = await getCourseLink(ctx, linkId);
  if (link.syncState === 'needs_reconnecting') {
    throw new ValidationError('This class cannot sync until its teacher connects to Google Classroom again.');
  }
  await ctx.db.transaction(async (tx) => {
    await tx.execute(syncJobSql(link.id, { trigger: 'manual' }));
    await recordAudit(tx, ctx.actor, 'classroom.sync_requested', { subjectType: 'classroom_course_link', subjectId: link.id });
  });
}

/** The administrator approves a sync the removal guard held: it runs again, allowed to remove. */
export async function approveHeldSync(ctx: Ctx, linkId: string): Promise<void> {
  const link = await getCourseLink(ctx, linkId);
  if (link.syncState !== 'held') throw new ValidationError('There is no held sync to approve for this class.');
  await ctx.db.transaction(async (tx) => {
    await tx.execute(syncJobSql(link.id, { trigger: 'approval', approvedRemovals: link.heldPlan?.removeGoogleUserIds ?? [] }));
    await recordAudit(tx, ctx.actor, 'classroom.sync_approved', { subjectType: 'classroom_course_link', subjectId: link.id });
  });
}

/**
 * The scheduler's fan-out: one sync job per link in one statement. `preserve_run_at` keeps a job
 * already waiting where it is, so a slow round never piles up behind the next.
 */
export async function enqueueScheduledSyncs(services: Pick<Services, 'sql'>): Promise<number> {
  const rows = await services.sql<{ id: string }[]>`
    select l.id, graphile_worker.add_job(
      identifier => ${SYNC_TASK}::text,
      payload => json_build_object('linkId', l.id, 'trigger', 'schedule'),
      job_key => ${`${SYNC_TASK}:`} || l.id::text,
      queue_name => ${`${SYNC_TASK}:`} || l.id::text,
      job_key_mode => 'preserve_run_at',
      max_attempts => 6)
    from classroom_course_links l
    where l.sync_state in ('ok', 'failed', 'held')`;
  return rows.length;
}

export interface SyncRunView {
  id: string;
  trigger: string;
  outcome: 'applied' | 'unchanged' | 'held' | 'failed';
  added: number;
  updated: number;
  removed: number;
  restored: number;
  runs: number;
  details: {
    added?: string[];
    updated?: string[];
    removed?: string[];
    restored?: string[];
    notImported?: (string | NotImported)[];
    leftAlone?: string[];
    importing?: number;
    importBatchId?: string;
    wouldRemove?: string[];
    assignmentRequestId?: string;
    presetProblem?: string;
  };
  message: string | null;
  startedAt: Date;
  finishedAt: Date;
}

export async function listSyncRuns(ctx: Ctx, linkId: string, limit = 50): Promise<SyncRunView[]> {
  const link = await getCourseLink(ctx, linkId);
  const rows = await ctx.db.execute<{
    id: string;
    trigger: string;
    outcome: SyncRunView['outcome'];
    added: number;
    updated: number;
    removed: number;
    restored: number;
    runs: number;
    details: SyncRunView['details'] | string;
    message: string | null;
    started_at: string;
    finished_at: string;
  }>(sql`
    select id, trigger, outcome, added, updated, removed, restored, runs, details, message, started_at, finished_at
    from classroom_sync_runs where link_id = ${link.id} and organisation_id = ${ctx.actor.organisationId}
    order by finished_at desc, id limit ${limit}`);
  return rows.map((r) => ({
    id: r.id,
    trigger: r.trigger,
    outcome: r.outcome,
    added: r.added,
    updated: r.updated,
    removed: r.removed,
    restored: r.restored,
    runs: r.runs,
    details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
    message: r.message,
    startedAt: new Date(r.started_at),
    finishedAt: new Date(r.finished_at),
  }));
}

/** Group, tags, default password and preset for students who join later. */
export async function updateLinkSettings(
  ctx: Ctx,
  linkId: string,
  input: { groupId: string; tagIds: string[]; defaultPassword: string; presetId?: string | null; tagExisting?: boolean },
  encryptPassword: (password: string, organisationId: string) => Promise<string>,
): Promise<void> {
  const link = await getCourseLink(ctx, linkId);
  const tagIds = [...new Set(input.tagIds.filter((t) => isUuid(t)))];
  if (!isUuid(input.groupId)) throw new ValidationError('Select the group for students who join later.', { groupId: 'Select a group.' });
  const [group] = await ctx.db.execute<{ id: string }>(
    sql`select g.id from groups g where g.id = ${input.groupId} and ${groupScopeSql(ctx.actor, 'g')}`,
  );
  if (!group) throw new ValidationError('Select one of your groups.', { groupId: 'Select one of your groups.' });
  const [tags] = await ctx.db.execute<{ n: number }>(
    sql`select count(*)::int as n from tags where organisation_id = ${ctx.actor.organisationId} and id = any(${toUuidArray(tagIds)})`,
  );
  if ((tags?.n ?? 0) !== tagIds.length) throw new ValidationError('A tag you chose no longer exists. Reload the page and try again.');
  if (input.defaultPassword && input.defaultPassword.length < 8)
    throw new ValidationError('The default password must be at least 8 characters.', { defaultPassword: 'At least 8 characters.' });
  if (input.presetId && !isUuid(input.presetId)) throw new ValidationError('Choose one of the preset assignments.');
  const encrypted = input.defaultPassword ? await encryptPassword(input.defaultPassword, ctx.actor.organisationId) : null;
  await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`
      update classroom_course_links set group_id = ${input.groupId}, tag_ids = ${toUuidArray(tagIds)}, tag_existing = ${input.tagExisting ?? true},
        preset_id = ${input.presetId === undefined ? sql`preset_id` : sql`${input.presetId}::uuid`},
        default_password_encrypted = coalesce(${encrypted}, default_password_encrypted)
      where id = ${link.id}`);
    await recordAudit(tx, ctx.actor, 'classroom.link_settings_changed', { subjectType: 'classroom_course_link', subjectId: link.id });
  });
}

/** True while a sync of the link is waiting or running (the link page refreshes itself until it is done). */
export async function isSyncPending(ctx: Ctx, linkId: string): Promise<boolean> {
  const link = await getCourseLink(ctx, linkId);
  const [row] = await ctx.db.execute<{ n: number }>(sql`
    select count(*)::int as n from graphile_worker._private_jobs where key = ${syncJobKey(link.id)} and attempts < max_attempts`);
  return (row?.n ?? 0) > 0 || link.syncState === 'waiting_for_import';
}
