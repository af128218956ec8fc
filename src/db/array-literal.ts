/**
 * A PostgreSQL array literal of strings, numbers or nulls, e.g. `{"a","b\"c",NULL,3}`, to pass as
 * one parameter and cast (`::text[]`, `::uuid[]`, `::int[]`). Every string is quoted, so any text
 * is safe in it. The one way the code builds an array parameter.
 */
export function arrayLiteral(values: readonly (string | number | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}
