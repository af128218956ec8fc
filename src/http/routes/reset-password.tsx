import { Hono } from 'hono';
import * as v from 'valibot';
import { completePasswordReset, readPasswordReset } from '../../accounts/password-reset.js';
import { ResetPasswordDonePage, ResetPasswordPage } from '../../../views/pages/account.js';
import { rerenderOn } from '../form-errors.js';
import { fields, secret } from '../input/schemas.js';
import * as input from '../input/validate.js';
import type { AppEnv } from '../types.js';

/** A token as we make them (base64url); anything else names no link. */
const TokenParam = v.object({ token: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{20,100}$/)) });

const ResetForm = fields({ password: secret('New password'), confirmPassword: secret('The new password typed again') });

/**
 * The page a password-reset email links to. Open to anyone holding a live link; choosing the
 * password uses the link up and ends every session of the account. Mounted at /reset-password.
 */
export const resetPasswordRoutes = new Hono<AppEnv>()
  .get('/:token', input.param(TokenParam), async (c) => {
    const { token } = c.req.valid('param');
    const account = await readPasswordReset(c.get('services'), token);
    c.header('Referrer-Policy', 'no-referrer');
    return c.render(<ResetPasswordPage csrfToken={c.get('csrfToken')} token={token} {...account} />, { title: 'Choose a new password' });
  })
  .post('/:token', input.param(TokenParam), input.form(ResetForm), (c) => {
    const { token } = c.req.valid('param');
    const form = c.req.valid('form');
    return rerenderOn(
      c,
      async () => {
        await completePasswordReset(c.get('services'), { token, ...form });
        return c.render(<ResetPasswordDonePage />, { title: 'Password changed' });
      },
      async (error) => {
        const account = await readPasswordReset(c.get('services'), token);
        return c.render(
          <ResetPasswordPage csrfToken={c.get('csrfToken')} token={token} {...account} error={error.message} fields={error.fields} />,
          {
            title: 'Choose a new password',
          },
        );
      },
    );
  });
