import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { presetAssignments } from './assignments.js';
import { accounts, groups, organisations } from './core.js';

/**
 * An administrator's consent to read their Google Classroom. One per account. The refresh token
 * is AES-256-GCM ciphertext (src/classroom/token-crypto.ts); the key never reaches the database.
 */
export const googleConnections = pgTable(
  'google_connections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    googleUserId: text('google_user_id').notNull(),
    googleEmail: text('google_email').notNull(),
    refreshTokenEncrypted: text('refresh_token_encrypted').notNull(),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    /** active | needs_reconnecting (Google answered invalid_grant: the consent was withdrawn or expired). */
    status: text('status').notNull().default('active'),
    statusMessage: text('status_message'),
    connectedAt: timestamp('connected_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('google_connections_account_key').on(t.accountId),
    uniqueIndex('google_connections_organisation_google_user_key').on(t.organisationId, t.googleUserId),
    check('google_connections_status_check', sql`${t.status} in ('active', 'needs_reconnecting')`),
  ],
);

/**
 * A Classroom course imported into a group: who linked it, where its students go, and how its
 * roster re-sync is doing. One link per course per organisation.
 */
export const classroomCourseLinks = pgTable(
  'classroom_course_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    /** The administrator whose Google connection reads the roster. */
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    googleCourseId: text('google_course_id').notNull(),
    courseName: text('course_name').notNull(),
    section: text('section'),
    groupId: uuid('group_id').references(() => groups.id, { onDelete: 'set null' }),
    tagIds: uuid('tag_ids').array().notNull().default(sql`'{}'::uuid[]`),
    /** "Also add these tags to accounts that already exist": the tags go to matched accounts too, at import and at sync. */
    tagExisting: boolean('tag_existing').notNull().default(true),
    /**
     * The link's default password (the backup for students who cannot use Google sign-in),
     * AES-256-GCM encrypted like refresh tokens: each newcomers' import hashes it once per batch.
     */
    defaultPasswordEncrypted: text('default_password_encrypted'),
    /** Preset assignment given to students who join later (through the assignment engine). */
    presetId: uuid('preset_id').references(() => presetAssignments.id, { onDelete: 'set null' }),
    /** The import that created the link's first accounts; its first sync waits for it. */
    importBatchId: uuid('import_batch_id'),
    /** ok | held (removal guard) | failed | needs_reconnecting | waiting_for_import */
    syncState: text('sync_state').notNull().default('ok'),
    syncMessage: text('sync_message'),
    /** What a held sync would do, shown on the link page for approval. */
    heldPlan: jsonb('held_plan').$type<HeldPlan | null>(),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('classroom_course_links_course_key').on(t.organisationId, t.googleCourseId),
    index('classroom_course_links_owner_idx').on(t.ownerId),
    check(
      'classroom_course_links_sync_state_check',
      sql`${t.syncState} in ('ok', 'held', 'failed', 'needs_reconnecting', 'waiting_for_import')`,
    ),
  ],
);

export interface HeldPlan {
  removeGoogleUserIds: string[];
  removeNames: string[];
  rosterSize: number;
  heldAt: string;
}

/** Who is on a linked course's roster, as last seen; `removed` students are kept so a return restores them. */
export const classroomLinkMembers = pgTable(
  'classroom_link_members',
  {
    linkId: uuid('link_id')
      .notNull()
      .references(() => classroomCourseLinks.id, { onDelete: 'cascade' }),
    googleUserId: text('google_user_id').notNull(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    removed: boolean('removed').notNull().default(false),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.linkId, t.googleUserId] }), index('classroom_link_members_account_idx').on(t.accountId)],
);

/** The per-link history: when each sync ran and what it changed. */
export const classroomSyncRuns = pgTable(
  'classroom_sync_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    linkId: uuid('link_id')
      .notNull()
      .references(() => classroomCourseLinks.id, { onDelete: 'cascade' }),
    /** schedule | manual | import | approval */
    trigger: text('trigger').notNull(),
    /** applied | unchanged | held | failed */
    outcome: text('outcome').notNull(),
    added: integer('added').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    removed: integer('removed').notNull().default(0),
    restored: integer('restored').notNull().default(0),
    /** Unchanged runs in a row are folded into one history line. */
    runs: integer('runs').notNull().default(1),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    message: text('message'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('classroom_sync_runs_link_idx').on(t.linkId, t.finishedAt)],
);

/** Single-use tokens the add-on's sign-in popup hands to the framed page (under a minute), stored as SHA-256. */
export const classroomAddOnHandoffs = pgTable(
  'classroom_add_on_handoffs',
  {
    tokenHash: text('token_hash').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('classroom_add_on_handoffs_expires_at_idx').on(t.expiresAt)],
);
