import { Hono } from 'hono';
import type { Ctx } from '../../context.js';
import { ConflictError } from '../../errors.js';
import { listOrganisationJobs } from '../../job-queue/list.js';
import { retryJob } from '../../job-queue/retry.js';
import { JobsPage } from '../../../views/pages/jobs.js';
import { requireSignedIn, requireSystemAdmin } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

async function page(c: AppContext, extra: { notice?: string; error?: string } = {}) {
  const jobs = await listOrganisationJobs(ctxOf(c));
  return c.render(<JobsPage jobs={jobs} csrfToken={c.get('csrfToken')} notice={extra.notice ?? null} error={extra.error ?? null} />, { title: 'Jobs' });
}

export const jobsRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireSystemAdmin())
  .get('/', (c) => page(c, c.req.query('retried') ? { notice: 'The job was queued again. It runs within a minute.' } : {}))
  .post('/:id{[0-9]+}/retry', async (c) => {
    try {
      await retryJob(ctxOf(c), c.req.param('id'));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      c.status(409);
      return page(c, { error: error.message });
    }
    return c.redirect('/jobs?retried=1', 303);
  });
