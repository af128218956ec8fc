import { Hono } from 'hono';
import { getAssignmentRequest, listAssignmentRequests, listRequestOutcomes, requestOutcomesCsv } from '../../assignments/request.js';
import type { Ctx } from '../../context.js';
import { AssignmentRequestPage, AssignmentRequestsPage, RequestProgress } from '../../../views/pages/assignment-requests.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

export const assignmentRequestRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/', async (c) => c.render(<AssignmentRequestsPage requests={await listAssignmentRequests(ctxOf(c))} />, { title: 'Assignments' }))
  .get('/:id', async (c) => {
    const ctx = ctxOf(c);
    const request = await getAssignmentRequest(ctx, c.req.param('id'));
    const page = Number.parseInt(c.req.query('page') ?? '1', 10) || 1;
    const outcomes = await listRequestOutcomes(ctx, request.id, { page });
    return c.render(<AssignmentRequestPage request={request} {...outcomes} />, { title: 'Assignment' });
  })
  .get('/:id/progress', async (c) => {
    const request = await getAssignmentRequest(ctxOf(c), c.req.param('id'));
    // When the work has ended, the whole page is reloaded to show every account's outcome.
    if (request.status === 'finished' || request.status === 'failed') c.header('HX-Refresh', 'true');
    return c.html(<RequestProgress request={request} />);
  })
  .get('/:id/outcomes.csv', async (c) => {
    const ctx = ctxOf(c);
    const request = await getAssignmentRequest(ctx, c.req.param('id'));
    const csv = await requestOutcomesCsv(ctx, request.id);
    return c.body(csv, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="assignment-${request.id.slice(0, 8)}.csv"`,
    });
  });
