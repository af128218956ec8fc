import { sql } from 'drizzle-orm';
import { accountScopeSql } from '../accounts/scope.js';
import { loadActor } from '../auth/actor.js';
import type { Actor, Ctx, Services } from '../context.js';
import type { Db } from '../db/client.js';
import type { HeldPlan } from '../db/schema/classroom.js';
import { queueEmail } from '../mail/outbox.js';
import type { GoogleConfig } from './config.js';
import { classroomClientFor, markNeedsReconnecting } from './connection.js';
import { ClassroomAccessError, ClassroomCourseGoneError, GoogleReconnectNeededError } from './errors.js';
import type { GoogleStudent } from './google-client.js';
import { attachImportedMembers, requestPresetForNewcomers } from './import.js';
import { syncJobSql, type SyncTrigger } from './links.js';

/**
 * Roster re-sync of one course link. Reads the roster (every page), compares it with the link's
 * members in SQL, and then, in one transaction: attaches students who joined and already have an
 * account, restores students who came back, marks students who left as removed (accounts are
 * never deleted, progress never touched), and updates changed names and emails. Students with no
 * account yet go through the import engine (./newcomers.ts). An unchanged roster writes no roster
 * data. A sync that would remove more than the guard's share of the class holds instead.
 */

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

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

/** Creates accounts for students new to Rosterbridge through the import engine; returns how many it handed over. */
export type NewcomerImporter = (ctx: Ctx, link: SyncLink, students: GoogleStudent[]) => Promise<{ batchId: string; staged: number } | null>;

export interface SyncLink {
  id: string;
  organisationId: string;
  ownerId: string;
  googleCourseId: string;
  courseName: string;
  groupId: string | null;
  tagIds: string[];
  presetId: string | null;
  defaultPasswordEncrypted: string | null;
  syncState: string;
  importBatchId: string | null;
}

async function loadLink(services: Pick<Services, 'sql'>, linkId: string): Promise<SyncLink | null> {
  const [row] = await services.sql<{
    id: string;
    organisation_id: string;
    owner_id: string;
    google_course_id: string;
    course_name: string;
    group_id: string | null;
    tag_ids: string[];
    preset_id: string | null;
    default_password_encrypted: string | null;
    sync_state: string;
    import_batch_id: string | null;
  }[]>`
    select id, organisation_id, owner_id, google_course_id, course_name, group_id, tag_ids, preset_id, default_password_encrypted,
      sync_state, import_batch_id
    from classroom_course_links where id = ${linkId}`;
  if (!row) return null;
  return {
    id: row.id,
    organisationId: row.organisation_id,
    ownerId: row.owner_id,
    googleCourseId: row.google_course_id,
    courseName: row.course_name,
    groupId: row.group_id,
    tagIds: row.tag_ids ?? [],
    presetId: row.preset_id,
    defaultPasswordEncrypted: row.default_password_encrypted,
    syncState: row.sync_state,
    importBatchId: row.import_batch_id,
  };
}

async function recordRun(
  tx: Tx,
  link: SyncLink,
  run: { trigger: SyncTrigger; outcome: 'applied' | 'held' | 'failed'; added?: number; updated?: number; removed?: number; restored?: number; details?: Record<string, unknown>; message?: string | null; startedAt: Date },
): Promise<void> {
  await tx.execute(sql`
    insert into classroom_sync_runs (organisation_id, link_id, trigger, outcome, added, updated, removed, restored, details, message, started_at)
    values (${link.organisationId}, ${link.id}, ${run.trigger}, ${run.outcome}, ${run.added ?? 0}, ${run.updated ?? 0}, ${run.removed ?? 0},
            ${run.restored ?? 0}, ${JSON.stringify(run.details ?? {})}::jsonb, ${run.message ?? null}, ${run.startedAt.toISOString()}::timestamptz)`);
}

/**
 * Bookkeeping of an unchanged sync: folded into the previous history line when that one was
 * unchanged too, so a quiet class keeps one line ("checked N times, last at ...").
 */
async function recordUnchanged(services: Services, link: SyncLink, trigger: SyncTrigger, startedAt: Date): Promise<void> {
  await services.db.transaction(async (tx) => {
    const folded = await tx.execute(sql`
      update classroom_sync_runs r set runs = r.runs + 1, finished_at = now(), trigger = ${trigger}
      where r.id = (select id from classroom_sync_runs where link_id = ${link.id} order by finished_at desc, id limit 1)
        and r.outcome = 'unchanged'
      returning r.id`);
    if (!folded.length) {
      await tx.execute(sql`
        insert into classroom_sync_runs (organisation_id, link_id, trigger, outcome, started_at)
        values (${link.organisationId}, ${link.id}, ${trigger}, 'unchanged', ${startedAt.toISOString()}::timestamptz)`);
    }
    await tx.execute(sql`
      update classroom_course_links set last_synced_at = now(), sync_message = null,
        sync_state = case when sync_state in ('failed', 'held') then 'ok' else sync_state end, held_plan = null
      where id = ${link.id}`);
  });
}

async function recordFailure(services: Services, link: SyncLink, trigger: SyncTrigger, message: string, startedAt: Date): Promise<void> {
  await services.db.transaction(async (tx) => {
    // The same failure again (a course gone, Classroom switched off) adds to its line instead of a new one each time.
    const folded = await tx.execute(sql`
      update classroom_sync_runs r set runs = r.runs + 1, finished_at = now(), trigger = ${trigger}
      where r.id = (select id from classroom_sync_runs where link_id = ${link.id} order by finished_at desc, id limit 1)
        and r.outcome = 'failed' and r.message = ${message}
      returning r.id`);
    if (!folded.length) await recordRun(tx, link, { trigger, outcome: 'failed', message, startedAt });
    await tx.execute(sql`
      update classroom_course_links set sync_state = case when sync_state = 'needs_reconnecting' then sync_state else 'failed' end,
        sync_message = ${message}
      where id = ${link.id}`);
  });
}

interface Plan {
  joiners: { google_user_id: string; first_name: string; last_name: string; email: string | null; account_id: string | null }[];
  returners: { google_user_id: string; name: string }[];
  leavers: { google_user_id: string; name: string }[];
  changed: { account_id: string; google_user_id: string; first_name: string; last_name: string; email: string | null; name: string }[];
  active: number;
}

/** The difference between Google's roster and the link's members, computed in one statement. */
async function planSync(services: Services, link: SyncLink, roster: GoogleStudent[], owner: Actor): Promise<Plan> {
  const scope = accountScopeSql(owner, 'a');
  const json = JSON.stringify(roster.map((s) => ({ g: s.googleUserId, f: s.firstName, l: s.lastName, e: s.email })));
  const [row] = await services.db.execute<{ plan: Plan | string }>(sql`
    with roster as (
      select distinct on (r.g) r.g as google_user_id, r.f as first_name, r.l as last_name, nullif(r.e, '') as email
      from jsonb_to_recordset(${json}::jsonb) as r(g text, f text, l text, e text)),
    members as (
      select m.google_user_id, m.removed, m.account_id, a.first_name, a.last_name, a.email, a.group_id, a.organisation_id
      from classroom_link_members m join accounts a on a.id = m.account_id
      where m.link_id = ${link.id})
    select json_build_object(
      'joiners', coalesce((
        select json_agg(json_build_object('google_user_id', r.google_user_id, 'first_name', r.first_name, 'last_name', r.last_name,
          'email', r.email, 'account_id', coalesce(
            (select a.id from accounts a where a.organisation_id = ${link.organisationId} and a.google_user_id = r.google_user_id),
            (select a.id from accounts a where a.organisation_id = ${link.organisationId} and r.email is not null and lower(a.email) = lower(r.email)
               and (a.google_user_id is null or a.google_user_id = r.google_user_id))))
          order by r.last_name, r.first_name)
        from roster r where not exists (select 1 from members m where m.google_user_id = r.google_user_id)), '[]'::json),
      'returners', coalesce((
        select json_agg(json_build_object('google_user_id', m.google_user_id, 'name', r.first_name || ' ' || r.last_name))
        from members m join roster r using (google_user_id) where m.removed), '[]'::json),
      'leavers', coalesce((
        select json_agg(json_build_object('google_user_id', m.google_user_id, 'name', m.first_name || ' ' || m.last_name) order by m.last_name, m.first_name)
        from members m where not m.removed and not exists (select 1 from roster r where r.google_user_id = m.google_user_id)), '[]'::json),
      'changed', coalesce((
        select json_agg(json_build_object('account_id', c.account_id, 'google_user_id', c.google_user_id, 'first_name', c.first_name,
          'last_name', c.last_name, 'email', case when c.new_email then c.email end, 'name', c.first_name || ' ' || c.last_name))
        from (
          select m.account_id, m.google_user_id, left(r.first_name, 100) as first_name, left(r.last_name, 100) as last_name, r.email,
            m.first_name as old_first, m.last_name as old_last,
            (r.email is not null and lower(r.email) <> lower(m.email) and not exists (
              select 1 from accounts x where x.organisation_id = m.organisation_id and lower(x.email) = lower(r.email) and x.id <> m.account_id)) as new_email
          from members m join roster r using (google_user_id) join accounts a on a.id = m.account_id
          where not m.removed and ${scope} and not a.is_system_admin) c
        -- Only what the sync may and will change: accounts in the owner's reach, an email nobody else has.
        where c.first_name is distinct from c.old_first or c.last_name is distinct from c.old_last or c.new_email), '[]'::json),
      'active', (select count(*)::int from members m where not m.removed)
    ) as plan`);
  const plan = row!.plan;
  return typeof plan === 'string' ? (JSON.parse(plan) as Plan) : plan;
}

const names = (list: { name: string }[]) => list.slice(0, 100).map((x) => x.name);

/**
 * Runs one sync. Google's faults: invalid_grant marks the connection and stops (no retry);
 * Classroom switched off or the course gone is recorded with its message (no retry); 429/5xx
 * after the client's own retries are thrown, so the job queue retries with its backoff.
 */
export async function syncCourseLink(
  services: Services,
  cfg: GoogleConfig,
  linkId: string,
  options: SyncOptions,
  importNewcomers: NewcomerImporter,
): Promise<SyncResult> {
  const startedAt = new Date();
  const link = await loadLink(services, linkId);
  if (!link) return { outcome: 'gone' };
  if (link.syncState === 'needs_reconnecting') return { outcome: 'failed', message: 'The teacher has to connect to Google Classroom again.' };
  const owner = await loadActor(services, link.ownerId);
  if (!owner || owner.kind !== 'administrator' || owner.organisationId !== link.organisationId) {
    await recordFailure(services, link, options.trigger, 'The administrator who linked this class can no longer manage it. Link the class again from another administrator’s account.', startedAt);
    return { outcome: 'failed', message: 'owner gone' };
  }
  const ctx: Ctx = { ...services, actor: owner };
  if (link.syncState === 'waiting_for_import' && link.importBatchId) {
    const attached = await attachImportedMembers(ctx, link, options.trigger);
    if (attached === 'waiting') {
      // The accounts are still being created: look again shortly (same job key, so no pile-up).
      await services.db.execute(syncJobSql(linkId, { trigger: options.trigger }, 3));
      return { outcome: 'waiting' };
    }
    return { outcome: 'applied', added: attached.added, updated: 0, removed: 0, restored: 0, importing: 0 };
  }

  let roster: GoogleStudent[];
  try {
    const client = await classroomClientFor(services, cfg, owner.id);
    roster = await client.listStudents(link.googleCourseId);
  } catch (error) {
    if (error instanceof GoogleReconnectNeededError) {
      await markNeedsReconnecting(services, owner.id);
      await recordFailure(services, link, options.trigger, error.message, startedAt);
      return { outcome: 'failed', message: error.message };
    }
    if (error instanceof ClassroomAccessError || error instanceof ClassroomCourseGoneError) {
      await recordFailure(services, link, options.trigger, error.message, startedAt);
      return { outcome: 'failed', message: error.message };
    }
    await services.sql`update classroom_course_links set sync_message = ${error instanceof Error ? error.message : String(error)} where id = ${link.id}`;
    throw error;
  }

  const plan = await planSync(services, link, roster, owner);
  const attach = plan.joiners.filter((j) => j.account_id);
  // Students the link's last import skipped (with a reason on its result page) are not tried again each sync.
  const skippedBefore = new Set(
    link.importBatchId
      ? (
          await services.sql<{ google_user_id: string }[]>`
            select google_user_id from import_rows where batch_id = ${link.importBatchId} and outcome = 'skip' and google_user_id is not null`
        ).map((r) => r.google_user_id)
      : [],
  );
  const newcomers = plan.joiners.filter((j) => !j.account_id && !skippedBefore.has(j.google_user_id));
  const notImported = plan.joiners.filter((j) => !j.account_id && skippedBefore.has(j.google_user_id)).map((n) => `${n.first_name} ${n.last_name}`);
  const nothing = !attach.length && !plan.returners.length && !plan.leavers.length && !plan.changed.length && !newcomers.length;
  if (nothing) {
    await recordUnchanged(services, link, options.trigger, startedAt);
    return { outcome: 'unchanged' };
  }

  const approved = new Set(options.approvedRemovals ?? []);
  const unapproved = plan.leavers.filter((l) => !approved.has(l.google_user_id));
  const share = plan.active > 0 ? (plan.leavers.length / plan.active) * 100 : 0;
  if (unapproved.length > 0 && share > options.guardPercent) {
    await holdSync(services, owner, link, plan, options.trigger, startedAt);
    return { outcome: 'held', removals: plan.leavers.length };
  }

  const scope = accountScopeSql(owner, 'a');
  // The import engine runs its own transactions; its batch is started first, and the link then
  // waits for it (a follow-up sync attaches the new accounts once they exist).
  const handed =
    newcomers.length
      ? await importNewcomers(
          ctx,
          link,
          newcomers.map((n) => ({ googleUserId: n.google_user_id, firstName: n.first_name, lastName: n.last_name, email: n.email })),
        )
      : null;
  const result = await services.db.transaction(async (tx) => {
    if (attach.length) {
      const rows = JSON.stringify(attach.map((j) => ({ g: j.google_user_id, a: j.account_id })));
      await tx.execute(sql`
        insert into classroom_link_members (link_id, google_user_id, account_id)
        select ${link.id}, r.g, r.a::uuid from jsonb_to_recordset(${rows}::jsonb) as r(g text, a text)
        on conflict (link_id, google_user_id) do update set removed = false, removed_at = null, account_id = excluded.account_id`);
      // Matched by email: remember the Google account, so the next match is by id.
      await tx.execute(sql`
        update accounts a set google_user_id = r.g, updated_at = now()
        from jsonb_to_recordset(${rows}::jsonb) as r(g text, a text)
        where a.id = r.a::uuid and a.google_user_id is null and ${scope}
          and not exists (select 1 from accounts x where x.organisation_id = a.organisation_id and x.google_user_id = r.g)`);
    }
    if (plan.returners.length) {
      await tx.execute(sql`
        update classroom_link_members set removed = false, removed_at = null
        where link_id = ${link.id} and google_user_id = any(array(select jsonb_array_elements_text(${JSON.stringify(plan.returners.map((r) => r.google_user_id))}::jsonb)))`);
    }
    if (plan.leavers.length) {
      await tx.execute(sql`
        update classroom_link_members set removed = true, removed_at = now()
        where link_id = ${link.id} and not removed
          and google_user_id = any(array(select jsonb_array_elements_text(${JSON.stringify(plan.leavers.map((r) => r.google_user_id))}::jsonb)))`);
    }
    const preset = await requestPresetForNewcomers(ctx, link, attach.map((j) => j.account_id!), tx);
    let updated: string[] = [];
    if (plan.changed.length) {
      const rows = JSON.stringify(plan.changed.map((c) => ({ a: c.account_id, f: c.first_name, l: c.last_name, e: c.email })));
      const done = await tx.execute<{ name: string }>(sql`
        update accounts a set first_name = left(r.f, 100), last_name = left(r.l, 100), email = coalesce(r.e, a.email), updated_at = now()
        from jsonb_to_recordset(${rows}::jsonb) as r(a text, f text, l text, e text)
        where a.id = r.a::uuid and ${scope} and not a.is_system_admin
          and (a.first_name is distinct from left(r.f, 100) or a.last_name is distinct from left(r.l, 100) or (r.e is not null and a.email <> r.e))
        returning a.first_name || ' ' || a.last_name as name`);
      updated = done.map((d) => d.name);
    }
    if (handed && handed.staged > 0) {
      await tx.execute(sql`update classroom_course_links set sync_state = 'waiting_for_import', import_batch_id = ${handed.batchId} where id = ${link.id}`);
      await tx.execute(syncJobSql(link.id, { trigger: 'newcomers' }, 3));
    } else if (handed) {
      // The engine's check skipped every newcomer: remember the batch, so they are not tried again each sync.
      await tx.execute(sql`update classroom_course_links set import_batch_id = ${handed.batchId} where id = ${link.id}`);
      const skipped = await tx.execute<{ name: string }>(sql`
        select first_name || ' ' || last_name || ': ' || coalesce(reason, 'not imported') as name
        from import_rows where batch_id = ${handed.batchId} order by row_number limit 100`);
      notImported.push(...skipped.map((r) => r.name));
    }
    const importing = handed?.staged ?? 0;
    const batchId = handed?.batchId ?? null;
    const added = attach.length;
    await recordRun(tx, link, {
      trigger: options.trigger,
      outcome: 'applied',
      added,
      updated: updated.length,
      removed: plan.leavers.length,
      restored: plan.returners.length,
      details: {
        added: names(attach.map((a) => ({ name: `${a.first_name} ${a.last_name}` }))),
        updated,
        removed: names(plan.leavers),
        restored: names(plan.returners),
        ...(importing ? { importing, importBatchId: batchId } : {}),
        ...(notImported.length ? { notImported } : {}),
        ...(preset ?? {}),
      },
      startedAt,
    });
    if (!importing) {
      await tx.execute(sql`
        update classroom_course_links set last_synced_at = now(), sync_state = 'ok', sync_message = null, held_plan = null
        where id = ${link.id}`);
    } else {
      await tx.execute(sql`update classroom_course_links set last_synced_at = now(), sync_message = null, held_plan = null where id = ${link.id}`);
    }
    return { added, updated: updated.length, removed: plan.leavers.length, restored: plan.returners.length, importing };
  });
  return { outcome: 'applied', ...result };
}

/** Holds a sync that would remove too many students: nothing changes; the administrator is emailed. */
async function holdSync(services: Services, owner: Actor, link: SyncLink, plan: Plan, trigger: SyncTrigger, startedAt: Date): Promise<void> {
  const heldPlan: HeldPlan = {
    removeGoogleUserIds: plan.leavers.map((l) => l.google_user_id),
    removeNames: names(plan.leavers),
    rosterSize: plan.active,
    heldAt: new Date().toISOString(),
  };
  await services.db.transaction(async (tx) => {
    const [before] = await tx.execute<{ sync_state: string }>(sql`select sync_state from classroom_course_links where id = ${link.id} for update`);
    await tx.execute(sql`
      update classroom_course_links set sync_state = 'held', held_plan = ${JSON.stringify(heldPlan)}::jsonb,
        sync_message = ${`This sync would remove ${plan.leavers.length} of ${plan.active} students, so it is waiting for your approval.`}
      where id = ${link.id}`);
    await recordRun(tx, link, {
      trigger,
      outcome: 'held',
      removed: 0,
      details: { wouldRemove: heldPlan.removeNames },
      message: `Would remove ${plan.leavers.length} of ${plan.active} students; held for approval.`,
      startedAt,
    });
    if (before?.sync_state !== 'held') {
      await queueEmail(tx, {
        organisationId: link.organisationId,
        to: owner.email,
        subject: `Approve the roster sync of ${link.courseName}`,
        text:
          `Hello ${owner.firstName},\n\nThe Google Classroom sync of ${link.courseName} would remove ${plan.leavers.length} of its ${plan.active} students ` +
          `from the class in Rosterbridge. That is more than usual, so nothing was changed.\n\nStudents it would remove:\n` +
          heldPlan.removeNames.map((n) => `  - ${n}`).join('\n') +
          `\n\nIf this is right, approve the sync on ${services.appUrl}/classroom/links/${link.id}\n` +
          `Removed students keep their accounts and their progress.\n`,
      });
    }
  });
}

/** The job queue gave up on a sync (Google kept failing): the link says so until the next one works. */
export async function recordSyncGaveUp(services: Services, linkId: string, trigger: SyncTrigger, message: string): Promise<void> {
  const link = await loadLink(services, linkId);
  if (link) await recordFailure(services, link, trigger, message, new Date());
}
