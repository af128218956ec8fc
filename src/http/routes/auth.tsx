import { Hono } from 'hono';
import * as v from 'valibot';
import { createSession, destroySession } from '../../auth/sessions.js';
import { signIn } from '../../auth/sign-in.js';
import { changeOwnPassword } from '../../accounts/own-account.js';
import { RateLimitedError, ValidationError, validationErrorOrThrow } from '../../errors.js';
import { ChangePasswordPage, SignInLinkPage, SignInPage } from '../../../views/pages/auth.js';
import { EXPIRED_LINK, findSignInLink, useSignInLink } from '../../auth/sign-in-links.js';
import { safeRedirectPath } from '../../safe-redirect.js';
import { clientAddress } from '../client-address.js';
import { rerenderOn } from '../form-errors.js';
import { emailText, fields, redirectTarget, secret, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireSignedIn } from '../middleware/guards.js';
import { clearSessionCookie, setSessionCookie } from '../session-cookie.js';
import type { AppEnv } from '../types.js';

const NextQuery = fields({ next: redirectTarget });
const SignInForm = fields({ email: emailText('Email'), password: secret('Password'), next: redirectTarget });
const NewPasswordForm = fields({ newPassword: secret('New password'), confirmPassword: secret('Confirm new password') });
const LinkParam = v.object({ token: text('The link', { max: 200 }) });

export const authRoutes = new Hono<AppEnv>()
  .get('/sign-in', input.query(NextQuery), (c) => {
    const { next } = c.req.valid('query');
    if (c.get('actor')) return c.redirect(safeRedirectPath(next, c.get('config').appUrl, '/'), 303);
    return c.render(<SignInPage csrfToken={c.get('csrfToken')} next={next} />, { title: 'Sign in' });
  })
  .post('/sign-in', input.form(SignInForm), async (c) => {
    const { email, password, next } = c.req.valid('form');
    return rerenderOn<ValidationError | RateLimitedError>(
      c,
      async () => {
        const result = await signIn(c.get('services'), { email, password, address: clientAddress(c) });
        const previous = c.get('session');
        if (previous) await destroySession(c.get('services'), previous.id);
        const { token } = await createSession(c.get('services'), result.accountId);
        setSessionCookie(c, token);
        return c.redirect(result.mustChangePassword ? '/change-password' : safeRedirectPath(next, c.get('config').appUrl, '/'), 303);
      },
      (error) => {
        // A trace of every failed sign-in, without the email tried.
        const reason = error instanceof RateLimitedError ? 'locked' : 'wrong_credentials';
        c.get('services').logger.info({ reason }, 'sign-in failed');
        c.get('metrics')?.signInFailure(reason);
        return c.render(<SignInPage csrfToken={c.get('csrfToken')} email={email} next={next} error={error.message} />, {
          title: 'Sign in',
        });
      },
      [ValidationError, RateLimitedError],
    );
  })
  .get('/sign-in/link/:token', input.param(LinkParam), async (c) => {
    const link = await findSignInLink(c.get('services'), c.req.valid('param').token);
    c.header('Referrer-Policy', 'no-referrer');
    if (!link) c.status(410);
    return c.render(<SignInLinkPage csrfToken={c.get('csrfToken')} action={c.req.path} email={link?.email ?? null} />, {
      title: 'Choose your password',
    });
  })
  .post('/sign-in/link/:token', input.param(LinkParam), input.form(NewPasswordForm), async (c) => {
    const { token } = c.req.valid('param');
    try {
      const { accountId } = await useSignInLink(c.get('services'), { token, ...c.req.valid('form') });
      const previous = c.get('session');
      if (previous) await destroySession(c.get('services'), previous.id);
      const { token: sessionToken } = await createSession(c.get('services'), accountId);
      setSessionCookie(c, sessionToken);
      return c.redirect('/', 303);
    } catch (thrown) {
      const error = validationErrorOrThrow(thrown);
      const link = error.message === EXPIRED_LINK ? null : await findSignInLink(c.get('services'), token);
      c.status(link ? 400 : 410);
      return c.render(
        <SignInLinkPage
          csrfToken={c.get('csrfToken')}
          action={c.req.path}
          email={link?.email ?? null}
          error={error.message}
          fields={error.fields}
        />,
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
  .post('/change-password', requireSignedIn(), input.form(NewPasswordForm), async (c) => {
    const actor = c.get('actor')!;
    if (!actor.mustChangePassword) return c.redirect('/account#change-password', 303);
    return rerenderOn(
      c,
      async () => {
        await changeOwnPassword(c.get('ctx'), { currentPassword: null, ...c.req.valid('form'), keepSessionId: c.get('session')!.id });
        return c.redirect('/', 303);
      },
      (error) =>
        c.render(<ChangePasswordPage csrfToken={c.get('csrfToken')} forced error={error.message} fields={error.fields} />, {
          title: 'Create a new password',
        }),
    );
  });
