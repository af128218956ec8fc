import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import { listOrganisationJobs } from './list.js';

/**
 * Runs a job that failed for good once more, from the start of its attempts. An import or a mass
 * assignment was marked failed on its last attempt; it is set back to queued in the same
 * transaction, so the job finds it runnable (both resume from what they had committed).
 */
export async function retryJob(ctx: Ctx, jobId: string): Promise<void> {
  if (!ctx.actor.isSystemAdmin) throw new ForbiddenError('Only system administrators can retry jobs.');
  const job = (await listOrganisationJobs(ctx, 1000)).find((j) => j.id === jobId);
  if (!job) throw new NotFoundError('That job is not in the queue any more.');
  if (job.state !== 'failed for good')
    throw new ConflictError('That job has not failed for good: it is still queued, running or retried automatically.');
  const subjectId = job.subjectId;
  await ctx.db.transaction(async (tx) => {
    if (job.kind === 'Import') {
      await tx.execute(sql`
        update import_batches set status = 'queued', error = null, finished_at = null
        where id = ${subjectId} and organisation_id = ${ctx.actor.organisationId} and status = 'failed'`);
    }
    if (job.kind === 'Mass assignment') {
      await tx.execute(sql`
        update assignment_requests set status = 'queued', error = null, finished_at = null
        where id = ${subjectId} and organisation_id = ${ctx.actor.organisationId} and status = 'failed'`);
    }
    await tx.execute(sql`select graphile_worker.reschedule_jobs(array[${jobId}]::bigint[], run_at => now(), attempts => 0)`);
  });
  ctx.logger.info({ jobId, kind: job.kind }, 'job retried by a system administrator');
}
