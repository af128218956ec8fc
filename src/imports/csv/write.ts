/**
 * The one CSV writer of our downloads. A cell that a spreadsheet would run as a formula (text
 * starting with = + - @, a tab or a carriage return, whatever follows) gets a leading apostrophe,
 * so opening the download runs nothing (OWASP's CSV injection advice); numbers are written as they
 * are. Not papaparse's unparse (escapeFormulae does the same): it was slower on a 100,000-row
 * download (figures in the commit that kept this writer), and its default pattern misses a formula
 * followed by a line break.
 */
export function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One line, ending in CRLF. */
export function csvLine(values: readonly (string | number)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
