import * as v from 'valibot';
import { UUID_PATTERN } from '../../ids.js';
import { clampPage, MAX_PAGE } from '../../pagination.js';

/**
 * The shapes every route's query, form and path values are read through (with the validators in
 * ./validate.ts). They only make values safe to hand to a feature: a string, not too long, with no
 * control characters, ids that are ids, a page that is a page. What a value means (an email that is
 * taken, a name that is too long for an account) stays the feature's to say, with its own words.
 */

/** Far above every limit a feature checks with its own message, far below anything that hurts. */
export const TEXT_MAX = 1000;

/** NUL, the other C0 controls and DEL. A single-line field allows none of them. */
const CONTROL = /[\u0000-\u001F\u007F]/;
/** A multi-line field may hold tab, line feed and carriage return. */
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function controlMessage(label: string): string {
  return `${label} contains a control character (such as NUL or a line break), which cannot be used there. Remove it and try again.`;
}

function lengthMessage(label: string, max: number): string {
  return `${label} can be at most ${max} characters. Shorten it and try again.`;
}

/** A value sent once or not at all; a repeated name keeps its first value, as browsers' own forms never repeat one. */
const single = v.pipe(
  v.optional(v.union([v.string(), v.array(v.unknown())]), ''),
  v.transform((value) => (Array.isArray(value) ? value[0] : value)),
  v.string(),
);

/** Trimmed single-line text. `label` names the field in the message a person reads. */
export function text(label: string, options: { max?: number; multiline?: boolean } = {}) {
  const max = options.max ?? TEXT_MAX;
  return v.pipe(
    single,
    v.check((s) => !(options.multiline ? CONTROL_BUT_LINES : CONTROL).test(s), controlMessage(label)),
    v.trim(),
    v.maxLength(max, lengthMessage(label, max)),
  );
}

/** A password as typed: never trimmed, no control characters. */
export function secret(label: string, max = TEXT_MAX) {
  return v.pipe(
    single,
    v.check((s) => !CONTROL.test(s), controlMessage(label)),
    v.maxLength(max, lengthMessage(label, max)),
  );
}

/**
 * A `next`, `returnTo` or return path: any text up to 2000 characters, not refused here, since
 * src/safe-redirect.ts decides (a hostile value falls back to our own page rather than a 400).
 */
export const redirectTarget = v.pipe(single, v.maxLength(2000, 'The page to go back to is too long.'));

/** An email field: text whose meaning the domain's one email rule judges (src/accounts/email.ts). */
export function emailText(label = 'The email') {
  return text(label, { max: 320 });
}

/** An id: a UUID, or empty when nothing is chosen. */
export function optionalId(label: string) {
  return v.pipe(
    single,
    v.trim(),
    v.check((s) => s === '' || UUID_PATTERN.test(s), `${label} is not one of the choices offered. Reload the page and choose again.`),
  );
}

/** A required UUID (path parameters); anything else names nothing of ours. */
export const id = v.pipe(v.string(), v.regex(UUID_PATTERN, 'That does not exist.'));

/** Checked boxes and multi-selects: every value sent under the name (or `name[]`), each checked by `item`. */
export function list<T extends v.GenericSchema<unknown, unknown>>(item: T, max = 10_000) {
  return v.pipe(
    v.optional(v.union([v.string(), v.array(v.unknown())]), []),
    v.transform((value) => (Array.isArray(value) ? value : [value])),
    v.array(item),
    v.maxLength(max, `Choose at most ${max} at once.`),
  );
}

/** A list of ids from checkboxes; each must be a UUID. */
export function idList(label: string, max?: number) {
  return list(
    v.pipe(v.string(), v.regex(UUID_PATTERN, `${label} is not one of the choices offered. Reload the page and choose again.`)),
    max,
  );
}

/** A checkbox or a hidden flag: on when sent as "1". */
export const flag = v.pipe(
  single,
  v.transform((s) => s === '1'),
);

/** One of a fixed set of words; anything else (or nothing) is `fallback`. */
export function choice<const T extends readonly string[]>(options: T, fallback: T[number]) {
  return v.pipe(
    single,
    v.transform((s): T[number] => ((options as readonly string[]).includes(s) ? (s as T[number]) : fallback)),
  );
}

/**
 * `?page=`: a positive whole number. Anything else (missing, "abc", "-3", "1e400", twenty digits)
 * is clamped rather than refused: non-numbers are page 1, huge numbers the largest page, and the
 * feature's paginate() turns a page past the end into the last page.
 */
export const page = v.pipe(
  single,
  v.transform((s) => {
    const trimmed = s.trim();
    if (!/^\d+$/.test(trimmed)) return 1;
    return trimmed.length > String(MAX_PAGE).length ? MAX_PAGE : clampPage(Number(trimmed));
  }),
);

/** A query or form with these fields; any other field (the CSRF token, htmx's own) is dropped unread. */
export function fields<T extends v.ObjectEntries>(entries: T) {
  return v.object(entries);
}

/** The `:id` path parameter. */
export const idParam = v.object({ id });
