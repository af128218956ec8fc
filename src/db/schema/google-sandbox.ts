import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The built-in Google sandbox (served when GOOGLE_CLIENT_ID is unset): demo Google accounts,
 * Classroom courses and rosters, and the OAuth codes and tokens it hands out. Not tenant data:
 * it stands in for Google, like a payment provider's test mode.
 */
export const googleSandboxUsers = pgTable('google_sandbox_users', {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  givenName: text('given_name').notNull(),
  familyName: text('family_name').notNull(),
  /** Classroom does not share this student's email with the teacher. */
  emailHidden: boolean('email_hidden').notNull().default(false),
  /** Offered on the sandbox consent screen. */
  signInChoice: boolean('sign_in_choice').notNull().default(false),
  note: text('note'),
});

export const googleSandboxCourses = pgTable(
  'google_sandbox_courses',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    section: text('section'),
    ownerId: text('owner_id').notNull(),
    /** ACTIVE | ARCHIVED | PROVISIONED | DECLINED */
    courseState: text('course_state').notNull().default('ACTIVE'),
    position: integer('position').notNull().default(0),
  },
  (t) => [index('google_sandbox_courses_owner_idx').on(t.ownerId, t.position)],
);

export const googleSandboxEnrolments = pgTable(
  'google_sandbox_enrolments',
  {
    courseId: text('course_id')
      .notNull()
      .references(() => googleSandboxCourses.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => googleSandboxUsers.id, { onDelete: 'cascade' }),
    /** TEACHER | STUDENT */
    role: text('role').notNull(),
    position: integer('position').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.role, t.userId] }), index('google_sandbox_enrolments_user_idx').on(t.userId)],
);

/** Authorization codes and tokens, by SHA-256 of their value. */
export const googleSandboxGrants = pgTable(
  'google_sandbox_grants',
  {
    hash: text('hash').primaryKey(),
    /** code | access | refresh */
    kind: text('kind').notNull(),
    userId: text('user_id').notNull(),
    clientId: text('client_id').notNull(),
    scopes: text('scopes').array().notNull(),
    redirectUri: text('redirect_uri'),
    codeChallenge: text('code_challenge'),
    nonce: text('nonce'),
    /** The code a token came from, so a replayed code revokes what it produced. */
    fromCode: text('from_code'),
    usedAt: timestamp('used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('google_sandbox_grants_from_code_idx').on(t.fromCode)],
);

/** One row: the ID-token signing key and the fault the API is told to answer with. */
export const googleSandboxSettings = pgTable('google_sandbox_settings', {
  id: integer('id').primaryKey().default(1),
  signingKey: jsonb('signing_key').$type<JsonWebKey>(),
  publicKeyPem: text('public_key_pem'),
  keyId: text('key_id'),
  faultStatus: integer('fault_status'),
  faultUntil: timestamp('fault_until', { withTimezone: true }),
  /** A disabled-API answer (403 with reason ClassroomApiDisabled) instead of a transient fault. */
  apiDisabled: boolean('api_disabled').notNull().default(false),
  seededAt: timestamp('seeded_at', { withTimezone: true }).default(sql`now()`),
});
