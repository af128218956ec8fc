import { Hono } from 'hono';
import { completePasswordReset, readPasswordReset } from '../../accounts/password-reset.js';
import { ValidationError } from '../../errors.js';
import { ResetPasswordDonePage, ResetPasswordPage } from '../../../views/pages/account.js';
import { readForm } from '../form.js';
import type { AppEnv } from '../types.js';

/**
 * The page a password-reset email links to. Open to anyone holding a live link; choosing the
 * password uses the link up and ends every session of the account. Mounted at /reset-password.
 */
export const resetPasswordRoutes = new Hono<AppEnv>()
  .get('/:token', async (c) => {
    const token = c.req.param('token');
    const account = await readPasswordReset(c.get('services'), token);
    c.header('Referrer-Policy', 'no-referrer');
    return c.render(<ResetPasswordPage csrfToken={c.get('csrfToken')} token={token} {...account} />, { title: 'Choose a new password' });
  })
  .post('/:token', async (c) => {
    const token = c.req.param('token');
    const form = await readForm(c);
    try {
      await completePasswordReset(c.get('services'), { token, password: form.get('password'), confirmPassword: form.get('confirmPassword') });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const account = await readPasswordReset(c.get('services'), token);
      c.status(400);
      return c.render(<ResetPasswordPage csrfToken={c.get('csrfToken')} token={token} {...account} error={error.message} fields={error.fields} />, {
        title: 'Choose a new password',
      });
    }
    return c.render(<ResetPasswordDonePage />, { title: 'Password changed' });
  });
