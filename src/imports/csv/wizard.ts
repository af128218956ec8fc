import { sql } from 'drizzle-orm';
import * as v from 'valibot';
import type { Ctx } from '../../context.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { passwordProblem } from '../../auth/passwords.js';
import { createImportBatch, getImportBatch, updateImportOptions, updateImportSourceState, type ImportBatch } from '../batches.js';
import { changeUpdateChoice, checkImportBatch, type CheckSummary } from '../check.js';
import { fieldsFor, guessMapping, isField, validateMapping, type Field } from './columns.js';
import { readCsvFile } from './parse.js';
import { stageCsvFile } from './stage-csv.js';
import { csvLine } from './write.js';
import { checkPresetChoice } from '../presets.js';
import { isUuid } from '../../ids.js';
import { parseReasons, type RowReason } from '../reasons.js';

/** The CSV wizard's state on a batch: the file's facts, the mapping, and how far the wizard got. */
const CsvStateSchema = v.object({
  fileName: v.string(),
  encoding: v.string(),
  delimiter: v.picklist([',', ';', '\t']),
  headers: v.array(v.string()),
  rowCount: v.number(),
  samples: v.array(v.array(v.string())),
  mapping: v.array(v.string()),
  /** True once the rows were staged with the mapping. */
  staged: v.optional(v.boolean(), false),
  /** True once the options based on the fields were saved and the rows checked. */
  checked: v.optional(v.boolean(), false),
});

export type CsvState = v.InferOutput<typeof CsvStateSchema> & { mapping: Field[] };

export function csvState(batch: ImportBatch): CsvState {
  if (batch.source !== 'csv') throw new NotFoundError('That import does not exist.');
  const state = v.parse(CsvStateSchema, batch.sourceState);
  return { ...state, mapping: state.mapping.map((m) => (isField(m) ? m : 'skip')) };
}

export async function getCsvImport(ctx: Ctx, batchId: string): Promise<{ batch: ImportBatch; state: CsvState }> {
  const batch = await getImportBatch(ctx, batchId);
  return { batch, state: csvState(batch) };
}

/** What the upload step offers: Account Type for system administrators, Send Welcome Email when enabled. */
export async function csvUploadOptions(ctx: Ctx): Promise<{ canChooseAccountType: boolean; welcomeEmailEnabled: boolean }> {
  const [org] = await ctx.db.execute<{ welcome_email_enabled: boolean }>(
    sql`select welcome_email_enabled from organisations where id = ${ctx.actor.organisationId}`,
  );
  return { canChooseAccountType: ctx.actor.isSystemAdmin, welcomeEmailEnabled: org?.welcome_email_enabled ?? false };
}

/**
 * Upload + the first options: reads the file (refusing a bad one with nothing stored), then starts a
 * batch holding the file and a mapping guessed from its headers.
 */
export async function uploadCsv(
  ctx: Ctx,
  input: { bytes: Uint8Array; fileName: string; accountKind: string; sendWelcomeEmail: boolean; presetId: string | null },
): Promise<{ id: string }> {
  if (ctx.actor.kind !== 'administrator') throw new NotFoundError('That page does not exist.');
  const accountKind = input.accountKind === 'administrator' ? 'administrator' : 'user';
  if (accountKind === 'administrator' && !ctx.actor.isSystemAdmin) {
    throw new ValidationError('Only system administrators can import administrator accounts.', {
      accountKind: 'Only system administrators can import administrator accounts.',
    });
  }
  const offered = await csvUploadOptions(ctx);
  const presetId = await checkPresetChoice(ctx, input.presetId);
  const { info, text } = await readCsvFile(input.bytes, input.fileName.slice(0, 255) || 'accounts.csv');
  const mapping = guessMapping(info.headers, ctx.actor.isSystemAdmin);
  return createImportBatch(ctx, {
    source: 'csv',
    options: { accountKind, sendWelcomeEmail: input.sendWelcomeEmail && offered.welcomeEmailEnabled, presetId },
    sourceState: { ...info, mapping, staged: false, checked: false },
    fileText: text,
  });
}

/** Column mapping -> Continue: checks the mapping, then stages every row of the file with it. */
export async function saveCsvMapping(ctx: Ctx, batchId: string, mapping: string[]): Promise<void> {
  const { batch, state } = await getCsvImport(ctx, batchId);
  const chosen = validateMapping(mapping, state.headers.length, ctx.actor.isSystemAdmin);
  const [file] = await ctx.db.execute<{ file_text: string | null }>(sql`select file_text from import_batches where id = ${batch.id}`);
  if (!file?.file_text) throw new ValidationError('The file of this import is no longer here. Start a new import and upload it again.');
  await updateImportSourceState(ctx, batch.id, { ...state, mapping: chosen, staged: false, checked: false });
  await stageCsvFile(ctx, batch.id, { text: file.file_text, delimiter: state.delimiter }, chosen);
  await updateImportSourceState(ctx, batch.id, { ...state, mapping: chosen, staged: true, checked: false });
}

/** Which options the fields call for: only those the mapping leaves open. */
export function fieldOptionsFor(state: CsvState): { askPassword: boolean; askGroup: boolean; askTags: boolean } {
  return {
    askPassword: !state.mapping.includes('password'),
    askGroup: !state.mapping.includes('group'),
    askTags: !state.mapping.includes('tag'),
  };
}

/** Options based on the fields -> Continue: saves them, hashing a shared password once, and checks the rows. */
export async function saveCsvFieldOptions(
  ctx: Ctx,
  batchId: string,
  input: {
    password: string;
    confirmPassword: string;
    mustChangePassword: boolean;
    groupId: string;
    tagIds: string[];
    createTags?: boolean;
    createGroups?: boolean;
  },
): Promise<CheckSummary> {
  const { batch, state } = await getCsvImport(ctx, batchId);
  if (!state.staged) throw new ValidationError('Match the columns of your file first.');
  const ask = fieldOptionsFor(state);
  const fields: Record<string, string> = {};
  let sharedPassword: string | null | undefined;
  if (ask.askPassword) {
    if (!input.password && batch.hasSharedPassword) sharedPassword = undefined;
    else {
      const problem = input.password ? passwordProblem(input.password) : 'Enter a password for these accounts.';
      if (problem) fields.password = problem;
      else if (input.password !== input.confirmPassword) fields.confirmPassword = 'The two passwords are not the same.';
      sharedPassword = input.password;
    }
  } else sharedPassword = null;
  if ([input.groupId, ...input.tagIds].some((x) => x && !isUuid(x)))
    throw new ValidationError('The form was changed in a way we cannot use. Reload the page and try again.');
  if (ask.askGroup && !input.groupId) fields.groupId = 'Choose the group for these accounts.';
  if (Object.keys(fields).length) throw new ValidationError('Some options need your attention.', fields);
  await updateImportOptions(ctx, batch.id, {
    mustChangePassword: input.mustChangePassword,
    groupId: ask.askGroup ? input.groupId : null,
    tagIds: ask.askTags ? [...new Set(input.tagIds)] : [],
    // Asked only when the file has a Tag (Group) column; group administrators are never offered groups.
    createTags: ask.askTags ? batch.options.createTags : (input.createTags ?? batch.options.createTags),
    createGroups: !ask.askGroup && ctx.actor.isSystemAdmin ? (input.createGroups ?? batch.options.createGroups) : false,
    ...(sharedPassword === undefined ? {} : { sharedPassword }),
  });
  await updateImportSourceState(ctx, batch.id, { ...state, checked: true });
  return checkImportBatch(ctx, batch.id);
}

/**
 * The existing-accounts options of the check step -> Continue: saves them; the rows matched to an
 * account switch between update and keep without the whole check again.
 */
export async function saveCsvExistingOptions(
  ctx: Ctx,
  batchId: string,
  input: { password: boolean; group: boolean; tags: boolean },
): Promise<CheckSummary> {
  const { batch, state } = await getCsvImport(ctx, batchId);
  if (!state.checked) throw new ValidationError('Choose the options for your fields first.');
  const same = (['password', 'group', 'tags'] as const).every((k) => batch.options.updateExisting[k] === input[k]);
  // The rows were checked with these very options: nothing to redo (a 100k-row check is seconds).
  if (same && batch.status === 'checked') {
    return { total: batch.totalRows, toCreate: batch.toCreate, toUpdate: batch.toUpdate, toKeep: batch.toKeep, toSkip: batch.toSkip };
  }
  return changeUpdateChoice(ctx, batch.id, input);
}

export const SKIPPED_CSV_HEADER = ['Row', 'First Name', 'Last Name', 'Email', 'Group', 'Tag', 'Reason'];

/**
 * The skipped rows as CSV, to fix and import again, each reason in the words `words` gives it.
 * Written a page at a time; cells a spreadsheet would run as formulas are neutralised.
 */
export async function* skippedRowsCsv(ctx: Ctx, batchId: string, words: (reasons: RowReason[] | null) => string): AsyncGenerator<string> {
  const batch = await getImportBatch(ctx, batchId);
  yield `\uFEFF${csvLine(SKIPPED_CSV_HEADER)}`;
  let after = 0;
  for (;;) {
    const rows = await ctx.db.execute<{
      row_number: number;
      first_name: string;
      last_name: string;
      email: string;
      group_name: string | null;
      tag_names: string[];
      reason: string | null;
    }>(sql`
      select row_number, first_name, last_name, email, group_name, tag_names, reason from import_rows
      where batch_id = ${batch.id} and outcome = 'skip' and row_number > ${after} order by row_number limit 2000`);
    if (!rows.length) return;
    yield rows
      .map((r) =>
        csvLine([
          String(r.row_number),
          r.first_name,
          r.last_name,
          r.email,
          r.group_name ?? '',
          r.tag_names.join('; '),
          words(parseReasons(r.reason)),
        ]),
      )
      .join('');
    after = rows.at(-1)!.row_number;
  }
}

export { fieldsFor };
