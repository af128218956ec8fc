import { Hono } from 'hono';
import { changeOwnEmail, changeOwnPassword } from '../../accounts/own-account.js';
import { ConflictError, ValidationError } from '../../errors.js';
import { YourAccountPage, type YourAccountProps } from '../../../views/pages/your-account.js';
import { fieldsOf, rerenderOn } from '../form-errors.js';
import { emailText, fields, secret, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

async function pageProps(c: AppContext): Promise<YourAccountProps> {
  const actor = c.get('actor')!;
  const services = c.get('services');
  const [row] = await services.sql<{ group_name: string | null }[]>`
    select g.name as group_name from accounts a left join groups g on g.id = a.group_id
    where a.id = ${actor.id} and a.organisation_id = ${actor.organisationId}`;
  return {
    csrfToken: c.get('csrfToken'),
    name: `${actor.firstName} ${actor.lastName}`,
    email: actor.email,
    kind: actor.kind,
    isSystemAdmin: actor.isSystemAdmin,
    groupName: row?.group_name ?? null,
  };
}

const ChangedQuery = fields({ changed: text('changed') });
const PasswordForm = fields({
  currentPassword: secret('Current password'),
  newPassword: secret('New password'),
  confirmPassword: secret('Confirm new password'),
});
const EmailForm = fields({ email: emailText('New email'), emailCurrentPassword: secret('Current password') });

const NOTICES: Record<string, string> = {
  password: 'Your password was changed. Other devices were signed out.',
  email: 'Your email was changed.',
};

export const yourAccountRoutes = new Hono<AppEnv>()
  .use(requireSignedIn())
  .get('/', input.query(ChangedQuery), async (c) => {
    const notice = NOTICES[c.req.valid('query').changed] ?? null;
    return c.render(<YourAccountPage {...(await pageProps(c))} notice={notice} />, { title: 'Your Account' });
  })
  .post('/password', input.form(PasswordForm), (c) =>
    rerenderOn(
      c,
      async () => {
        await changeOwnPassword(c.get('ctx'), { ...c.req.valid('form'), keepSessionId: c.get('session')!.id });
        return c.redirect('/account?changed=password', 303);
      },
      async (error) =>
        c.render(<YourAccountPage {...(await pageProps(c))} passwordError={error.message} fields={error.fields} />, {
          title: 'Your Account',
        }),
    ),
  )
  .post('/email', input.form(EmailForm), (c) => {
    const form = c.req.valid('form');
    return rerenderOn<ValidationError | ConflictError>(
      c,
      async () => {
        await changeOwnEmail(c.get('ctx'), { email: form.email, currentPassword: form.emailCurrentPassword });
        return c.redirect('/account?changed=email', 303);
      },
      async (error) =>
        c.render(
          <YourAccountPage
            {...(await pageProps(c))}
            emailError={error.message}
            fields={fieldsOf(error, 'email')}
            emailValue={form.email}
          />,
          {
            title: 'Your Account',
          },
        ),
      [ValidationError, ConflictError],
    );
  });
