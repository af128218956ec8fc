import { sql } from 'drizzle-orm';
import { accountScopeSql } from '../accounts/scope.js';
import { loadActor } from '../auth/actor.js';
import type { Actor, Ctx, Services } from '../context.js';
import type { Tx } from '../db/client.js';
import type { HeldPlan } from '../db/schema/classroom.js';
import { queueEmail } from '../mail/outbox.js';
import type { GoogleConfig } from './config.js';
import { classroomClientFor, markNeedsReconnecting } from './connection.js';
import {
  ClassroomAccessError,
  ClassroomCourseGoneError,
  GoogleReconnectNeededError,
  GoogleUnavailableError,
  NEEDS_RECONNECTING_MESSAGE,
} from './errors.js';
import type { GoogleStudent } from './google-client.js';
import { attachImportedMembers, importNewcomers, requestPresetForNewcomers } from './import.js';
import { loadSyncLink, syncJobSql, type SyncLink, type SyncTrigger } from './links.js';
import { notImportedOf, type NotImported } from '../imports/reasons.js';
import {
  addClassTagsSql,
  attachMembersSql,
  foldRunSql,
  insertRunSql,
  linkGoogleIdsSql,
  planSyncSql,
  removeMembersSql,
  renameAccountsSql,
  restoreMembersSql,
  skippedBeforeSql,
  skippedNamesSql,
  type PlanRow,
  type RunInput,
} from './sync-sql.js';

export interface SyncOptions {
  trigger: SyncTrigger;
  /** Removals an administrator approved on the link page (a held sync). */
  approvedRemovals?: string[];
  /** Percent of the class a sync may remove without approval. */
  guardPercent: number;
}

export type SyncResult =
  | { outcome: 'unchanged' }
  | { outcome: 'applied'; added: number; updated: number; removed: number; restored: number; importing: number }
  | { outcome: 'held'; removals: number }
  | { outcome: 'failed'; message: string }
  | { outcome: 'waiting' }
  | { outcome: 'gone' };

/** How a student matching an administrator account is reported, at import and at every sync. */
export const ADMINISTRATOR_LEFT_ALONE = 'matches an administrator account: left alone';

/** The plan with the joiners sorted into what the sync does with them. */
interface Plan extends PlanRow {
  attach: { googleUserId: string; accountId: string; name: string }[];
  newcomers: GoogleStudent[];
  /** Reported, not changed. */
  notImported: NotImported[];
  leftAlone: string[];
}

const names = (list: { name: string }[]) => list.slice(0, 100).map((x) => x.name);

/**
 * Roster re-sync of one course link. Reads the roster (every page), compares it with the link's
 * members in SQL, and then, in one transaction: attaches students who joined and already have an
 * account, restores students who came back, marks students who left as removed (accounts are
 * never deleted, progress never touched), and updates changed names and emails. Students with no
 * account yet go through the import engine. An unchanged roster writes no roster data. A sync
 * that would remove more than the guard's share of the class holds instead. A roster never
 * changes an administrator account, nor an account outside the owner's groups.
 *
 * Runs one sync (the job's body): the link and its owner, then the roster, the plan and its outcome.
 */
export async function syncCourseLink(services: Services, cfg: GoogleConfig, linkId: string, options: SyncOptions): Promise<SyncResult> {
  const startedAt = new Date();
  const link = await loadSyncLink(services, linkId);
  if (!link) return { outcome: 'gone' };
  if (link.syncState === 'needs_reconnecting') return { outcome: 'failed', message: NEEDS_RECONNECTING_MESSAGE };
  const owner = await loadOwner(services, link, options.trigger, startedAt);
  if (!owner) return { outcome: 'failed', message: 'owner gone' };
  const ctx: Ctx = { ...services, actor: owner };
  if (link.syncState === 'waiting_for_import' && link.importBatchId) return attachAfterImport(ctx, link, options.trigger);
  const roster = await readRoster(ctx, cfg, link, options.trigger, startedAt);
  if (!Array.isArray(roster)) return roster;
  const plan = await planSync(ctx, link, roster);
  if (!plan.attach.length && !plan.returners.length && !plan.leavers.length && !plan.changed.length && !plan.newcomers.length) {
    await recordUnchanged(ctx, link, options.trigger, startedAt, reported(plan));
    return { outcome: 'unchanged' };
  }
  if (needsApproval(plan, options)) {
    await holdSync(ctx, link, plan, options.trigger, startedAt);
    return { outcome: 'held', removals: plan.leavers.length };
  }
  // The import engine runs its own transactions: its batch is started first, and the link then
  // waits for it (a follow-up sync attaches the new accounts once they exist).
  const handed = plan.newcomers.length ? await importNewcomers(ctx, cfg, link, plan.newcomers) : null;
  return { outcome: 'applied', ...(await applyPlan(ctx, link, plan, handed, options.trigger, startedAt)) };
}

/** The administrator who linked the class, as long as they still may manage it. */
async function loadOwner(services: Services, link: SyncLink, trigger: SyncTrigger, startedAt: Date): Promise<Actor | null> {
  const owner = await loadActor(services, link.ownerId);
  if (owner && owner.kind === 'administrator' && owner.organisationId === link.organisationId) return owner;
  const message =
    'The administrator who linked this class can no longer manage it. Link the class again from another administrator’s account.';
  await recordFailure(services, link, trigger, message, startedAt);
  return null;
}

/** Right after the link's import: its accounts become members (no Google call), or the import is waited for. */
async function attachAfterImport(ctx: Ctx, link: SyncLink, trigger: SyncTrigger): Promise<SyncResult> {
  const attached = await attachImportedMembers(ctx, link, trigger);
  if (attached === 'waiting') {
    // The accounts are still being created: look again shortly (same job key, so no pile-up).
    await ctx.db.execute(syncJobSql(link.id, { trigger }, 3));
    return { outcome: 'waiting' };
  }
  return { outcome: 'applied', added: attached.added, updated: 0, removed: 0, restored: 0, importing: 0 };
}

/**
 * The roster, or the recorded failure when retrying cannot help (invalid_grant marks the
 * connection; Classroom switched off or the course gone). Google's transient faults are thrown
 * after the client's own retries, so the job queue retries with its backoff; the link keeps what
 * Google answered for its status line.
 */
async function readRoster(
  ctx: Ctx,
  cfg: GoogleConfig,
  link: SyncLink,
  trigger: SyncTrigger,
  startedAt: Date,
): Promise<GoogleStudent[] | SyncResult> {
  try {
    const client = await classroomClientFor(ctx, cfg, ctx.actor.id);
    return await client.listStudents(link.googleCourseId);
  } catch (error) {
    if (error instanceof GoogleReconnectNeededError) {
      await markNeedsReconnecting(ctx, ctx.actor.id);
      await recordFailure(ctx, link, trigger, NEEDS_RECONNECTING_MESSAGE, startedAt);
      return { outcome: 'failed', message: NEEDS_RECONNECTING_MESSAGE };
    }
    if (error instanceof ClassroomAccessError || error instanceof ClassroomCourseGoneError) {
      await recordFailure(ctx, link, trigger, error.message, startedAt);
      return { outcome: 'failed', message: error.message };
    }
    await ctx.db.execute(sql`update classroom_course_links set sync_message = ${failureWords(error)} where id = ${link.id}`);
    throw error;
  }
}

/** What went wrong, short, for "Retrying (...): Google answered 503" and "Last sync failed: ...". */
function failureWords(error: unknown): string {
  if (error instanceof GoogleUnavailableError) return error.answer;
  return error instanceof Error ? error.message : String(error);
}

/** The roster against the members, and the joiners sorted: attach, import, or report. */
async function planSync(ctx: Ctx, link: SyncLink, roster: GoogleStudent[]): Promise<Plan> {
  const reach = accountScopeSql(ctx.actor, 'a');
  const [row] = await ctx.db.execute<{ plan: PlanRow | string }>(
    planSyncSql({ linkId: link.id, organisationId: link.organisationId, roster, reach }),
  );
  const plan = typeof row!.plan === 'string' ? (JSON.parse(row!.plan) as PlanRow) : row!.plan;
  // Students the link's last import skipped (with a reason on its result page) are not tried again each sync.
  const skippedBefore = new Set(
    link.importBatchId
      ? (await ctx.db.execute<{ google_user_id: string }>(skippedBeforeSql(link.importBatchId))).map((r) => r.google_user_id)
      : [],
  );
  const fullName = (j: { first_name: string; last_name: string }) => `${j.first_name} ${j.last_name}`;
  const unmatched = plan.joiners.filter((j) => !j.account_id);
  return {
    ...plan,
    attach: plan.joiners
      .filter((j) => j.account_id && j.in_reach)
      .map((j) => ({ googleUserId: j.google_user_id, accountId: j.account_id!, name: fullName(j) })),
    newcomers: unmatched
      .filter((j) => !skippedBefore.has(j.google_user_id))
      .map((j) => ({ googleUserId: j.google_user_id, firstName: j.first_name, lastName: j.last_name, email: j.email })),
    notImported: [
      ...unmatched
        .filter((j) => skippedBefore.has(j.google_user_id))
        .map((j) => ({ name: fullName(j), reasons: [{ code: 'notImported' as const }] })),
      ...plan.joiners
        .filter((j) => j.account_id && !j.in_reach)
        .map((j) => ({ name: fullName(j), reasons: [{ code: 'outOfReach' as const }] })),
    ],
    leftAlone: plan.administrators.map((a) => `${a.name}: ${ADMINISTRATOR_LEFT_ALONE}`),
  };
}

/** What every sync's history line reports even when nothing changed: students left alone and why. */
function reported(plan: Plan): Record<string, unknown> {
  return {
    ...(plan.leftAlone.length ? { leftAlone: plan.leftAlone.slice(0, 100) } : {}),
    ...(plan.notImported.length ? { notImported: plan.notImported.slice(0, 100) } : {}),
  };
}

/** Removals beyond the guard's share of the class wait for an administrator. */
function needsApproval(plan: Plan, options: SyncOptions): boolean {
  const approved = new Set(options.approvedRemovals ?? []);
  const unapproved = plan.leavers.filter((l) => !approved.has(l.google_user_id));
  const share = plan.active > 0 ? (plan.leavers.length / plan.active) * 100 : 0;
  return unapproved.length > 0 && share > options.guardPercent;
}

type Handed = { batchId: string; staged: number } | null;

/** The plan's changes and their history line, in one transaction. */
async function applyPlan(ctx: Ctx, link: SyncLink, plan: Plan, handed: Handed, trigger: SyncTrigger, startedAt: Date) {
  const reach = accountScopeSql(ctx.actor, 'a');
  return ctx.db.transaction(async (tx) => {
    await applyMembership(tx, link, plan, reach);
    const preset = await requestPresetForNewcomers(
      ctx,
      link,
      plan.attach.map((j) => j.accountId),
      tx,
    );
    const updated = plan.changed.length
      ? (await tx.execute<{ name: string }>(renameAccountsSql(plan.changed, reach))).map((d) => d.name)
      : [];
    const skipped = await noteNewcomers(tx, link, handed);
    const importing = handed?.staged ?? 0;
    const report = reported({ ...plan, notImported: [...plan.notImported, ...skipped] });
    await tx.execute(
      insertRunSql({
        ...runOf(link, trigger, startedAt),
        outcome: 'applied',
        added: plan.attach.length,
        updated: updated.length,
        removed: plan.leavers.length,
        restored: plan.returners.length,
        details: {
          added: names(plan.attach),
          updated,
          removed: names(plan.leavers),
          restored: names(plan.returners),
          ...(importing ? { importing, importBatchId: handed!.batchId } : {}),
          ...report,
          ...(preset ?? {}),
        },
      }),
    );
    await tx.execute(sql`
      update classroom_course_links set last_synced_at = now(), sync_message = null, held_plan = null
        ${importing ? sql`` : sql`, sync_state = 'ok'`}
      where id = ${link.id}`);
    return { added: plan.attach.length, updated: updated.length, removed: plan.leavers.length, restored: plan.returners.length, importing };
  });
}

/** Joiners with an account become members (tagged with the class's tags when chosen); returners and leavers. */
async function applyMembership(tx: Tx, link: SyncLink, plan: Plan, reach: ReturnType<typeof accountScopeSql>): Promise<void> {
  if (plan.attach.length) {
    await tx.execute(attachMembersSql(link.id, plan.attach));
    await tx.execute(linkGoogleIdsSql(plan.attach, reach));
    if (link.tagExisting && link.tagIds.length) {
      await tx.execute(
        addClassTagsSql({
          organisationId: link.organisationId,
          accountIds: plan.attach.map((a) => a.accountId),
          tagIds: link.tagIds,
          reach,
        }),
      );
    }
  }
  if (plan.returners.length)
    await tx.execute(
      restoreMembersSql(
        link.id,
        plan.returners.map((r) => r.google_user_id),
      ),
    );
  if (plan.leavers.length)
    await tx.execute(
      removeMembersSql(
        link.id,
        plan.leavers.map((r) => r.google_user_id),
      ),
    );
}

/**
 * Newcomers handed to the import engine: the link waits for their batch, and a follow-up sync
 * attaches them. A batch whose check skipped everyone is remembered (they are not tried again
 * each sync); returns why they were skipped.
 */
async function noteNewcomers(tx: Tx, link: SyncLink, handed: Handed): Promise<NotImported[]> {
  if (!handed) return [];
  if (handed.staged > 0) {
    await tx.execute(
      sql`update classroom_course_links set sync_state = 'waiting_for_import', import_batch_id = ${handed.batchId} where id = ${link.id}`,
    );
    await tx.execute(syncJobSql(link.id, { trigger: 'newcomers' }, 3));
    return [];
  }
  await tx.execute(sql`update classroom_course_links set import_batch_id = ${handed.batchId} where id = ${link.id}`);
  return (await tx.execute<{ name: string; reason: string | null }>(skippedNamesSql(handed.batchId))).map(notImportedOf);
}

function runOf(
  link: SyncLink,
  trigger: SyncTrigger,
  startedAt: Date,
): Pick<RunInput, 'organisationId' | 'linkId' | 'trigger' | 'startedAt'> {
  return { organisationId: link.organisationId, linkId: link.id, trigger, startedAt };
}

/**
 * Bookkeeping of an unchanged sync: folded into the previous history line when that one was
 * unchanged too, so a quiet class keeps one line ("checked N times, last at ...").
 */
async function recordUnchanged(
  services: Services,
  link: SyncLink,
  trigger: SyncTrigger,
  startedAt: Date,
  details: Record<string, unknown>,
): Promise<void> {
  await services.db.transaction(async (tx) => {
    const folded = await tx.execute(foldRunSql({ linkId: link.id, trigger, outcome: 'unchanged', details }));
    if (!folded.length) await tx.execute(insertRunSql({ ...runOf(link, trigger, startedAt), outcome: 'unchanged', details }));
    await tx.execute(sql`
      update classroom_course_links set last_synced_at = now(), sync_message = null,
        sync_state = case when sync_state in ('failed', 'held') then 'ok' else sync_state end, held_plan = null
      where id = ${link.id}`);
  });
}

/** A failure is recorded on the link and in its history; returns true when the link had not failed already. */
async function recordFailure(services: Services, link: SyncLink, trigger: SyncTrigger, message: string, startedAt: Date): Promise<boolean> {
  return services.db.transaction(async (tx) => {
    const [before] = await tx.execute<{ sync_state: string }>(
      sql`select sync_state from classroom_course_links where id = ${link.id} for update`,
    );
    const folded = await tx.execute(foldRunSql({ linkId: link.id, trigger, outcome: 'failed', message }));
    if (!folded.length) await tx.execute(insertRunSql({ ...runOf(link, trigger, startedAt), outcome: 'failed', message }));
    await tx.execute(sql`
      update classroom_course_links set sync_state = case when sync_state = 'needs_reconnecting' then sync_state else 'failed' end,
        sync_message = ${message}
      where id = ${link.id}`);
    return before?.sync_state !== 'failed' && before?.sync_state !== 'needs_reconnecting';
  });
}

/** Holds a sync that would remove too many students: nothing changes; the administrator is emailed. */
async function holdSync(ctx: Ctx, link: SyncLink, plan: Plan, trigger: SyncTrigger, startedAt: Date): Promise<void> {
  const owner = ctx.actor;
  const heldPlan: HeldPlan = {
    removeGoogleUserIds: plan.leavers.map((l) => l.google_user_id),
    removeNames: names(plan.leavers),
    rosterSize: plan.active,
    heldAt: new Date().toISOString(),
  };
  await ctx.db.transaction(async (tx) => {
    const [before] = await tx.execute<{ sync_state: string }>(
      sql`select sync_state from classroom_course_links where id = ${link.id} for update`,
    );
    await tx.execute(sql`
      update classroom_course_links set sync_state = 'held', held_plan = ${JSON.stringify(heldPlan)}::jsonb,
        sync_message = ${`This sync would remove ${plan.leavers.length} of ${plan.active} students, so it is waiting for your approval.`}
      where id = ${link.id}`);
    await tx.execute(
      insertRunSql({
        ...runOf(link, trigger, startedAt),
        outcome: 'held',
        details: { wouldRemove: heldPlan.removeNames },
        message: `Would remove ${plan.leavers.length} of ${plan.active} students; held for approval.`,
      }),
    );
    if (before?.sync_state === 'held') return;
    await queueEmail(tx, {
      organisationId: link.organisationId,
      to: owner.email,
      subject: `Approve the roster sync of ${link.courseName}`,
      text:
        `Hello ${owner.firstName},\n\nThe Google Classroom sync of ${link.courseName} would remove ${plan.leavers.length} of its ${plan.active} students ` +
        `from the class in Rosterbridge. That is more than usual, so nothing was changed.\n\nStudents it would remove:\n` +
        heldPlan.removeNames.map((n) => `  - ${n}`).join('\n') +
        `\n\nIf this is right, approve the sync on ${ctx.appUrl}/classroom/links/${link.id}\n` +
        `Removed students keep their accounts and their progress.\n`,
    });
  });
}

/**
 * The job queue gave up on a sync (Google kept failing through every attempt): the link says
 * "Last sync failed: ..." until a sync works, and the administrator who linked the class is
 * emailed once.
 */
export async function recordSyncGaveUp(services: Services, linkId: string, trigger: SyncTrigger, error: unknown): Promise<void> {
  const link = await loadSyncLink(services, linkId);
  if (!link) return;
  const message = failureWords(error);
  const newlyFailed = await recordFailure(services, link, trigger, message, new Date());
  const owner = newlyFailed ? await loadActor(services, link.ownerId) : null;
  if (!owner) return;
  await queueEmail(services.db, {
    organisationId: link.organisationId,
    to: owner.email,
    subject: `The Google Classroom sync of ${link.courseName} failed`,
    text:
      `Hello ${owner.firstName},\n\nRosterbridge could not sync ${link.courseName} with Google Classroom: ${message}. ` +
      `It tried several times and has stopped trying for now; nothing was changed.\n\n` +
      `The next scheduled sync tries again, or choose Sync now on ${services.appUrl}/classroom/links/${link.id}\n`,
  });
}
