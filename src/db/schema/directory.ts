import { integer, index, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts, organisations } from './core.js';

export const bulkActionStatus = pgEnum('bulk_action_status', ['queued', 'running', 'finished', 'failed']);

/** One bulk action on a View Accounts selection; account ids frozen at Confirm (sql/0110). */
export const bulkActions = pgTable(
  'bulk_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => accounts.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    tagId: uuid('tag_id'),
    groupId: uuid('group_id'),
    /** The tag's or group's name at Confirm, for the result page. */
    targetName: text('target_name'),
    accountIds: uuid('account_ids').array().notNull(),
    status: bulkActionStatus('status').notNull().default('queued'),
    changedCount: integer('changed_count').notNull().default(0),
    skippedCount: integer('skipped_count').notNull().default(0),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('bulk_actions_organisation_created_idx').on(t.organisationId, t.createdAt)],
);

/**
 * The accounts each bulk action changed, for their pages' history (sql/0240). No per-row foreign
 * keys: statement-level triggers remove the rows of deleted accounts and bulk actions.
 */
export const bulkActionAccounts = pgTable(
  'bulk_action_accounts',
  {
    accountId: uuid('account_id').notNull(),
    bulkActionId: uuid('bulk_action_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.bulkActionId] })],
);
