import { jsxRenderer, useRequestContext } from 'hono/jsx-renderer';
import { Layout } from '../../views/layout.js';
import { TimeZoneContext } from '../../views/format.js';
import type { AppContext } from './types.js';

declare module 'hono' {
  interface ContextRenderer {
    (content: string | Promise<string>, props: { title: string; sandboxBanner?: boolean }): Response | Promise<Response>;
  }
}

/** Full pages go through the one layout; htmx fragments use c.html() directly. */
export const pageRenderer = jsxRenderer(
  ({ children, title, sandboxBanner }) => {
    // jsxRenderer components run inside the request; reading the context here keeps views pure.
    const c = useRequestContext() as AppContext;
    const actor = c.get('actor');
    return (
      <Layout
        title={title}
        path={c.req.path}
        csrfToken={c.get('csrfToken')}
        devMailbox={c.get('config').devMailbox && !!actor && actor.kind === 'administrator'}
        sandboxBanner={sandboxBanner ?? false}
        user={
          actor && !actor.mustChangePassword
            ? { name: `${actor.firstName} ${actor.lastName}`, email: actor.email, kind: actor.kind, isSystemAdmin: actor.isSystemAdmin }
            : null
        }
      >
        <TimeZoneContext.Provider value={actor?.timeZone ?? 'UTC'}>{children}</TimeZoneContext.Provider>
      </Layout>
    );
  },
  { docType: true },
);
