import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { accounts, organisations } from './core.js';

/** The catalogue: programs such as "Workplace Readiness", shared by every organisation. */
export const products = pgTable('products', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  description: text('description').notNull().default(''),
  /** Credits one new assignment of this product costs. */
  creditCost: integer('credit_cost').notNull().default(1),
  /** Editions this product exists in ('standard', 'enhanced'). */
  editions: text('editions').array().notNull().default(sql`'{standard,enhanced}'::text[]`),
  /** Subscription lengths offered, in months. */
  subscriptionMonths: integer('subscription_months').array().notNull().default(sql`'{3,6,12}'::int[]`),
  position: integer('position').notNull().default(0),
});

/** The ordered units of a product. */
export const productUnits = pgTable(
  'product_units',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('product_units_product_position_key').on(t.productId, t.position)],
);

export const assignmentMode = pgEnum('assignment_mode', ['subscription', 'manual']);

/** A named set of products with their options, applied in one step (mass assign, imports, Classroom). */
export const presetAssignments = pgTable(
  'preset_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** AssignmentItem[] (src/assignments/items.ts), parsed with valibot whenever read. */
    items: jsonb('items').$type<unknown[]>().notNull(),
    createdBy: uuid('created_by').references(() => accounts.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('preset_assignments_organisation_name_key').on(t.organisationId, sql`lower(${t.name})`)],
);

/** assign: new products only; reassign: also reset completed units; renew: also extend expired subscriptions. */
export const assignmentRequestMode = pgEnum('assignment_request_mode', ['assign', 'reassign', 'renew']);
export const assignmentRequestStatus = pgEnum('assignment_request_status', ['queued', 'running', 'finished', 'failed']);

/**
 * One mass assignment: who asked, what to give (items frozen at confirm time), to whom (account
 * ids frozen at confirm time) and how it ended. The run_assignment_request job applies it in one
 * transaction.
 */
export const assignmentRequests = pgTable(
  'assignment_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => accounts.id, { onDelete: 'set null' }),
    /** Where it came from: View Accounts, a batch import, or a Classroom sync. */
    origin: text('origin').notNull().default('accounts'),
    mode: assignmentRequestMode('mode').notNull().default('assign'),
    presetId: uuid('preset_id').references(() => presetAssignments.id, { onDelete: 'set null' }),
    presetName: text('preset_name'),
    items: jsonb('items').$type<unknown[]>().notNull(),
    accountIds: uuid('account_ids').array().notNull(),
    notifyActor: boolean('notify_actor').notNull().default(true),
    status: assignmentRequestStatus('status').notNull().default('queued'),
    assignedCount: integer('assigned_count').notNull().default(0),
    skippedCount: integer('skipped_count').notNull().default(0),
    creditsSpent: integer('credits_spent').notNull().default(0),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('assignment_requests_organisation_created_idx').on(t.organisationId, t.createdAt)],
);

/**
 * One per account and product, ever: the key itself makes a second assignment impossible.
 * `request_id` is the request that created it and never changes.
 */
export const assignments = pgTable(
  'assignments',
  {
    // No per-row foreign keys here: each would lock the referenced account row (FOR KEY SHARE)
    // for every one of 100k inserted rows. sql/0005 checks a whole statement's rows at once
    // (same organisation, existing product and request) and deletes an account's assignments
    // with it.
    accountId: uuid('account_id').notNull(),
    productId: uuid('product_id').notNull(),
    organisationId: uuid('organisation_id').notNull(),
    mode: assignmentMode('mode').notNull(),
    edition: text('edition').notNull(),
    /** Manual: the units chosen. Subscription: null (every unit of the product). */
    unitIds: uuid('unit_ids').array(),
    startsOn: date('starts_on').notNull(),
    /** Subscription end; null for manual assignments. */
    endsOn: date('ends_on'),
    /** The request that created it; never changes (results are read from it). */
    requestId: uuid('request_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.productId] })],
);

export const unitStatus = pgEnum('unit_status', ['not_started', 'in_progress', 'completed']);

/** A learner's work on one unit of an assigned product. A unit not started has no row yet. */
export const unitAssignments = pgTable(
  'unit_assignments',
  {
    accountId: uuid('account_id').notNull(),
    productId: uuid('product_id').notNull(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => productUnits.id, { onDelete: 'cascade' }),
    status: unitStatus('status').notNull().default('not_started'),
    progress: jsonb('progress').$type<Record<string, unknown>>().notNull().default({}),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** 1 for the first attempt; a re-assignment archives the attempt and starts the next. */
    attempt: integer('attempt').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.productId, t.unitId] }),
    foreignKey({ columns: [t.accountId, t.productId], foreignColumns: [assignments.accountId, assignments.productId] }).onDelete('cascade'),
  ],
);

/** Earlier attempts of re-assigned units, kept as they were. */
export const unitAttemptHistory = pgTable(
  'unit_attempt_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: uuid('account_id').notNull(),
    productId: uuid('product_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    attempt: integer('attempt').notNull(),
    status: unitStatus('status').notNull(),
    progress: jsonb('progress').$type<Record<string, unknown>>().notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    requestId: uuid('request_id').references(() => assignmentRequests.id, { onDelete: 'set null' }),
    archivedAt: timestamp('archived_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('unit_attempt_history_attempt_key').on(t.accountId, t.productId, t.unitId, t.attempt)],
);

/**
 * What a request did that the assignments table alone does not tell: re-assignments, renewals,
 * and refusals. Plain "assigned" and "already assigned" are read from `assignments.request_id`.
 */
export const assignmentOutcomes = pgTable(
  'assignment_outcomes',
  {
    requestId: uuid('request_id')
      .notNull()
      .references(() => assignmentRequests.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id').notNull(),
    productId: uuid('product_id').notNull(),
    outcome: text('outcome').notNull(),
    reason: text('reason'),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.accountId, t.productId] })],
);

/** Every change of an organisation's credits, in the same transaction as organisations.credits_balance. */
export const creditLedger = pgTable(
  'credit_ledger',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    delta: integer('delta').notNull(),
    reason: text('reason').notNull(),
    requestId: uuid('request_id').references(() => assignmentRequests.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('credit_ledger_organisation_idx').on(t.organisationId, t.createdAt),
    // A request is charged once: a second debit for it is refused by this key.
    uniqueIndex('credit_ledger_request_key').on(t.requestId).where(sql`${t.requestId} is not null`),
    check('credit_ledger_delta_not_zero', sql`${t.delta} <> 0`),
  ],
);
