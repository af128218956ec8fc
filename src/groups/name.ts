import * as v from 'valibot';
import { ValidationError } from '../errors.js';

/** Group and tag names: the same limit the CSV import applies to its Group and Tag columns. */
export const DIRECTORY_NAME_MAX_LENGTH = 100;

function nameSchema(noun: 'group' | 'tag') {
  return v.pipe(
    v.string(),
    // Trimmed only, as the CSV import does with its Group and Tag cells, so both find the same names.
    v.transform((s) => s.replace(/\0/g, '').trim()),
    v.minLength(1, `Enter a name for the ${noun}.`),
    v.maxLength(DIRECTORY_NAME_MAX_LENGTH, `A ${noun} name can be at most ${DIRECTORY_NAME_MAX_LENGTH} characters.`),
  );
}

/**
 * A group or tag name as it is stored: trimmed, at most 100 characters.
 * Names are compared ignoring case by the unique indexes on lower(name).
 */
export function readName(raw: unknown, noun: 'group' | 'tag', field = 'name'): string {
  const result = v.safeParse(nameSchema(noun), raw ?? '');
  if (result.success) return result.output;
  const message = result.issues[0]?.message ?? `Enter a name for the ${noun}.`;
  throw new ValidationError(`The ${noun} was not saved.`, { [field]: message });
}
