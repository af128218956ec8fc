import { sql, type SQL } from 'drizzle-orm';
import { UUID_PATTERN } from '../ids.js';

/** One job of the organisation's, as the Jobs page shows it. */
export type OrganisationJobRow = {
  id: string;
  task: 'run_import' | 'run_assignment_request' | 'sync_classroom_link' | 'send_email';
  /** The row the job works on (import batch, assignment request, course link, outbox email). */
  subject_id: string;
  /** Import source, course name or email subject: what the job is about. */
  label: string | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  /** The subject row's own message to people, where it has one (a failed import's reason). */
  subject_error: string | null;
  locked: boolean;
  run_at: Date;
  created_at: Date;
};

/** A payload id as uuid, or null when an old or foreign payload holds something else. */
const payloadUuid = (key: string) =>
  sql.raw(`case when j.payload->>'${key}' ~* '${UUID_PATTERN.source}' then (j.payload->>'${key}')::uuid end`);

/**
 * The organisation's jobs still in graphile-worker's queue (a job that succeeded is deleted from
 * it). Jobs carry only ids in their payloads, so each kind is joined to our own row, which says
 * whose it is: another organisation's jobs never match.
 */
export function organisationJobsSql(organisationId: string, limit: number): SQL {
  return sql`
    with q as (
      select j.id, t.identifier as task, j.payload, j.attempts, j.max_attempts, j.last_error, j.locked_at is not null as locked, j.run_at, j.created_at
      from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier in ('run_import', 'run_assignment_request', 'sync_classroom_link', 'send_email')
    ),
    jobs as (
      select j.*, ${payloadUuid('batchId')} as batch_id, ${payloadUuid('requestId')} as request_id,
        ${payloadUuid('linkId')} as link_id, ${payloadUuid('id')} as email_id
      from q j
    )
    select j.id::text, j.task, b.id::text as subject_id, b.source::text as label, j.attempts, j.max_attempts, j.last_error,
      b.error as subject_error, j.locked, j.run_at, j.created_at
    from jobs j join import_batches b on b.id = j.batch_id
    where j.task = 'run_import' and b.organisation_id = ${organisationId}
    union all
    select j.id::text, j.task, r.id::text, r.mode::text, j.attempts, j.max_attempts, j.last_error, r.error, j.locked, j.run_at, j.created_at
    from jobs j join assignment_requests r on r.id = j.request_id
    where j.task = 'run_assignment_request' and r.organisation_id = ${organisationId}
    union all
    select j.id::text, j.task, l.id::text, l.course_name, j.attempts, j.max_attempts, j.last_error, null, j.locked, j.run_at, j.created_at
    from jobs j join classroom_course_links l on l.id = j.link_id
    where j.task = 'sync_classroom_link' and l.organisation_id = ${organisationId}
    union all
    select j.id::text, j.task, e.id::text, e.subject, j.attempts, j.max_attempts, j.last_error, null, j.locked, j.run_at, j.created_at
    from jobs j join outbox_emails e on e.id = j.email_id
    where j.task = 'send_email' and e.organisation_id = ${organisationId}
    order by created_at desc
    limit ${limit}`;
}
