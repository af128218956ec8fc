import { Hono } from 'hono';
import { updateSessionData } from '../../auth/sessions.js';
import { googleConfig, type GoogleConfig } from '../../classroom/config.js';
import { beginConsent, completeConsent, ConsentFailedError, disconnectGoogle, EmailMismatchError, type PendingConsent } from '../../classroom/connection.js';
import { ConsentProblemPage, EmailMismatchPage } from '../../../views/pages/classroom-connect.js';
import { readForm } from '../form.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

export function googleConfigOf(c: AppContext): GoogleConfig {
  return googleConfig(c.get('config').env, c.get('config').appUrl);
}

const SESSION_KEY = 'googleConsent';

async function startConsent(c: AppContext, returnTo: string | null, loginHint: string | null) {
  const { pending, url } = await beginConsent(googleConfigOf(c), { returnTo, loginHint });
  await updateSessionData(c.get('services'), c.get('session')!.id, { [SESSION_KEY]: pending });
  return c.redirect(url, 303);
}

/** Connect, Google's redirect back, and disconnect. Mounted under /classroom. */
export const classroomConnectRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .post('/connect', async (c) => {
    const form = await readForm(c);
    return startConsent(c, form.get('returnTo') || null, form.get('loginHint') || null);
  })
  // The add-on opens this in a new window (Google's sign-in cannot be framed); it only starts a consent.
  .get('/connect', (c) => startConsent(c, c.req.query('returnTo') ?? null, c.req.query('login_hint') ?? null))
  .get('/oauth/callback', async (c) => {
    const session = c.get('session')!;
    const pending = (session.data[SESSION_KEY] as PendingConsent | null | undefined) ?? null;
    // One use only: whatever happens next, this state cannot be presented again.
    if (pending) await updateSessionData(c.get('services'), session.id, { [SESSION_KEY]: null });
    const actor = c.get('actor')!;
    try {
      const { returnTo } = await completeConsent({ ...c.get('services'), actor }, googleConfigOf(c), {
        pending,
        state: c.req.query('state'),
        code: c.req.query('code'),
        error: c.req.query('error'),
      });
      return c.redirect(returnTo, 303);
    } catch (error) {
      if (error instanceof EmailMismatchError) {
        return c.render(<EmailMismatchPage csrfToken={c.get('csrfToken')} googleEmail={error.googleEmail} email={actor.email} />, {
          title: 'Your email addresses do not match',
        });
      }
      if (error instanceof ConsentFailedError) {
        c.status(400);
        return c.render(<ConsentProblemPage csrfToken={c.get('csrfToken')} message={error.message} />, { title: 'Google Classroom was not connected' });
      }
      throw error;
    }
  })
  .post('/disconnect', async (c) => {
    await disconnectGoogle({ ...c.get('services'), actor: c.get('actor')! }, googleConfigOf(c));
    return c.redirect('/classroom?done=disconnected', 303);
  });
