import { Hono } from 'hono';
import { handleError, handleNotFound } from './http/error-handlers.js';
import { bodySizeLimit } from './http/middleware/body-size.js';
import { csrfProtection } from './http/middleware/csrf.js';
import { requestIdFor, requestLog } from './http/middleware/request-log.js';
import { featureContext } from './http/middleware/feature-context.js';
import { securityHeaders } from './http/middleware/security-headers.js';
import { countRequestsIn } from './http/middleware/web-activity.js';
import { sessionLoader } from './http/middleware/session.js';
import { pageRenderer } from './http/render.js';
import { accountPageRoutes } from './http/routes/account-page.js';
import { bulkActionRoutes } from './http/routes/bulk-actions.js';
import { resetPasswordRoutes } from './http/routes/reset-password.js';
import { accountsRoutes } from './http/routes/accounts.js';
import { assignRoutes } from './http/routes/assign.js';
import { assignmentRequestRoutes } from './http/routes/assignment-requests.js';
import { organisationRoutes } from './http/routes/organisation.js';
import { presetRoutes } from './http/routes/presets.js';
import { authRoutes } from './http/routes/auth.js';
import { devMailboxRoutes } from './http/routes/dev-mailbox.js';
import { classroomConnectRoutes } from './http/routes/classroom-connect.js';
import { classroomRoutes } from './http/routes/classroom.js';
import { classroomAddOnRoutes } from './http/routes/classroom-add-on.js';
import { googleSandboxRoutes } from './http/routes/google-sandbox.js';
import { groupsRoutes } from './http/routes/groups.js';
import { homeRoutes } from './http/routes/home.js';
import { operationsRoutes } from './http/routes/operations.js';
import { importsRoutes } from './http/routes/imports.js';
import { jobsRoutes } from './http/routes/jobs.js';
import { staticRoutes } from './http/routes/static.js';
import { tagsRoutes } from './http/routes/tags.js';
import { yourAccountRoutes } from './http/routes/your-account.js';
import type { AppDeps, AppEnv } from './http/types.js';

/**
 * Builds the web application. No runtime in here: the Node entry (src/server.ts) and the
 * Cloudflare entry (src/cloudflare.ts) only hand it its dependencies and serve it.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  const metrics = deps.metrics ?? null;
  if (deps.webActivity) app.use(countRequestsIn(deps.webActivity));
  app.use(async (c, next) => {
    c.set('config', deps.config);
    const services = deps.services(c);
    const requestId = requestIdFor(c, deps.config.env.TRUST_PROXY > 0);
    c.set('requestId', requestId);
    c.set('metrics', metrics);
    // Features log through their context: every line of this request carries its id.
    c.set('services', { ...services, logger: services.logger.child({ requestId }) });
    await next();
  });
  app.use(requestLog(metrics));
  app.use(securityHeaders());
  app.route('/static', staticRoutes);
  // No session, no data: for load balancers and scrapers.
  app.route(
    '/',
    operationsRoutes({
      metrics,
      runner: deps.runner ?? null,
      metricsToken: deps.config.env.METRICS_PORT ? undefined : deps.config.env.METRICS_TOKEN,
    }),
  );
  app.use(sessionLoader());
  app.use(featureContext());
  app.use(bodySizeLimit());
  app.use(csrfProtection());
  app.use(pageRenderer);

  app.route('/', authRoutes);
  app.route('/', homeRoutes);
  app.route('/account', yourAccountRoutes);
  app.route('/accounts', accountsRoutes);
  app.route('/accounts', bulkActionRoutes);
  app.route('/accounts', accountPageRoutes);
  app.route('/reset-password', resetPasswordRoutes);
  app.route('/dev/mailbox', devMailboxRoutes);
  app.route('/google-sandbox', googleSandboxRoutes);
  app.route('/classroom', classroomConnectRoutes);
  app.route('/classroom', classroomRoutes);
  app.route('/classroom-add-on', classroomAddOnRoutes);

  app.route('/imports', importsRoutes);
  app.route('/assign', assignRoutes);
  app.route('/assignments/requests', assignmentRequestRoutes);
  app.route('/assignments/presets', presetRoutes);
  app.route('/organisation', organisationRoutes);
  app.route('/groups', groupsRoutes);
  app.route('/tags', tagsRoutes);
  app.route('/jobs', jobsRoutes);

  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}
