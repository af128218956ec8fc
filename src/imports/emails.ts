import type { OutgoingEmail } from '../mail/outbox.js';

/** The email the administrator gets when an import has finished: the counts and where to see each row. */
export function finishedEmail(input: {
  organisationId: string;
  to: string;
  firstName: string;
  resultUrl: string;
  source: 'csv' | 'classroom';
  created: number;
  updated: number;
  kept: number;
  skipped: number;
}): OutgoingEmail {
  const from = input.source === 'csv' ? 'your CSV file' : 'Google Classroom';
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const text = [
    `Hello ${input.firstName},`,
    '',
    `Your batch import from ${from} has finished.`,
    '',
    `Created: ${plural(input.created, 'account', 'accounts')}`,
    `Updated: ${plural(input.updated, 'account', 'accounts')}`,
    `Left as they were: ${plural(input.kept, 'account', 'accounts')}`,
    `Skipped: ${plural(input.skipped, 'row', 'rows')}`,
    '',
    `See every row and the reason for each skipped one: ${input.resultUrl}`,
  ].join('\n');
  return {
    organisationId: input.organisationId,
    to: input.to,
    subject: `Batch import finished: ${plural(input.created, 'account', 'accounts')} created`,
    text,
  };
}
