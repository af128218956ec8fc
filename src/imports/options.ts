import * as v from 'valibot';

const uuid = v.pipe(v.string(), v.uuid());

/**
 * The choices made for a batch, whatever its source. Stored as JSON on the batch and parsed with
 * this schema whenever read, so a batch written by an older version still reads with defaults.
 */
export const ImportOptionsSchema = v.object({
  /** Account Type: only system administrators may import administrators. */
  accountKind: v.optional(v.picklist(['user', 'administrator']), 'user'),
  /** Send Welcome Email (only honoured when the organisation has welcome emails enabled). */
  sendWelcomeEmail: v.optional(v.boolean(), false),
  /** Preset Assignment applied to the imported accounts through the assignment engine. */
  presetId: v.optional(v.nullable(uuid), null),
  /** Force the accounts to choose a new password at their first sign-in. */
  mustChangePassword: v.optional(v.boolean(), false),
  /** The group for every row when the rows carry no group name. */
  groupId: v.optional(v.nullable(uuid), null),
  /** Existing tags added to every account when the rows carry no tag names. */
  tagIds: v.optional(v.array(uuid), []),
  /**
   * Tag names typed on the options step, for every row that names no tags, like tagIds: each one
   * that does not exist yet is created by the import (whatever createTags says: typing it asks for it).
   * Cleaned by cleanTagNames (trimmed, once each ignoring case, at most TAG_NAME_MAX_LENGTH).
   */
  newTagNames: v.optional(v.pipe(v.array(v.string()), v.maxLength(50)), []),
  /** "Create tags that do not exist yet": a tag the rows name that does not exist is created by the import. */
  createTags: v.optional(v.boolean(), true),
  /** "Create groups that do not exist yet" (system administrators only): otherwise such rows are skipped. */
  createGroups: v.optional(v.boolean(), false),
  /** What to change on accounts that already exist; nothing is changed unless chosen. */
  updateExisting: v.optional(
    v.object({
      password: v.optional(v.boolean(), false),
      group: v.optional(v.boolean(), false),
      tags: v.optional(v.boolean(), false),
    }),
    {},
  ),
  /**
   * Rows may create accounts with no password at all (they sign in with Google). When false, a
   * row needs its own password or the batch's shared one.
   */
  allowNoPassword: v.optional(v.boolean(), false),
  /**
   * When set, a row with a Google user id but no email (Classroom may hide it) gets the address
   * `<google user id>@<this domain>` instead of being skipped.
   */
  placeholderEmailDomain: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i))), null),
});

export type ImportOptions = v.InferOutput<typeof ImportOptionsSchema>;
export type ImportOptionsInput = v.InferInput<typeof ImportOptionsSchema>;

export function parseImportOptions(raw: unknown): ImportOptions {
  return v.parse(ImportOptionsSchema, raw ?? {});
}
