import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts, organisations } from './core.js';

export const importSource = pgEnum('import_source', ['csv', 'classroom']);

/**
 * draft: the wizard is still being filled in (rows may be staged and re-staged);
 * checked: rows staged and checked, waiting for Import Accounts; queued/running: the run_import
 * job owns it; finished: every row applied; failed: stopped with `error` (nothing half-shown as done).
 */
export const importStatus = pgEnum('import_status', ['draft', 'checked', 'queued', 'running', 'finished', 'failed']);

/** What the check decided for a row: create a new account, update or keep an existing one, or skip the row. */
export const importOutcome = pgEnum('import_outcome', ['pending', 'create', 'update', 'keep', 'skip']);

/** One batch import (CSV file or Google Classroom classes), its options, status and counts. */
export const importBatches = pgTable(
  'import_batches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => accounts.id, { onDelete: 'set null' }),
    source: importSource('source').notNull(),
    status: importStatus('status').notNull().default('draft'),
    /** ImportOptions (src/imports/options.ts); parsed with valibot whenever read. */
    options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
    /** The one password for all accounts of the batch, hashed once (argon2id). */
    sharedPasswordHash: text('shared_password_hash'),
    /** Source-specific wizard state (CSV: file name, headers, mapping). */
    /**
     * Tags and groups the rows name that do not exist yet, with the ids the check chose for them
     * ([{ id, name }]). The run creates them once (src/imports/new-names.ts).
     */
    newTags: jsonb('new_tags').$type<{ id: string; name: string }[]>().notNull().default([]),
    newGroups: jsonb('new_groups').$type<{ id: string; name: string }[]>().notNull().default([]),
    sourceState: jsonb('source_state').$type<Record<string, unknown>>().notNull().default({}),
    /** The uploaded file, decoded; kept only until the batch finishes. */
    fileText: text('file_text'),
    totalRows: integer('total_rows').notNull().default(0),
    toCreate: integer('to_create').notNull().default(0),
    toUpdate: integer('to_update').notNull().default(0),
    toKeep: integer('to_keep').notNull().default(0),
    toSkip: integer('to_skip').notNull().default(0),
    /** Passwords of the file still to hash, and hashed so far (progress of the first phase). */
    passwordsToHash: integer('passwords_to_hash').notNull().default(0),
    passwordsHashed: integer('passwords_hashed').notNull().default(0),
    processedRows: integer('processed_rows').notNull().default(0),
    /** Rows are applied in row order, a chunk per transaction: every row up to this number is applied. */
    appliedThrough: integer('applied_through').notNull().default(0),
    createdCount: integer('created_count').notNull().default(0),
    updatedCount: integer('updated_count').notNull().default(0),
    keptCount: integer('kept_count').notNull().default(0),
    skippedCount: integer('skipped_count').notNull().default(0),
    assignmentRequestId: uuid('assignment_request_id'),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    checkedAt: timestamp('checked_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('import_batches_organisation_created_idx').on(t.organisationId, t.createdAt),
    // The account page's "made by this import" lookup, once per assignment (sql/0222).
    index('import_batches_assignment_request_idx').on(t.assignmentRequestId).where(sql`${t.assignmentRequestId} is not null`),
  ],
);

/** The rows of a batch, staged as read, with what the check decided and what the run did. */
export const importRows = pgTable(
  'import_rows',
  {
    // No per-row foreign key: staging 100k rows would run 100k lookups. sql/0013 checks each
    // statement's batches at once and deletes a batch's rows with it.
    batchId: uuid('batch_id').notNull(),
    /** The row's line in the file (the header is row 1), or its position in a Classroom roster. */
    rowNumber: integer('row_number').notNull(),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name').notNull().default(''),
    email: text('email').notNull().default(''),
    /** A password from the file, until the job hashes it; then null. */
    password: text('password'),
    passwordHash: text('password_hash'),
    groupName: text('group_name'),
    tagNames: text('tag_names').array().notNull().default(sql`'{}'::text[]`),
    googleUserId: text('google_user_id'),
    /** A problem found while reading the row (bad email, missing name, ...): the row is skipped. */
    problem: text('problem'),
    groupId: uuid('group_id'),
    tagIds: uuid('tag_ids').array().notNull().default(sql`'{}'::uuid[]`),
    outcome: importOutcome('outcome').notNull().default('pending'),
    reason: text('reason'),
    /** The existing account the row matched, or the account it created. */
    accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'set null' }),
    /** The id a new account gets, chosen by the check, so the run inserts it without writing the row again. */
    newAccountId: uuid('new_account_id'),
  },
  // The primary key serves every statement of the import (a batch's rows, by row number). The one
  // other index holds only the rows that matched an existing account: without it, deleting any
  // account (its foreign key sets account_id to null here) would read every import row ever kept.
  (t) => [
    primaryKey({ columns: [t.batchId, t.rowNumber] }),
    index('import_rows_account_idx').on(t.accountId).where(sql`${t.accountId} is not null`),
  ],
);
