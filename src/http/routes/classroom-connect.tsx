import { Hono } from 'hono';
import { safeRedirectPath } from '../../safe-redirect.js';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createSession, destroySession, updateSessionData } from '../../auth/sessions.js';
import { googleConfig, OAUTH_CALLBACK_PATH, type GoogleConfig } from '../../classroom/config.js';
import {
  beginConsent,
  completeConsent,
  ConsentFailedError,
  disconnectGoogle,
  EmailMismatchError,
  type PendingConsent,
} from '../../classroom/connection.js';
import { beginGoogleSignIn, completeGoogleSignIn, NoConnectedAccountError } from '../../classroom/google-sign-in.js';
import { ConsentProblemPage, EmailMismatchPage, GoogleSignInProblemPage } from '../../../views/pages/classroom-connect.js';
import { observedGoogleFetch } from '../../observability/google-calls.js';
import { fields, redirectTarget, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import { setSessionCookie } from '../session-cookie.js';
import type { AppContext, AppEnv } from '../types.js';

/** Google's endpoints for this request; every call to them is logged and counted (observedGoogleFetch). */
export function googleConfigOf(c: AppContext): GoogleConfig {
  const fetch = observedGoogleFetch((input, init) => globalThis.fetch(input, init), c.get('services').logger, c.get('metrics'));
  return googleConfig(c.get('config').env, c.get('config').appUrl, { fetch });
}

/** What Google sends back to the redirect URI (anything else it adds is not read). */
const CallbackQuery = fields({
  state: text('state', { max: 2000 }),
  code: text('code', { max: 2000 }),
  error: text('error', { max: 2000 }),
});
type Callback = { state: string; code: string; error: string };
const ConnectForm = fields({ returnTo: redirectTarget, loginHint: text('The Google account', { max: 320 }) });
const ConnectQuery = fields({ returnTo: redirectTarget, login_hint: text('The Google account', { max: 320 }) });

const SESSION_KEY = 'googleConsent';
/** Before sign-in there is no session: the pending Google sign-in waits in this cookie. */
const SIGN_IN_COOKIE = 'rb_google_sign_in';

export async function startConsent(c: AppContext, returnTo: string, loginHint: string) {
  const { pending, url } = await beginConsent(googleConfigOf(c), { returnTo: returnTo || null, loginHint: loginHint || null });
  await updateSessionData(c.get('services'), c.get('session')!.id, { [SESSION_KEY]: pending });
  return c.redirect(url, 303);
}

/** Starts "Sign in with Google" (the add-on's button); a teacher already signed in goes straight back. */
export async function startGoogleSignIn(c: AppContext, returnTo: string, loginHint: string | null) {
  if (c.get('actor')) return c.redirect(safeRedirectPath(returnTo, c.get('config').appUrl, '/classroom'), 303);
  const { pending, url } = await beginGoogleSignIn(googleConfigOf(c), { returnTo, loginHint });
  setCookie(c, SIGN_IN_COOKIE, btoa(JSON.stringify(pending)), {
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.get('config').secureCookies,
    path: OAUTH_CALLBACK_PATH,
    maxAge: 600,
  });
  return c.redirect(url, 303);
}

function pendingSignIn(c: AppContext): PendingConsent | null {
  const raw = getCookie(c, SIGN_IN_COOKIE);
  if (!raw || raw.length > 2000) return null;
  try {
    return JSON.parse(atob(raw)) as PendingConsent;
  } catch {
    return null;
  }
}

async function finishGoogleSignIn(c: AppContext, pending: PendingConsent, callback: Callback) {
  deleteCookie(c, SIGN_IN_COOKIE, { path: OAUTH_CALLBACK_PATH, secure: c.get('config').secureCookies });
  try {
    const { accountId, returnTo } = await completeGoogleSignIn(c.get('services'), googleConfigOf(c), { pending, ...callback });
    const previous = c.get('session');
    if (previous) await destroySession(c.get('services'), previous.id);
    const { token } = await createSession(c.get('services'), accountId);
    setSessionCookie(c, token);
    return c.redirect(safeRedirectPath(returnTo, c.get('config').appUrl, '/classroom'), 303);
  } catch (error) {
    if (error instanceof ConsentFailedError || error instanceof NoConnectedAccountError) {
      c.status(error instanceof ConsentFailedError ? 400 : 200);
      return c.render(<GoogleSignInProblemPage message={error.message} />, { title: 'Sign in with Google' });
    }
    throw error;
  }
}

/** Connect, Google's redirect back (for connecting and for signing in), and disconnect. Mounted under /classroom. */
export const classroomConnectRoutes = new Hono<AppEnv>()
  .post('/connect', requireSignedIn(), requireAdministrator(), input.form(ConnectForm), (c) => {
    const form = c.req.valid('form');
    return startConsent(c, form.returnTo, form.loginHint);
  })
  // The add-on opens this in a new tab (Google's sign-in cannot be framed); it only starts a consent.
  .get('/connect', requireSignedIn(), requireAdministrator(), input.query(ConnectQuery), (c) =>
    startConsent(c, c.req.valid('query').returnTo, c.req.valid('query').login_hint),
  )
  .get('/oauth/callback', input.query(CallbackQuery), async (c) => {
    const callback = c.req.valid('query');
    const signIn = pendingSignIn(c);
    if (signIn && signIn.state === callback.state) return finishGoogleSignIn(c, signIn, callback);
    const session = c.get('session');
    const actor = c.get('actor');
    if (!session || !actor) return c.redirect('/sign-in', 303);
    if (actor.kind !== 'administrator') return c.notFound();
    if (actor.mustChangePassword) return c.redirect('/change-password', 303);
    const pending = (session.data[SESSION_KEY] as PendingConsent | null | undefined) ?? null;
    // One use only: whatever happens next, this state cannot be presented again.
    if (pending) await updateSessionData(c.get('services'), session.id, { [SESSION_KEY]: null });
    try {
      const { returnTo } = await completeConsent({ ...c.get('services'), actor }, googleConfigOf(c), {
        pending,
        ...callback,
      });
      return c.redirect(safeRedirectPath(returnTo, c.get('config').appUrl, '/classroom/import'), 303);
    } catch (error) {
      if (error instanceof EmailMismatchError) {
        return c.render(<EmailMismatchPage csrfToken={c.get('csrfToken')} googleEmail={error.googleEmail} email={actor.email} />, {
          title: 'Your email addresses do not match',
        });
      }
      if (error instanceof ConsentFailedError) {
        c.status(400);
        return c.render(<ConsentProblemPage csrfToken={c.get('csrfToken')} message={error.message} />, {
          title: 'Google Classroom was not connected',
        });
      }
      throw error;
    }
  })
  .post('/disconnect', requireSignedIn(), requireAdministrator(), async (c) => {
    await disconnectGoogle(c.get('ctx'), googleConfigOf(c));
    return c.redirect('/classroom?done=disconnected', 303);
  });
