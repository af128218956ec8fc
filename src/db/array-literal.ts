/**
 * A PostgreSQL array literal of strings or nulls, e.g. `{"a","b\"c",NULL}`, to pass as one
 * parameter and cast (`::text[]`, `::uuid[]`). Every element is quoted, so any text is safe in it.
 */
export function arrayLiteral(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}
