import { sql } from 'drizzle-orm';
import * as v from 'valibot';
import { accountScopeSql, groupScopeSql, toUuidArray } from '../accounts/scope.js';
import { createAssignmentRequest } from '../assignments/request.js';
import { recordAudit } from '../audit.js';
import { mapLimit } from '../concurrency.js';
import type { Ctx } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import {
  checkImportBatch,
  clearImportRows,
  createImportBatch,
  getImportBatch,
  stageImportRows,
  startImport,
  updateImportOptions,
  updateImportSourceState,
  type ImportBatch,
  type ImportRowInput,
} from '../imports/engine.js';
import type { GoogleConfig } from './config.js';
import { classroomClientFor } from './connection.js';
import type { GoogleCourse, GoogleStudent } from './google-client.js';
import { syncJobSql, type SyncLink } from './links.js';
import { attachBatchMembersSql, batchSkippedSql, reviewRowsPageSql, settleLinkTagsSql, type ReviewRowRecord } from './import-sql.js';
import { typedTagIds } from '../imports/new-names.js';
import { parseTypedTagNames } from '../imports/stage.js';
import { addClassTagsSql } from './sync-sql.js';
import { createTokenCipher } from './token-crypto.js';
import { paginate } from '../pagination.js';
import { notImportedOf, parseReasons, type NotImported, type RowReason } from '../imports/reasons.js';

/**
 * Import from Google Classroom: a source of rows for the import engine (src/imports/), never a
 * second way of creating accounts. The chosen classes' rosters become one batch (students in two
 * classes once), each class a course link that waits for the batch and then records its members.
 */

/** Students whose email Classroom hides get this address, so they can still have an account (signed in with Google). */
export const HIDDEN_EMAIL_DOMAIN = 'hidden-email.classroom.invalid';

export interface ClassroomSourceState {
  [key: string]: unknown;
  courses: { id: string; name: string; section: string | null }[];
  /** Google user ids on each chosen course's roster when it was read. */
  rosters: Record<string, string[]>;
  /** The default password, encrypted, for the course links (the batch keeps only its hash). */
  defaultPasswordEncrypted: string | null;
  /** Google ids of students whose email Classroom hides. */
  hiddenEmail: string[];
  /** The teacher's courses as the wizard listed them: read from Google once per wizard. */
  pickable: PickableCourse[];
  /** "Also add these tags to accounts that already exist". */
  tagExisting: boolean;
}

export function parseSourceState(raw: Record<string, unknown>): ClassroomSourceState {
  return {
    courses: Array.isArray(raw.courses) ? (raw.courses as ClassroomSourceState['courses']) : [],
    rosters: (raw.rosters as Record<string, string[]>) ?? {},
    defaultPasswordEncrypted: typeof raw.defaultPasswordEncrypted === 'string' ? raw.defaultPasswordEncrypted : null,
    hiddenEmail: Array.isArray(raw.hiddenEmail) ? (raw.hiddenEmail as string[]) : [],
    pickable: Array.isArray(raw.pickable) ? (raw.pickable as PickableCourse[]) : [],
    tagExisting: raw.tagExisting !== false,
  };
}

export const passwordBinding = (organisationId: string) => `classroom-default-password:${organisationId}`;

export interface PickableCourse extends GoogleCourse {
  linkedLinkId: string | null;
}

/** The teacher's active courses (every page), each marked if already linked. */
async function readPickableCourses(ctx: Ctx, cfg: GoogleConfig): Promise<PickableCourse[]> {
  const client = await classroomClientFor(ctx, cfg, ctx.actor.id);
  const courses = await client.listTeacherCourses(['ACTIVE']);
  if (!courses.length) return [];
  const linked = await ctx.db.execute<{ google_course_id: string; id: string }>(sql`
    select google_course_id, id from classroom_course_links
    where organisation_id = ${ctx.actor.organisationId}
      and google_course_id = any(array(select jsonb_array_elements_text(${JSON.stringify(courses.map((c) => c.id))}::jsonb)))`);
  const byCourse = new Map(linked.map((l) => [l.google_course_id, l.id]));
  return courses.map((c) => ({ ...c, linkedLinkId: byCourse.get(c.id) ?? null }));
}

/**
 * "Pick your classes": the wizard's draft import, holding the course list. Google is asked once
 * per wizard; the page shown again (a choice to fix) and Continue use the list kept with the draft.
 */
export async function openImportDraft(
  ctx: Ctx,
  cfg: GoogleConfig,
  draftId?: string | null,
): Promise<{ draftId: string; courses: PickableCourse[] }> {
  if (draftId && /^[0-9a-f-]{36}$/i.test(draftId)) {
    const kept = await getClassroomBatch(ctx, draftId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });
    if (kept && kept.batch.status === 'draft' && kept.batch.createdBy === ctx.actor.id)
      return { draftId: kept.batch.id, courses: kept.state.pickable };
  }
  const courses = await readPickableCourses(ctx, cfg);
  const state: ClassroomSourceState = {
    courses: [],
    rosters: {},
    defaultPasswordEncrypted: null,
    hiddenEmail: [],
    pickable: courses,
    tagExisting: true,
  };
  const { id } = await createImportBatch(ctx, {
    source: 'classroom',
    options: { accountKind: 'user', placeholderEmailDomain: HIDDEN_EMAIL_DOMAIN },
    sourceState: state,
  });
  return { draftId: id, courses };
}

export interface ImportChoices {
  /** The wizard's draft (openImportDraft); without one, a draft is opened first. */
  draftId?: string | null;
  courseIds: string[];
  groupId: string;
  defaultPassword: string;
  tagIds: string[];
  /** New tag names typed on the options step, separated by commas: the import creates those that do not exist. */
  newTags?: string;
  /** "Also add these tags to accounts that already exist" (on unless said otherwise). */
  tagExisting?: boolean;
}

const ChoicesSchema = v.object({
  courseIds: v.pipe(
    v.array(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/))),
    v.minLength(1, 'Pick at least one class.'),
    v.maxLength(500),
  ),
  groupId: v.pipe(v.string(), v.uuid('Select the group where you want to import the users.')),
  defaultPassword: v.pipe(v.string(), v.minLength(8, 'The default password must be at least 8 characters.'), v.maxLength(200)),
  tagIds: v.array(v.pipe(v.string(), v.uuid())),
});

function fieldsOf(issues: v.BaseIssue<unknown>[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const key = String(issue.path?.[0]?.key ?? 'form');
    out[key] ??= issue.message;
  }
  return out;
}

/** Students of several classes, once each (by Google user id), in the order first seen. */
export function dedupeStudents(rosters: { courseId: string; students: GoogleStudent[] }[]): GoogleStudent[] {
  const seen = new Map<string, GoogleStudent>();
  for (const { students } of rosters) for (const s of students) if (!seen.has(s.googleUserId)) seen.set(s.googleUserId, s);
  return [...seen.values()];
}

function rowsFor(students: GoogleStudent[]): ImportRowInput[] {
  return students.map((s, i) => ({
    rowNumber: i + 1,
    firstName: s.firstName,
    lastName: s.lastName,
    email: s.email ?? '',
    googleUserId: s.googleUserId,
  }));
}

/** The choices, checked: a valid form, one of the actor's groups, new tag names by the CSV import's rules. */
async function checkChoices(ctx: Ctx, input: ImportChoices) {
  const parsed = v.safeParse(ChoicesSchema, input);
  const typed = parseTypedTagNames(input.newTags ?? '');
  const problems = parsed.success ? {} : fieldsOf(parsed.issues);
  if (typed.problem) problems.newTags = typed.problem;
  if (!parsed.success || typed.problem) throw new ValidationError('Some choices need your attention.', problems);
  const [group] = await ctx.db.execute<{ id: string }>(
    sql`select g.id from groups g where g.id = ${parsed.output.groupId} and ${groupScopeSql(ctx.actor, 'g')}`,
  );
  if (!group) throw new ValidationError('Some choices need your attention.', { groupId: 'Select one of your groups.' });
  return { ...parsed.output, newTagNames: typed.names };
}

/** Every roster of the chosen classes (every page), a few in flight at once. */
async function readRosters(ctx: Ctx, cfg: GoogleConfig, chosen: PickableCourse[]) {
  const client = await classroomClientFor(ctx, cfg, ctx.actor.id);
  // Google's latency overlaps; the client's rate limit still holds.
  const rosters = await mapLimit(chosen, 4, async (course) => ({ courseId: course.id, students: await client.listStudents(course.id) }));
  const students = dedupeStudents(rosters);
  if (!students.length)
    throw new ValidationError('Some choices need your attention.', { courseIds: 'The classes you picked have no students yet.' });
  return { rosters, students };
}

/**
 * Continue: reads the chosen classes' rosters (every page), stages the students once each into
 * the wizard's draft with the group, tags and default password, and runs the engine's check.
 */
export async function prepareClassroomImport(ctx: Ctx, cfg: GoogleConfig, input: ImportChoices): Promise<{ batchId: string }> {
  const choices = await checkChoices(ctx, input);
  const draft = await openImportDraft(ctx, cfg, input.draftId);
  const chosen = draft.courses.filter((c) => choices.courseIds.includes(c.id) && !c.linkedLinkId);
  if (chosen.length !== new Set(choices.courseIds).size) {
    throw new ValidationError('Some choices need your attention.', {
      courseIds: 'One of the classes is no longer in your Google Classroom. Pick your classes again.',
    });
  }
  const { rosters, students } = await readRosters(ctx, cfg, chosen);
  const cipher = createTokenCipher(cfg.tokenKey);
  await updateImportOptions(ctx, draft.draftId, {
    groupId: choices.groupId,
    tagIds: choices.tagIds,
    newTagNames: choices.newTagNames,
    sharedPassword: choices.defaultPassword,
  });
  await updateImportSourceState(ctx, draft.draftId, {
    courses: chosen.map((c) => ({ id: c.id, name: c.name, section: c.section })),
    rosters: Object.fromEntries(rosters.map((r) => [r.courseId, r.students.map((s) => s.googleUserId)])),
    defaultPasswordEncrypted: await cipher.encrypt(choices.defaultPassword, passwordBinding(ctx.actor.organisationId)),
    hiddenEmail: students.filter((s) => !s.email).map((s) => s.googleUserId),
    pickable: draft.courses,
    tagExisting: input.tagExisting !== false,
  } satisfies ClassroomSourceState);
  await clearImportRows(ctx, draft.draftId);
  await stageImportRows(ctx, draft.draftId, rowsFor(students));
  await checkImportBatch(ctx, draft.draftId);
  return { batchId: draft.draftId };
}

/** A Classroom batch of the actor's, still to be imported or already running. */
export async function getClassroomBatch(ctx: Ctx, batchId: string): Promise<{ batch: ImportBatch; state: ClassroomSourceState }> {
  const batch = await getImportBatch(ctx, batchId);
  if (batch.source !== 'classroom') throw new NotFoundError('No such import.');
  return { batch, state: parseSourceState(batch.sourceState) };
}

/**
 * Import: starts the engine's job, then makes a course link per class (group, tags, default
 * password) waiting for the batch; a sync job per link records its members once the accounts exist.
 */
export async function startClassroomImport(ctx: Ctx, batchId: string): Promise<{ linkIds: string[] }> {
  const { batch, state } = await getClassroomBatch(ctx, batchId);
  await startImport(ctx, batch.id);
  const linkIds = await ctx.db.transaction(async (tx) => {
    const rows = JSON.stringify(state.courses.map((c) => ({ id: c.id, name: c.name, section: c.section })));
    // The typed tags: existing ones, or the ids the import creates them under (attachImportedMembers rechecks).
    const tagIds = [...new Set([...batch.options.tagIds, ...(await typedTagIds(tx, batch.id, ctx.actor.organisationId, batch.options))])];
    const links = await tx.execute<{ id: string }>(sql`
      insert into classroom_course_links (organisation_id, owner_id, google_course_id, course_name, section, group_id, tag_ids, tag_existing,
        default_password_encrypted, import_batch_id, sync_state)
      select ${ctx.actor.organisationId}, ${ctx.actor.id}, c.id, c.name, c.section, ${batch.options.groupId}::uuid,
        ${toUuidArray(tagIds)}, ${state.tagExisting}, ${state.defaultPasswordEncrypted}, ${batch.id}::uuid, 'waiting_for_import'
      from jsonb_to_recordset(${rows}::jsonb) as c(id text, name text, section text)
      on conflict (organisation_id, google_course_id) do nothing
      returning id`);
    for (const link of links) {
      await tx.execute(syncJobSql(link.id, { trigger: 'import' }, 2));
    }
    await recordAudit(tx, ctx.actor, 'classroom.import_started', {
      subjectType: 'import_batch',
      subjectId: batch.id,
      details: { courses: state.courses.map((c) => c.name), links: links.length },
    });
    return links.map((l) => l.id);
  });
  return { linkIds };
}

/** Students new to Rosterbridge found by a re-sync: a small Classroom batch with the link's settings. */
export async function importNewcomers(
  ctx: Ctx,
  cfg: GoogleConfig,
  link: SyncLink,
  students: GoogleStudent[],
): Promise<{ batchId: string; staged: number } | null> {
  if (!link.groupId) return null;
  const cipher = createTokenCipher(cfg.tokenKey);
  const password = link.defaultPasswordEncrypted
    ? await cipher.decrypt(link.defaultPasswordEncrypted, passwordBinding(link.organisationId)).catch(() => null)
    : null;
  const sourceState: ClassroomSourceState = {
    courses: [{ id: link.googleCourseId, name: link.courseName, section: null }],
    rosters: { [link.googleCourseId]: students.map((s) => s.googleUserId) },
    defaultPasswordEncrypted: link.defaultPasswordEncrypted,
    hiddenEmail: students.filter((s) => !s.email).map((s) => s.googleUserId),
    pickable: [],
    tagExisting: link.tagExisting,
  };
  const { id } = await createImportBatch(ctx, {
    source: 'classroom',
    options: {
      accountKind: 'user',
      groupId: link.groupId,
      tagIds: link.tagIds,
      placeholderEmailDomain: HIDDEN_EMAIL_DOMAIN,
      ...(password ? { sharedPassword: password } : { allowNoPassword: true }),
    },
    sourceState,
  });
  await stageImportRows(ctx, id, rowsFor(students));
  const summary = await checkImportBatch(ctx, id);
  if (summary.toCreate + summary.toUpdate + summary.toKeep === 0) return { batchId: id, staged: 0 };
  await startImport(ctx, id);
  return { batchId: id, staged: summary.toCreate + summary.toUpdate + summary.toKeep };
}

/**
 * The link's preset assignment for students who joined, through the mass-assign engine (which
 * never double-assigns nor overwrites progress). A preset that cannot be applied is reported in
 * the history instead of failing the sync.
 */
export async function requestPresetForNewcomers(
  ctx: Ctx,
  link: SyncLink,
  accountIds: string[],
  tx: Parameters<Parameters<Ctx['db']['transaction']>[0]>[0],
): Promise<{ assignmentRequestId?: string; presetProblem?: string } | null> {
  if (!link.presetId || accountIds.length === 0) return null;
  try {
    const { requestId } = await createAssignmentRequest(
      ctx,
      { targets: { kind: 'accounts', accountIds }, presetId: link.presetId, origin: 'classroom', notifyActor: false },
      tx,
    );
    return { assignmentRequestId: requestId };
  } catch (error) {
    if (error instanceof ValidationError || error instanceof NotFoundError)
      return { presetProblem: `The preset assignment was not given: ${error.message}` };
    throw error;
  }
}

/**
 * The link's tags once its import ran: a tag typed on the options step that someone else created
 * between the check and the run exists under another id than the one planned, which is replaced.
 */
async function settleLinkTags(tx: Pick<Ctx['db'], 'execute'>, link: SyncLink): Promise<string[]> {
  if (!link.importBatchId || !link.tagIds.length) return link.tagIds;
  const [row] = await tx.execute<{ tag_ids: string[] }>(settleLinkTagsSql(link));
  return row ? row.tag_ids : link.tagIds;
}

/**
 * After the link's import batch finished: its accounts on this course's roster become the link's
 * members (no Google call: the roster read for the import is reused), accounts that already
 * existed get the class's tags when chosen, and skipped rows are reported.
 */
export async function attachImportedMembers(
  ctx: Ctx,
  link: SyncLink,
  trigger: string,
): Promise<'waiting' | { added: number; notImported: NotImported[] }> {
  const [batch] = await ctx.db.execute<{ status: string; source_state: Record<string, unknown> | string }>(
    sql`select status, source_state from import_batches where id = ${link.importBatchId}`,
  );
  // Only a batch the engine is working on is waited for; one never started has nothing to attach.
  if (batch && (batch.status === 'queued' || batch.status === 'running')) return 'waiting';
  const state = parseSourceState(
    batch ? (typeof batch.source_state === 'string' ? JSON.parse(batch.source_state) : batch.source_state) : {},
  );
  const roster = state.rosters[link.googleCourseId] ?? [];
  return ctx.db.transaction(async (tx) => {
    const tagIds = await settleLinkTags(tx, link);
    const added = await tx.execute<{ name: string; account_id: string; existed: boolean }>(attachBatchMembersSql(link, roster));
    const existing = added.filter((a) => a.existed).map((a) => a.account_id);
    if (link.tagExisting && tagIds.length && existing.length) {
      await tx.execute(
        addClassTagsSql({ organisationId: link.organisationId, accountIds: existing, tagIds, reach: accountScopeSql(ctx.actor, 'a') }),
      );
    }
    // Students who joined after the class was linked get its preset assignment (the first import does not).
    const preset =
      trigger === 'newcomers'
        ? await requestPresetForNewcomers(
            ctx,
            link,
            added.map((a) => a.account_id),
            tx,
          )
        : null;
    const skipped = (await tx.execute<{ name: string; reason: string | null }>(batchSkippedSql(link, roster))).map(notImportedOf);
    const details = {
      added: added.slice(0, 100).map((a) => a.name),
      ...(skipped.length ? { notImported: skipped } : {}),
      ...(preset ?? {}),
    };
    await tx.execute(sql`
      insert into classroom_sync_runs (organisation_id, link_id, trigger, outcome, added, details, message)
      values (${link.organisationId}, ${link.id}, ${trigger}, 'applied', ${added.length}, ${JSON.stringify(details)}::jsonb,
              ${batch?.status === 'failed' ? 'The import stopped before every student was added; the next sync adds the rest.' : null})`);
    await tx.execute(sql`
      update classroom_course_links set sync_state = 'ok', sync_message = null, last_synced_at = now()
      where id = ${link.id} and sync_state = 'waiting_for_import'`);
    return { added: added.length, notImported: skipped };
  });
}

export interface ReviewRow {
  rowNumber: number;
  firstName: string;
  lastName: string;
  email: string;
  emailHidden: boolean;
  outcome: ReviewRowRecord['outcome'];
  reason: RowReason[] | null;
  /** How an existing account was found: by its Google account first, else by email. */
  matchedBy: 'google' | 'email' | null;
  /** A matched account's own group and tags now, shown beside what the import adds (null for a new account). */
  current: { groupName: string | null; tagNames: string[] } | null;
}

export const REVIEW_PAGE_SIZE = 100;

/** "A list of all the accounts that will be imported", 100 at a time, with how each was matched. */
export async function listReviewRows(
  ctx: Ctx,
  batchId: string,
  input: { page?: number; outcome?: 'skip' } = {},
): Promise<{ rows: ReviewRow[]; page: number; pageCount: number; hiddenCount: number }> {
  const { batch, state } = await getClassroomBatch(ctx, batchId);
  const where = sql`r.batch_id = ${batch.id} ${input.outcome ? sql`and r.outcome = 'skip'` : sql``}`;
  const [count] = await ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from import_rows r where ${where}`);
  const { page, pageCount, offset } = paginate(count?.n ?? 0, input.page, REVIEW_PAGE_SIZE);
  const rows = await ctx.db.execute<ReviewRowRecord>(
    reviewRowsPageSql({
      where,
      hiddenGoogleIds: state.hiddenEmail,
      organisationId: ctx.actor.organisationId,
      limit: REVIEW_PAGE_SIZE,
      offset,
    }),
  );
  return {
    rows: rows.map((r) => ({
      rowNumber: r.row_number,
      firstName: r.first_name,
      lastName: r.last_name,
      email: r.email,
      emailHidden: r.hidden,
      outcome: r.outcome,
      reason: parseReasons(r.reason),
      matchedBy: r.outcome === 'create' || r.outcome === 'skip' ? null : r.matched_by,
      current: r.current_tag_names ? { groupName: r.current_group_name, tagNames: r.current_tag_names } : null,
    })),
    page,
    pageCount,
    hiddenCount: state.hiddenEmail.length,
  };
}

/** The course links an import made. */
export async function linksOfBatch(ctx: Ctx, batchId: string): Promise<{ id: string; courseName: string }[]> {
  const { batch } = await getClassroomBatch(ctx, batchId);
  const rows = await ctx.db.execute<{ id: string; course_name: string }>(sql`
    select id, course_name from classroom_course_links where import_batch_id = ${batch.id} and organisation_id = ${ctx.actor.organisationId}
    union
    select l.id, l.course_name from classroom_course_links l
    where l.organisation_id = ${ctx.actor.organisationId}
      and exists (select 1 from classroom_sync_runs s where s.link_id = l.id and s.trigger = 'import')
      and l.google_course_id = any(array(select jsonb_array_elements_text(${JSON.stringify(parseSourceState(batch.sourceState).courses.map((c) => c.id))}::jsonb)))
    order by course_name`);
  return rows.map((r) => ({ id: r.id, courseName: r.course_name }));
}
