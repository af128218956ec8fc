import { randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../context.js';
import { accountScopeSql, toUuidArray } from '../accounts/scope.js';
import type { ImportOptions } from './options.js';
import { KEEP_AS_IS_REASON, reasonSql, storedReasons } from './reasons.js';

/** The statements of the import check (check.ts runs them in order, in one transaction). */

/** What the decision statement needs to know about the batch, the actor and the options. */
export interface DecideRowsInput {
  batchId: string;
  actor: Actor;
  options: ImportOptions;
  /** The chosen tags, once each. */
  tagIds: string[];
  /** The stored "will be updated" reason, or null when no update is chosen. */
  update: string | null;
  /** The batch has a shared password, or rows may create accounts without one. */
  mayCreatePasswordless: boolean;
  /** Some row carries a Google id (Classroom); a CSV file never does, and its check leaves those parts out. */
  withGoogle: boolean;
  /** Where the group of a row must be for the actor to place accounts in it (alias g). */
  groupInScope: SQL;
  checkedAtMs: number;
  /** The tags (id, name) rows may name: the organisation's and those the import will create. */
  knownTags: SQL;
  /** The groups (id, name) rows may name: the organisation's and those the import will create. */
  knownGroups: SQL;
}

/**
 * An id for the account a row will create that sorts like the rows do: a UUID laid out as version
 * 7, the time of the check in milliseconds, 40 random bits drawn once for the check, then the row
 * number (32 bits). The import inserts its accounts in row order, so they land at the right-hand end of the
 * primary key's index instead of on random pages of it, and each row costs one small string, not
 * a random draw of its own.
 */
export function rowOrderedUuid(rowNumber: SQL, checkedAtMs: number): SQL {
  const random = randomBytes(5).toString('hex');
  const prefix = `${Math.floor(checkedAtMs).toString(16).padStart(12, '0').slice(-12)}7${random.slice(0, 3)}8${random.slice(3)}`;
  return sql`(${prefix}::text || lpad(to_hex(${rowNumber}), 8, '0'))::uuid`;
}

export type CountRow = { n: number };

/** The chosen group, when it is still the organisation's and one the actor manages (1 or 0). */
export function chosenGroupCountSql(groupId: string, organisationId: string, groupInScope: SQL): SQL {
  return sql`select count(*)::int as n from groups g where g.id = ${groupId} and g.organisation_id = ${organisationId} and ${groupInScope}`;
}

/** How many of the chosen tags still exist in the organisation. */
export function chosenTagsCountSql(tagIds: string[], organisationId: string): SQL {
  return sql`select count(*)::int as n from tags where organisation_id = ${organisationId} and id = any(${toUuidArray(tagIds)})`;
}

export type AnyRow = { any: boolean };

export function batchHasGoogleIdsSql(batchId: string): SQL {
  return sql`select exists (select 1 from import_rows where batch_id = ${batchId} and google_user_id is not null) as any`;
}

/** The staged rows with the email the check uses (a placeholder when Classroom hides it), and whether they are readable at all. */
function readableRowsSql(input: DecideRowsInput): SQL {
  const domain = input.options.placeholderEmailDomain;
  return sql`
    select b.*, (b.problem is null and b.email <> '') as ok, lower(b.email) as email_key
    from (
      select r.row_number, r.problem, r.group_name, r.tag_names, r.google_user_id, r.password is not null as has_password,
        case when r.email = '' and r.google_user_id is not null and ${domain}::text is not null
             then lower(r.google_user_id) || '@' || ${domain}::text else r.email end as email
      from import_rows r where r.batch_id = ${input.batchId}) b`;
}

/** Duplicates, found by grouping (a hash, not a sort of every row): the first row of each repeated email and Google id. */
function duplicateFirstsSql(input: DecideRowsInput): { emails: SQL; googleIds: SQL } {
  return {
    emails: sql`select email_key, min(row_number) as first_row from readable where ok group by email_key having count(*) > 1`,
    googleIds: sql`
      select google_user_id, min(row_number) as first_row from readable
      where ${input.withGoogle} and ok and google_user_id is not null group by google_user_id having count(*) > 1`,
  };
}

/** Tag names resolved once per distinct set of names in the file, with the names that match no tag. */
function tagSetsSql(knownTags: SQL): SQL {
  return sql`
    select s.names, coalesce(array_agg(tg.id) filter (where tg.id is not null), '{}') as ids, array_agg(n.name) filter (where tg.id is null) as missing
    from (select distinct tag_names as names from readable where cardinality(tag_names) > 0) s
    cross join lateral unnest(s.names) as n(name)
    left join ${knownTags} tg on lower(tg.name) = lower(n.name)
    group by s.names`;
}

/** Each row with its group, tags and the account it matches: by Google id first, then by email ignoring case (DESIGN rule 7). */
function resolvedRowsSql(input: DecideRowsInput): SQL {
  const org = input.actor.organisationId;
  const google = input.withGoogle;
  return sql`
    select f.*, ef.first_row as first_email_row, gf.first_row as first_google_row,
      coalesce(g.id, case when f.group_name is null then ${input.options.groupId}::uuid end) as group_id,
      (f.group_name is not null and g.id is null) as unknown_group,
      (g.id is not null and not (${input.groupInScope})) as foreign_group,
      case when cardinality(f.tag_names) = 0 then ${toUuidArray(input.tagIds)} else t.ids end as tag_ids,
      t.missing as missing_tags,
      ${google ? sql`coalesce(bg.id, be.id)` : sql`be.id`} as account_id,
      -- What the decision needs of the matched account, read here from the rows just joined:
      -- joining accounts again by id would hash every account of every organisation.
      ${google ? sql`coalesce(bg.kind, be.kind)::text` : sql`be.kind::text`} as matched_kind,
      ${google ? sql`coalesce(bg.is_system_admin, be.is_system_admin)` : sql`be.is_system_admin`} as matched_system_admin,
      ${
        google
          ? sql`case when bg.id is not null then ${accountScopeSql(input.actor, 'bg')} else (be.id is not null and ${accountScopeSql(input.actor, 'be')}) end`
          : sql`(be.id is not null and ${accountScopeSql(input.actor, 'be')})`
      } as matched_in_scope,
      ${google ? sql`(bg.id is null and be.google_user_id is not null and f.google_user_id is not null and be.google_user_id <> f.google_user_id)` : sql`false`} as other_google
    from readable f
    left join email_firsts ef on f.ok and ef.email_key = f.email_key
    left join google_firsts gf on f.ok and gf.google_user_id = f.google_user_id
    left join ${input.knownGroups} g on f.group_name is not null and lower(g.name) = lower(f.group_name)
    left join tag_sets t on cardinality(f.tag_names) > 0 and t.names = f.tag_names
    ${google ? sql`left join accounts bg on f.ok and f.google_user_id is not null and bg.organisation_id = ${org} and bg.google_user_id = f.google_user_id` : sql``}
    left join accounts be on f.ok and be.organisation_id = ${org} and lower(be.email) = f.email_key`;
}

/** The reasons that skip a row before its account is looked at, in order of precedence (the first that applies is shown). */
function earlyReasonSql(): SQL {
  return sql`
    case
      when r.problem is not null then r.problem
      when r.email = '' then ${storedReasons([{ code: 'emailMissing' }])}::text
      when r.first_email_row <> r.row_number then ${reasonSql('emailOnRow', { row: sql`r.first_email_row` })}
      when r.first_google_row <> r.row_number then ${reasonSql('googleOnRow', { row: sql`r.first_google_row` })}
      when r.unknown_group then ${reasonSql('unknownGroup', { group: sql`r.group_name` })}
      when r.foreign_group then ${reasonSql('foreignGroup', { group: sql`r.group_name` })}
      when r.missing_tags is not null then ${reasonSql('unknownTags', { tags: sql`r.missing_tags` })}
      when r.other_google and r.account_id is not null then ${storedReasons([{ code: 'otherGoogle' }])}::text
    end`;
}

/** The outcome and reason of a row, from its early reason and the account it matched (alias f of `final`). */
function outcomeAndReasonSql(input: DecideRowsInput): { outcome: SQL; reason: SQL } {
  const { options, update, mayCreatePasswordless } = input;
  const differentKind = sql`f.existing_id is not null and (f.existing_system_admin or f.existing_kind <> ${options.accountKind})`;
  return {
    outcome: sql`(case
      when f.early_reason is not null then 'skip'
      when f.existing_id is not null and f.existing_kind = 'administrator' and f.google_user_id is not null then 'skip'
      when f.existing_id is not null and not f.in_scope then 'skip'
      when ${differentKind} then 'keep'
      when f.existing_id is not null and ${update !== null} then 'update'
      when f.existing_id is not null then 'keep'
      when f.group_id is null then 'skip'
      when not f.has_password and not ${mayCreatePasswordless} then 'skip'
      else 'create' end)::import_outcome`,
    reason: sql`case
      when f.early_reason is not null then f.early_reason
      -- A class roster changes learners only: an administrator account is never linked, renamed or made a member.
      when f.existing_id is not null and f.existing_kind = 'administrator' and f.google_user_id is not null then ${storedReasons([{ code: 'administratorLeftAlone' }])}::text
      when f.existing_id is not null and not f.in_scope then ${storedReasons([{ code: 'foreignAccount' }])}::text
      when ${differentKind} then ${reasonSql('existsAs', { kind: sql`case when f.existing_kind = 'administrator' then 'administrator' else 'user' end` })}
      when f.existing_id is not null and ${update !== null} then ${update ?? ''}::text
      when f.existing_id is not null then ${KEEP_AS_IS_REASON}::text
      when f.group_id is null then ${storedReasons([{ code: 'groupMissing' }])}::text
      when not f.has_password and not ${mayCreatePasswordless} then ${storedReasons([{ code: 'passwordMissing' }])}::text
    end`,
  };
}

/**
 * The check's one pass: every decision is computed from the staged data, then written with a
 * single UPDATE. The row is rewritten in place (import_rows leaves room on its pages and has no
 * index on what the check writes, so the update is HOT).
 */
export function decideRowsSql(input: DecideRowsInput): SQL {
  const duplicates = duplicateFirstsSql(input);
  const { outcome, reason } = outcomeAndReasonSql(input);
  const createsAccount = sql`f.early_reason is null and f.existing_id is null and f.group_id is not null and (f.has_password or ${input.mayCreatePasswordless})`;
  return sql`
    with readable as (${readableRowsSql(input)}),
    email_firsts as (${duplicates.emails}),
    google_firsts as (${duplicates.googleIds}),
    tag_sets as (${tagSetsSql(input.knownTags)}),
    resolved as (${resolvedRowsSql(input)}),
    -- OFFSET 0 keeps this a subquery of its own: the reason is worked out once per row, not
    -- again at each of the places below that read it.
    early as (select r.*, ${earlyReasonSql()} as early_reason from resolved r offset 0),
    final as (
      select e.*, case when e.early_reason is null then e.account_id end as existing_id,
        e.matched_kind as existing_kind, e.matched_system_admin as existing_system_admin, e.matched_in_scope as in_scope
      from early e),
    decided as (
      update import_rows r set
        email = f.email, group_id = f.group_id, tag_ids = coalesce(f.tag_ids, '{}'),
        account_id = case when f.early_reason is null then f.account_id end,
        new_account_id = case when ${createsAccount} then ${rowOrderedUuid(sql`f.row_number`, input.checkedAtMs)} end,
        outcome = ${outcome},
        reason = ${reason}
      from final f
      where r.batch_id = ${input.batchId} and r.row_number = f.row_number
      returning r.outcome, r.account_id)
    select c.*, (select count(*)::int from decided where account_id is not null) as matched
    from (${countOutcomesSql(sql`decided`)}) c`;
}

/** The decision's counts, and how many rows it matched to an existing account. */
export type DecidedRow = OutcomeCountsRow & { matched: number };

/** The counts of each outcome among rows (outcome column), for the batch's summary. */
function countOutcomesSql(rows: SQL): SQL {
  return sql`
    select count(*)::int as total,
      count(*) filter (where outcome = 'create')::int as c, count(*) filter (where outcome = 'update')::int as u,
      count(*) filter (where outcome = 'keep')::int as k, count(*) filter (where outcome = 'skip')::int as s
    from ${rows}`;
}

export type SkippedOutcomeRow = { outcome: 'create' | 'update' | 'keep' | 'skip' };

/**
 * Two rows that passed on their own but found the same existing account (one by Google id, one
 * by email, say): the first one decides, the others are skipped. Only matched rows are read.
 * Returns the outcome each skipped row had, so the counts the decision returned are corrected
 * without reading every row again.
 */
export function skipRowsForSameAccountSql(batchId: string): SQL {
  return sql`
    update import_rows r set outcome = 'skip', reason = ${reasonSql('sameAccountAsRow', { row: sql`d.first_row` })}
    from (
      select account_id, min(row_number) as first_row from import_rows
      where batch_id = ${batchId} and account_id is not null group by account_id having count(*) > 1) d,
      import_rows was
    where r.batch_id = ${batchId} and r.account_id = d.account_id and r.row_number <> d.first_row
      and was.batch_id = r.batch_id and was.row_number = r.row_number
    returning was.outcome`;
}

export type RelabelledRow = { relabelled: number };

/**
 * When only the choice of what to update on existing accounts changed: the rows matched to an
 * account that may be updated (outcome update, or keep for want of a choice) change between
 * update and keep; nothing else the check decided depends on that choice. Returns how many rows
 * it relabelled, which is all the counts need: they move between update and keep.
 */
export function relabelUpdateChoiceSql(batchId: string, update: string | null): SQL {
  return sql`
    with relabelled as (
      update import_rows r set
        outcome = ${update === null ? 'keep' : 'update'}::import_outcome,
        reason = ${update ?? KEEP_AS_IS_REASON}::text
      where r.batch_id = ${batchId} and r.account_id is not null
        and (r.outcome = 'update' or (r.outcome = 'keep' and r.reason = ${KEEP_AS_IS_REASON}::text))
      returning 1)
    select count(*)::int as relabelled from relabelled`;
}

/**
 * Whether a row matched to an account (the only rows the update choice relabels) carries a tag or
 * group the organisation does not have yet: one the check planned for the import to create, which
 * it kept or dropped by the choice, so the choice needs the full check. The rows' few distinct
 * tag sets and groups are compared, not each row, and the file's names are not read again.
 */
export function namesMissingSql(batchId: string, organisationId: string): SQL {
  return sql`
    with matched as (
      select distinct r.tag_ids, r.group_id from import_rows r where r.batch_id = ${batchId} and r.account_id is not null)
    select exists (
      select 1 from matched m
      where (m.group_id is not null and not exists (select 1 from groups g where g.id = m.group_id and g.organisation_id = ${organisationId}))
        or exists (
          select 1 from unnest(m.tag_ids) as t(id)
          where not exists (select 1 from tags tg where tg.id = t.id and tg.organisation_id = ${organisationId}))) as any`;
}

export type OutcomeCountsRow = { total: number; c: number; u: number; k: number; s: number };

export function outcomeCountsSql(batchId: string): SQL {
  return countOutcomesSql(sql`import_rows where batch_id = ${batchId}`);
}

/** The batch checked with these counts, and nothing applied yet. */
export function markCheckedSql(batchId: string, counts: OutcomeCountsRow): SQL {
  return sql`
    update import_batches set status = 'checked', checked_at = now(), total_rows = ${counts.total}, applied_through = 0,
      processed_rows = 0, created_count = 0, updated_count = 0, kept_count = 0, skipped_count = 0, passwords_hashed = 0,
      to_create = ${counts.c}, to_update = ${counts.u}, to_keep = ${counts.k}, to_skip = ${counts.s}
    where id = ${batchId}`;
}
