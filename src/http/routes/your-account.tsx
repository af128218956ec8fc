import { Hono } from 'hono';
import { changeOwnEmail, changeOwnPassword } from '../../accounts/own-account.js';
import { ConflictError, ValidationError } from '../../errors.js';
import { YourAccountPage, type YourAccountProps } from '../../../views/pages/your-account.js';
import { readForm } from '../form.js';
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

const NOTICES: Record<string, string> = {
  password: 'Your password was changed. Other devices were signed out.',
  email: 'Your email was changed.',
};

export const yourAccountRoutes = new Hono<AppEnv>()
  .use(requireSignedIn())
  .get('/', async (c) => {
    const notice = NOTICES[c.req.query('changed') ?? ''] ?? null;
    return c.render(<YourAccountPage {...await pageProps(c)} notice={notice} />, { title: 'Your Account' });
  })
  .post('/password', async (c) => {
    const form = await readForm(c);
    try {
      await changeOwnPassword(
        { ...c.get('services'), actor: c.get('actor')! },
        {
          currentPassword: form.get('currentPassword'),
          newPassword: form.get('newPassword'),
          confirmPassword: form.get('confirmPassword'),
          keepSessionId: c.get('session')!.id,
        },
      );
      return c.redirect('/account?changed=password', 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return c.render(<YourAccountPage {...await pageProps(c)} passwordError={error.message} fields={error.fields} />, { title: 'Your Account' });
    }
  })
  .post('/email', async (c) => {
    const form = await readForm(c);
    try {
      await changeOwnEmail({ ...c.get('services'), actor: c.get('actor')! }, { email: form.get('email'), currentPassword: form.get('emailCurrentPassword') });
      return c.redirect('/account?changed=email', 303);
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
      c.status(400);
      const fields = error instanceof ValidationError ? error.fields : { email: error.message };
      return c.render(
        <YourAccountPage {...await pageProps(c)} emailError={error.message} fields={fields} emailValue={form.get('email')} />,
        { title: 'Your Account' },
      );
    }
  });
