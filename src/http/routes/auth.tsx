import { Hono } from 'hono';
import { createSession, destroySession } from '../../auth/sessions.js';
import { signIn } from '../../auth/sign-in.js';
import { changeOwnPassword } from '../../accounts/own-account.js';
import { RateLimitedError, ValidationError } from '../../errors.js';
import { ChangePasswordPage, SignInLinkPage, SignInPage } from '../../../views/pages/auth.js';
import { EXPIRED_LINK, findSignInLink, useSignInLink } from '../../auth/sign-in-links.js';
import { clientAddress, readForm } from '../form.js';
import { requireSignedIn } from '../middleware/guards.js';
import { clearSessionCookie, safeNext, setSessionCookie } from '../session-cookie.js';
import type { AppEnv } from '../types.js';

export const authRoutes = new Hono<AppEnv>()
  .get('/sign-in', (c) => {
    if (c.get('actor')) return c.redirect(safeNext(c.req.query('next'), '/'), 303);
    return c.render(<SignInPage csrfToken={c.get('csrfToken')} next={c.req.query('next') ?? ''} />, { title: 'Sign in' });
  })
  .post('/sign-in', async (c) => {
    const form = await readForm(c);
    const email = form.get('email');
    const next = form.get('next');
    try {
      const result = await signIn(c.get('services'), { email, password: form.get('password'), address: clientAddress(c) });
      const previous = c.get('session');
      if (previous) await destroySession(c.get('services'), previous.id);
      const { token } = await createSession(c.get('services'), result.accountId);
      setSessionCookie(c, token);
      return c.redirect(result.mustChangePassword ? '/change-password' : safeNext(next, '/'), 303);
    } catch (error) {
      if (error instanceof ValidationError || error instanceof RateLimitedError) {
        // A trace of every failed sign-in, without the email tried.
        const reason = error instanceof RateLimitedError ? 'locked' : 'wrong_credentials';
        c.get('services').logger.info({ reason }, 'sign-in failed');
        c.get('metrics')?.signInFailure(reason);
        c.status(error instanceof RateLimitedError ? 429 : 400);
        if (error instanceof RateLimitedError) c.header('Retry-After', String(error.retryAfterSeconds));
        return c.render(<SignInPage csrfToken={c.get('csrfToken')} email={email} next={next} error={error.message} />, { title: 'Sign in' });
      }
      throw error;
    }
  })
  .get('/sign-in/link/:token', async (c) => {
    const link = await findSignInLink(c.get('services'), c.req.param('token'));
    c.header('Referrer-Policy', 'no-referrer');
    if (!link) c.status(410);
    return c.render(<SignInLinkPage csrfToken={c.get('csrfToken')} action={c.req.path} email={link?.email ?? null} />, { title: 'Choose your password' });
  })
  .post('/sign-in/link/:token', async (c) => {
    const token = c.req.param('token');
    const form = await readForm(c);
    try {
      const { accountId } = await useSignInLink(c.get('services'), { token, newPassword: form.get('newPassword'), confirmPassword: form.get('confirmPassword') });
      const previous = c.get('session');
      if (previous) await destroySession(c.get('services'), previous.id);
      const { token: sessionToken } = await createSession(c.get('services'), accountId);
      setSessionCookie(c, sessionToken);
      return c.redirect('/', 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const link = error.message === EXPIRED_LINK ? null : await findSignInLink(c.get('services'), token);
      c.status(link ? 400 : 410);
      return c.render(
        <SignInLinkPage csrfToken={c.get('csrfToken')} action={c.req.path} email={link?.email ?? null} error={error.message} fields={error.fields} />,
        { title: 'Choose your password' },
      );
    }
  })
  .post('/sign-out', async (c) => {
    const session = c.get('session');
    if (session) await destroySession(c.get('services'), session.id);
    clearSessionCookie(c);
    return c.redirect('/sign-in', 303);
  })
  .get('/change-password', requireSignedIn(), (c) => {
    const actor = c.get('actor')!;
    if (!actor.mustChangePassword) return c.redirect('/account#change-password', 303);
    return c.render(<ChangePasswordPage csrfToken={c.get('csrfToken')} forced />, { title: 'Create a new password' });
  })
  .post('/change-password', requireSignedIn(), async (c) => {
    const actor = c.get('actor')!;
    if (!actor.mustChangePassword) return c.redirect('/account#change-password', 303);
    const form = await readForm(c);
    try {
      await changeOwnPassword(
        { ...c.get('services'), actor },
        { currentPassword: null, newPassword: form.get('newPassword'), confirmPassword: form.get('confirmPassword'), keepSessionId: c.get('session')!.id },
      );
      return c.redirect('/', 303);
    } catch (error) {
      if (error instanceof ValidationError) {
        c.status(400);
        return c.render(<ChangePasswordPage csrfToken={c.get('csrfToken')} forced error={error.message} fields={error.fields} />, {
          title: 'Create a new password',
        });
      }
      throw error;
    }
  });
