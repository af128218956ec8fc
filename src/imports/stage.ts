import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'drizzle-orm';
import { storedReasons, type RowReason } from './reasons.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords.js';
import { EMAIL_MAX_LENGTH, isValidEmail } from '../accounts/email.js';
import { NAME_MAX_LENGTH } from '../accounts/create-account.js';
import type { Ctx } from '../context.js';
import { arrayLiteral } from '../db/array-literal.js';
import { assertEditable, getImportBatch } from './batches.js';

/** One row as a source hands it over (CSV after column mapping, or a Classroom roster entry). */
export interface ImportRowInput {
  rowNumber: number;
  firstName: string;
  lastName: string;
  email: string;
  password?: string | null;
  groupName?: string | null;
  tagNames?: string[];
  googleUserId?: string | null;
}

export const GROUP_NAME_MAX_LENGTH = 100;
export const TAG_NAME_MAX_LENGTH = 100;
export const GOOGLE_USER_ID_MAX_LENGTH = 255;

/** A row with every field trimmed, and what is wrong with it on its own (null when nothing). */
export interface CleanRow {
  rowNumber: number;
  firstName: string;
  lastName: string;
  email: string;
  password: string | null;
  groupName: string | null;
  tagNames: string[];
  googleUserId: string | null;
  problem: string | null;
}

// Postgres text cannot hold NUL; other control characters are kept as typed.
const clean = (s: string | null | undefined): string => (s ? (s.includes('\0') ? s.replace(/\0/g, '') : s).trim() : '');

/** Tag names as an import reads them: trimmed, blanks dropped, once each ignoring case (spelled as first written). */
export function cleanTagNames(names: string[]): string[] {
  const byKey = new Map<string, string>();
  for (const name of names.map(clean)) if (name && !byKey.has(name.toLowerCase())) byKey.set(name.toLowerCase(), name);
  return [...byKey.values()];
}

/**
 * Tag names typed in one box, separated by commas, as the options step reads them; the problem is
 * said in words for the field.
 */
export function parseTypedTagNames(text: string): { names: string[]; problem: string | null } {
  const names = cleanTagNames(text.split(','));
  if (names.some((t) => t.length > TAG_NAME_MAX_LENGTH))
    return { names, problem: `A tag is longer than ${TAG_NAME_MAX_LENGTH} characters.` };
  if (names.length > 50) return { names, problem: 'Type at most 50 new tags.' };
  return { names, problem: null };
}

/**
 * The checks a row can fail by itself, before it meets the other rows and the accounts: missing
 * or malformed email, missing names, fields too long, a password too short. The reasons are read
 * by the person who fixes the file, so they name the field and the limit.
 */
export function cleanRow(input: ImportRowInput): CleanRow {
  const firstName = clean(input.firstName);
  const lastName = clean(input.lastName);
  const email = clean(input.email);
  const password =
    input.password == null || input.password === ''
      ? null
      : input.password.includes('\0')
        ? input.password.replace(/\0/g, '')
        : input.password;
  const groupName = clean(input.groupName) || null;
  const tagNames = input.tagNames?.length ? cleanTagNames(input.tagNames) : [];
  const googleUserId = clean(input.googleUserId) || null;
  const problems: RowReason[] = [];
  if (!email) {
    if (!googleUserId) problems.push({ code: 'emailMissing' });
  } else if (email.length > EMAIL_MAX_LENGTH) problems.push({ code: 'emailTooLong', max: EMAIL_MAX_LENGTH });
  else if (!isValidEmail(email)) problems.push({ code: 'emailInvalid', email });
  if (!firstName) problems.push({ code: 'firstNameMissing' });
  else if (firstName.length > NAME_MAX_LENGTH) problems.push({ code: 'firstNameTooLong', max: NAME_MAX_LENGTH });
  if (!lastName) problems.push({ code: 'lastNameMissing' });
  else if (lastName.length > NAME_MAX_LENGTH) problems.push({ code: 'lastNameTooLong', max: NAME_MAX_LENGTH });
  if (password !== null) {
    if (password.length < PASSWORD_MIN_LENGTH) problems.push({ code: 'passwordTooShort', min: PASSWORD_MIN_LENGTH });
    else if (password.length > PASSWORD_MAX_LENGTH) problems.push({ code: 'passwordTooLong', max: PASSWORD_MAX_LENGTH });
  }
  if (groupName && groupName.length > GROUP_NAME_MAX_LENGTH) problems.push({ code: 'groupTooLong', max: GROUP_NAME_MAX_LENGTH });
  if (tagNames.some((t) => t.length > TAG_NAME_MAX_LENGTH)) problems.push({ code: 'tagTooLong', max: TAG_NAME_MAX_LENGTH });
  if (googleUserId && googleUserId.length > GOOGLE_USER_ID_MAX_LENGTH) problems.push({ code: 'googleIdTooLong' });
  return {
    rowNumber: input.rowNumber,
    firstName: firstName.slice(0, 1000),
    lastName: lastName.slice(0, 1000),
    email: email.slice(0, 1000),
    password: password === null ? null : password.slice(0, 1000),
    groupName: groupName?.slice(0, 1000) ?? null,
    tagNames: tagNames.map((t) => t.slice(0, 1000)).slice(0, 100),
    googleUserId: googleUserId?.slice(0, 1000) ?? null,
    problem: problems.length ? storedReasons(problems) : null,
  };
}

// COPY text format: backslash, tab, newline and carriage return are escaped; \N is null.
function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function copyTextArray(values: string[]): string {
  return copyText(arrayLiteral(values));
}

function copyLine(batchId: string, row: CleanRow): string {
  return `${[
    batchId,
    String(row.rowNumber),
    copyText(row.firstName),
    copyText(row.lastName),
    copyText(row.email),
    copyText(row.password),
    copyText(row.groupName),
    copyTextArray(row.tagNames),
    copyText(row.googleUserId),
    copyText(row.problem),
  ].join('\t')}\n`;
}

/**
 * Staged rows from this many up are followed by fresh statistics of import_rows.batch_id. Without
 * them a new batch is unknown to the statistics (every batch they saw is among their most common
 * values), so its rows are estimated at one, and the check's decision re-read its whole pipeline
 * once per row: 600 rows took 11-17 s. The sample costs 10-90 ms; below this many rows even that
 * plan is quick.
 */
export const ANALYZE_STAGED_ROWS = 50;

/**
 * Adds rows to a batch being prepared, with COPY (one stream, no per-row round trip). Each row is
 * cleaned and its own problems recorded; checks against other rows and accounts come in
 * checkImportBatch. Rows come as a list, or as a stream of pages of rows (a file read a chunk at a
 * time: one await per page, not per row). Rows can be staged in several calls; a row number
 * staged twice is refused by the primary key.
 */
export async function stageImportRows(
  ctx: Ctx,
  batchId: string,
  rows: Iterable<ImportRowInput> | AsyncIterable<readonly ImportRowInput[]>,
): Promise<{ staged: number }> {
  const batch = await getImportBatch(ctx, batchId);
  assertEditable(batch);
  let staged = 0;
  const pages: AsyncIterable<Iterable<ImportRowInput>> | Iterable<Iterable<ImportRowInput>> = Symbol.asyncIterator in rows ? rows : [rows];
  async function* lines(): AsyncGenerator<string> {
    let buffer = '';
    for await (const page of pages) {
      for (const row of page) {
        buffer += copyLine(batch.id, cleanRow(row));
        staged++;
        if (buffer.length > 64 * 1024) {
          yield buffer;
          buffer = '';
        }
      }
    }
    if (buffer) yield buffer;
  }
  const writable = await ctx.sql`
    copy import_rows (batch_id, row_number, first_name, last_name, email, password, group_name, tag_names, google_user_id, problem) from stdin`.writable();
  await pipeline(Readable.from(lines()), writable);
  // Fresh statistics after a bulk load, so the set-based check gets hash joins, not nested loops.
  // Only batch_id: its counts are what the plans need; the other columns would cost more to sample than they help.
  if (staged >= ANALYZE_STAGED_ROWS) await ctx.db.execute(sql`analyze import_rows (batch_id)`);
  await ctx.db.execute(sql`
    update import_batches set status = 'draft', total_rows = (select count(*)::int from import_rows where batch_id = ${batch.id})
    where id = ${batch.id}`);
  return { staged };
}

/** Removes every staged row of a batch being prepared (the file or the mapping changed). */
export async function clearImportRows(ctx: Ctx, batchId: string): Promise<void> {
  const batch = await getImportBatch(ctx, batchId);
  assertEditable(batch);
  await ctx.db.execute(sql`delete from import_rows where batch_id = ${batch.id}`);
  await ctx.db.execute(sql`update import_batches set status = 'draft', total_rows = 0 where id = ${batch.id}`);
}
