import type { Ctx } from '../context.js';
import { ForbiddenError } from '../errors.js';
import { organisationJobsSql, type OrganisationJobRow } from './list-sql.js';

export type JobState = 'queued' | 'running' | 'retrying' | 'failed for good';

export interface OrganisationJob {
  id: string;
  kind: 'Import' | 'Mass assignment' | 'Classroom sync' | 'Email';
  /** The row the job works on (import batch, assignment request, course link, outbox email). */
  subjectId: string;
  /** What the job is about, and where its own page is (when it has one). */
  label: string;
  href: string | null;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  /** The last error as a sentence for people, null when none. */
  lastError: string | null;
  runAt: Date;
  createdAt: Date;
}

const KINDS = {
  run_import: 'Import',
  run_assignment_request: 'Mass assignment',
  sync_classroom_link: 'Classroom sync',
  send_email: 'Email',
} as const;

export function jobState(row: Pick<OrganisationJobRow, 'attempts' | 'max_attempts' | 'locked' | 'last_error'>): JobState {
  if (row.attempts >= row.max_attempts) return 'failed for good';
  if (row.locked) return 'running';
  if (row.attempts > 0 && row.last_error) return 'retrying';
  return 'queued';
}

/**
 * The queue's error text is an exception message: one of ours (written for people) or a
 * library's or the database's, which may quote a query. Only the first line is kept, and
 * database text is replaced by a sentence.
 */
export function errorInWords(lastError: string | null, subjectError: string | null): string | null {
  if (subjectError) return subjectError;
  if (!lastError) return null;
  const first = lastError.split('\n')[0]!.trim();
  if (/failed query|violates|syntax error|relation "|column "|duplicate key|deadlock|connect|ECONN|timeout/i.test(first)) {
    return 'The database could not finish the work (it may have been busy or unreachable). It is tried again automatically.';
  }
  return first.length > 240 ? `${first.slice(0, 237)}…` : first;
}

function hrefOf(row: OrganisationJobRow): string | null {
  if (row.task === 'run_import') return `/imports/${row.subject_id}`;
  if (row.task === 'run_assignment_request') return `/assignments/requests/${row.subject_id}`;
  return null;
}

function labelOf(row: OrganisationJobRow): string {
  if (row.task === 'run_import') return row.label === 'classroom' ? 'Import from Google Classroom' : 'Import from CSV';
  if (row.task === 'run_assignment_request')
    return row.label === 'renew' ? 'Renewal' : row.label === 'reassign' ? 'Re-assignment' : 'Assignment';
  if (row.task === 'sync_classroom_link') return row.label ?? 'A linked course';
  return row.label ?? 'An email';
}

/** The organisation's imports, mass assignments, syncs and emails still queued, running, retrying or failed for good. */
export async function listOrganisationJobs(ctx: Ctx, limit = 200): Promise<OrganisationJob[]> {
  if (!ctx.actor.isSystemAdmin) throw new ForbiddenError('Only system administrators can see the jobs.');
  const rows = await ctx.db.execute<OrganisationJobRow>(organisationJobsSql(ctx.actor.organisationId, limit));
  return rows.map((row) => ({
    id: row.id,
    kind: KINDS[row.task],
    subjectId: row.subject_id,
    label: labelOf(row),
    href: hrefOf(row),
    state: jobState(row),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: errorInWords(row.last_error, row.subject_error),
    runAt: new Date(row.run_at),
    createdAt: new Date(row.created_at),
  }));
}
