// Lower-case words that belong to the family name that follows them ("Ludwig van Beethoven").
const PARTICLES = new Set([
  'van',
  'von',
  'der',
  'den',
  'de',
  'del',
  'della',
  'di',
  'da',
  'dos',
  'du',
  'la',
  'le',
  'st.',
  'bin',
  'ibn',
  'al',
  'ter',
  'ten',
]);

/**
 * Splits a Full Name cell into first and last name. "Last, First" is honoured; otherwise the last
 * word is the last name, with any name particles before it; everything before is the first name.
 * A single word is a first name with no last name (the check then says the last name is missing).
 */
export function splitFullName(full: string): { firstName: string; lastName: string } {
  const text = full.replace(/\s+/g, ' ').trim();
  if (!text) return { firstName: '', lastName: '' };
  const comma = text.indexOf(',');
  if (comma >= 0) {
    const last = text.slice(0, comma).trim();
    const first = text
      .slice(comma + 1)
      .replace(/,/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (last && first) return { firstName: first, lastName: last };
    return { firstName: first || last, lastName: '' };
  }
  const words = text.split(' ');
  if (words.length === 1) return { firstName: words[0]!, lastName: '' };
  let start = words.length - 1;
  while (start > 1 && PARTICLES.has(words[start - 1]!.toLowerCase()) && words[start - 1] === words[start - 1]!.toLowerCase()) start--;
  return { firstName: words.slice(0, start).join(' '), lastName: words.slice(start).join(' ') };
}
