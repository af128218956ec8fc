import { Hono } from 'hono';
import { getAssignmentRequest, listAssignmentRequests, listRequestOutcomes, requestOutcomesCsv } from '../../assignments/results.js';
import { AssignmentRequestPage, AssignmentRequestsPage, RequestProgress } from '../../../views/pages/assignment-requests.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import { fields, idParam, page } from '../input/schemas.js';
import * as input from '../input/validate.js';
import type { AppEnv } from '../types.js';

const PageQuery = fields({ page });

export const assignmentRequestRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/', async (c) =>
    c.render(<AssignmentRequestsPage requests={await listAssignmentRequests(c.get('ctx'))} />, { title: 'Assignments' }),
  )
  .get('/:id', input.param(idParam), input.query(PageQuery), async (c) => {
    const ctx = c.get('ctx');
    const request = await getAssignmentRequest(ctx, c.req.valid('param').id);
    const outcomes = await listRequestOutcomes(ctx, request.id, { page: c.req.valid('query').page });
    return c.render(<AssignmentRequestPage request={request} {...outcomes} />, { title: 'Assignment' });
  })
  .get('/:id/progress', input.param(idParam), async (c) => {
    const request = await getAssignmentRequest(c.get('ctx'), c.req.valid('param').id);
    // When the work has ended, the whole page is reloaded to show every account's outcome.
    if (request.status === 'finished' || request.status === 'failed') c.header('HX-Refresh', 'true');
    return c.html(<RequestProgress request={request} />);
  })
  .get('/:id/outcomes.csv', input.param(idParam), async (c) => {
    const ctx = c.get('ctx');
    const request = await getAssignmentRequest(ctx, c.req.valid('param').id);
    const csv = await requestOutcomesCsv(ctx, request.id);
    return c.body(csv, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="assignment-${request.id.slice(0, 8)}.csv"`,
    });
  });
