import { Hono } from 'hono';
import * as v from 'valibot';
import { ConflictError } from '../../errors.js';
import { listOrganisationJobs } from '../../job-queue/list.js';
import { retryJob } from '../../job-queue/retry.js';
import { JobsPage } from '../../../views/pages/jobs.js';
import { flag } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireSignedIn, requireSystemAdmin } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

/** graphile-worker's job ids are bigints. */
const jobIdParam = v.object({ id: v.pipe(v.string(), v.regex(/^[0-9]{1,18}$/)) });

async function page(c: AppContext, extra: { notice?: string; error?: string } = {}) {
  const jobs = await listOrganisationJobs(c.get('ctx'));
  return c.render(<JobsPage jobs={jobs} csrfToken={c.get('csrfToken')} notice={extra.notice ?? null} error={extra.error ?? null} />, {
    title: 'Jobs',
  });
}

export const jobsRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireSystemAdmin())
  .get('/', input.query(v.object({ retried: flag })), (c) =>
    page(c, c.req.valid('query').retried ? { notice: 'The job was queued again. It runs within a minute.' } : {}),
  )
  .post('/:id{[0-9]+}/retry', input.param(jobIdParam), async (c) => {
    try {
      await retryJob(c.get('ctx'), c.req.valid('param').id);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      c.status(409);
      return page(c, { error: error.message });
    }
    return c.redirect('/jobs?retried=1', 303);
  });
