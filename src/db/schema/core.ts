import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  inet,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** The tenants. Every other row belongs to exactly one organisation. */
export const organisations = pgTable(
  'organisations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** Kept in step with credit_ledger in the same transaction; the check makes overspending impossible. */
    creditsBalance: integer('credits_balance').notNull().default(0),
    /** "We can enable a setting so your organization can reassign completed units or programs." */
    mayReassignCompleted: boolean('may_reassign_completed').notNull().default(false),
    welcomeEmailEnabled: boolean('welcome_email_enabled').notNull().default(false),
    /** Editions of the catalogue this organisation may assign (one or both). */
    editions: text('editions').array().notNull().default(sql`'{standard}'::text[]`),
    /** IANA time zone every time on the organisation's pages is shown in. */
    timeZone: text('time_zone').notNull().default('UTC'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('organisations_credits_balance_not_negative', sql`${t.creditsBalance} >= 0`)],
);

export const groups = pgTable(
  'groups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('groups_organisation_name_key').on(t.organisationId, sql`lower(${t.name})`)],
);

export const tags = pgTable(
  'tags',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('tags_organisation_name_key').on(t.organisationId, sql`lower(${t.name})`)],
);

export const accountKind = pgEnum('account_kind', ['user', 'administrator']);
export const accountSource = pgEnum('account_source', ['manual', 'seed', 'csv', 'classroom']);

export const accounts = pgTable(
  'accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // organisation_id and group_id carry no per-row foreign keys: a 100k-row import would run
    // 200k single-row lookups. sql/0012 checks each statement's rows at once (the organisation
    // exists, the group exists in the same organisation, both locked FOR KEY SHARE as a foreign
    // key would) and follows deletes: an organisation takes its accounts, a group leaves them
    // without a group.
    organisationId: uuid('organisation_id').notNull(),
    kind: accountKind('kind').notNull().default('user'),
    isSystemAdmin: boolean('is_system_admin').notNull().default(false),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    email: text('email').notNull(),
    /** argon2id; null means the account cannot sign in with a password (e.g. Google-only). */
    passwordHash: text('password_hash'),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    groupId: uuid('group_id'),
    googleUserId: text('google_user_id'),
    source: accountSource('source').notNull().default('manual'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }),
    /** Set while the account is deactivated: it cannot sign in and mass assign skips it. */
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true }),
    /** The import that created the account, for its page's history; no index, no foreign key (sql/0241). */
    importBatchId: uuid('import_batch_id'),
  },
  (t) => [
    uniqueIndex('accounts_organisation_email_key').on(t.organisationId, sql`lower(${t.email})`),
    uniqueIndex('accounts_organisation_google_user_key').on(t.organisationId, t.googleUserId).where(sql`${t.googleUserId} is not null`),
    // Narrow enough for index-only counts of a whole organisation and merge joins with account_tags.
    index('accounts_organisation_id_idx').on(t.organisationId, t.id),
    index('accounts_list_order_idx').on(t.organisationId, t.lastName, t.firstName, t.id),
    index('accounts_group_list_order_idx').on(t.organisationId, t.groupId, t.lastName, t.firstName, t.id),
    index('accounts_deactivated_list_order_idx')
      .on(t.organisationId, t.lastName, t.firstName, t.id)
      .where(sql`${t.deactivatedAt} is not null`),
    // The organisation beside the trigrams (btree_gin), so a search costs what its school's data costs (sql/0160).
    index('accounts_search_trgm_idx').using(
      'gin',
      t.organisationId,
      sql`(lower(${t.firstName} || ' ' || ${t.lastName} || ' ' || ${t.email})) gin_trgm_ops`,
    ),
    check('accounts_system_admin_is_administrator', sql`not ${t.isSystemAdmin} or ${t.kind} = 'administrator'`),
    check('accounts_name_lengths', sql`length(${t.firstName}) <= 100 and length(${t.lastName}) <= 100`),
    check('accounts_email_length', sql`length(${t.email}) <= 254`),
  ],
);

/** Accounts per organisation and group, kept by triggers on accounts, a row per writing backend (sql/0161). */
export const accountCounts = pgTable(
  'account_counts',
  {
    organisationId: uuid('organisation_id').notNull(),
    groupId: uuid('group_id'),
    shard: integer('shard').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [unique('account_counts_key').on(t.organisationId, t.groupId, t.shard).nullsNotDistinct()],
);

/**
 * The tags on each account. Its references to accounts and tags are checked a statement at a time
 * (sql/0221), not by foreign keys: adding a tag to 100k accounts makes one check, not 200k; deleting
 * an account or a tag removes its rows as ON DELETE CASCADE did.
 */
export const accountTags = pgTable(
  'account_tags',
  {
    accountId: uuid('account_id').notNull(),
    tagId: uuid('tag_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.tagId] }), index('account_tags_tag_idx').on(t.tagId, t.accountId)],
);

/** The groups an administrator manages. System administrators manage every group implicitly. */
export const administratorGroups = pgTable(
  'administrator_groups',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    groupId: uuid('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.groupId] }), index('administrator_groups_group_idx').on(t.groupId)],
);

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie value; the raw token never touches the database. */
    id: text('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    /** Short-lived per-session state (e.g. OAuth state + PKCE verifier). */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_account_idx').on(t.accountId), index('sessions_expires_idx').on(t.expiresAt)],
);

/** Sign-in throttle counters: per (email, address), per address and per email (src/auth/sign-in-throttle.ts). */
export const signInThrottle = pgTable(
  'sign_in_throttle',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull().default(0),
    lastFailureAt: timestamp('last_failure_at', { withTimezone: true }),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    knownUntil: timestamp('known_until', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sign_in_throttle_expires_idx').on(t.expiresAt)],
);

/**
 * A set of accounts chosen on View Accounts. Either explicit ids (checked on a page) or, once
 * "select all across pages" is used, the filter itself: never a list of 100k ids.
 */
export const accountSelections = pgTable(
  'account_selections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /** { q, tagId, groupId } as typed on View Accounts when allMatching is set. */
    filter: jsonb('filter').$type<{ q?: string; tagId?: string; groupId?: string }>().notNull().default({}),
    allMatching: boolean('all_matching').notNull().default(false),
    accountIds: uuid('account_ids').array().notNull().default(sql`'{}'::uuid[]`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('account_selections_creator_idx').on(t.createdBy)],
);

/** held: no email provider is configured, so the message stays here and shows in the development mailbox. */
export const outboxStatus = pgEnum('outbox_status', ['pending', 'sent', 'held', 'failed']);

/** Every email is a row first; the send_email job delivers it (or, without a provider, it stays here). */
export const outboxEmails = pgTable(
  'outbox_emails',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'cascade' }),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body'),
    status: outboxStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    providerMessageId: text('provider_message_id'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [index('outbox_emails_created_idx').on(t.createdAt), index('outbox_emails_organisation_idx').on(t.organisationId)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'cascade' }),
    actorId: uuid('actor_id').references(() => accounts.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    ipAddress: inet('ip_address'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('audit_log_organisation_at_idx').on(t.organisationId, t.at),
    index('audit_log_subject_idx').on(t.subjectId, t.at).where(sql`${t.subjectType} = 'account'`),
  ],
);

/**
 * One-time links (sql/0220): the operator's sign-in link (`npm run org -- create`) and the
 * password-reset email, told apart by purpose ('sign_in' | 'password_reset', a CHECK in SQL).
 * Only a SHA-256 of the token is kept; a link works once, before it expires (src/auth/one-time-links.ts).
 */
export const oneTimeLinks = pgTable(
  'one_time_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    purpose: text('purpose').notNull(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => accounts.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('one_time_links_account_idx').on(t.accountId, t.purpose)],
);
