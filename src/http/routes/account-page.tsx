import { Hono } from 'hono';
import {
  changeAccountStatus,
  deletionSummary,
  editAccount,
  setAccountPassword,
  signOutEverywhere,
} from '../../accounts/account-changes.js';
import { getAccountPage } from '../../accounts/account-page.js';
import { listGroups, listTags } from '../../accounts/list.js';
import { sendPasswordReset } from '../../accounts/password-reset.js';
import { AccountPage, DeleteAccountPage, type AccountPageProps } from '../../../views/pages/account.js';
import { rerenderOn } from '../form-errors.js';
import { emailText, fields, flag, idList, idParam, optionalId, secret, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

const PageQuery = fields({ done: text('The result') });

const EditForm = fields({
  firstName: text('First name'),
  lastName: text('Last name'),
  email: emailText('Email'),
  groupId: optionalId('The group'),
  tagIds: idList('A tag'),
});

const PasswordForm = fields({
  password: secret('New password'),
  confirmPassword: secret('The new password typed again'),
  mustChangePassword: flag,
});

const NOTICES: Record<string, string> = {
  saved: 'The changes were saved.',
  password: 'The password was set and the account was signed out everywhere.',
  'reset-sent': 'A password-reset email is on its way. Its link works once, for one hour.',
  'signed-out': 'The account was signed out everywhere.',
  deactivated: 'The account was deactivated and signed out everywhere. It cannot sign in until it is reactivated.',
  reactivated: 'The account was reactivated. It can sign in again.',
};

/** The account's page; after a refused form, with the error and what was typed. */
async function accountPage(c: AppContext, id: string, extra: Partial<AccountPageProps> = {}) {
  const ctx = c.get('ctx');
  const [page, groups, tags] = await Promise.all([getAccountPage(ctx, id), listGroups(ctx), listTags(ctx)]);
  return c.render(<AccountPage csrfToken={c.get('csrfToken')} {...page} groups={groups} tags={tags} {...extra} />, {
    title: `${page.account.firstName} ${page.account.lastName}`,
  });
}

/** Runs a change and goes back to the page with its notice; a refusal shows the page again with the message (400). */
function change(c: AppContext, id: string, run: () => Promise<unknown>, done: string, onError: Partial<AccountPageProps> = {}) {
  return rerenderOn(
    c,
    async () => {
      await run();
      return c.redirect(`/accounts/${id}?done=${done}`, 303);
    },
    (error) => accountPage(c, id, { error: error.message, fields: error.fields, ...onError }),
  );
}

/** An account's page and its actions (edit, password, sign out, deactivate, delete). Mounted under /accounts. */
export const accountPageRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/:id{[0-9a-fA-F-]{36}}', input.param(idParam), input.query(PageQuery), (c) =>
    accountPage(c, c.req.valid('param').id, { notice: NOTICES[c.req.valid('query').done] ?? null }),
  )
  .post('/:id{[0-9a-fA-F-]{36}}/edit', input.param(idParam), input.form(EditForm), (c) => {
    const { id } = c.req.valid('param');
    const values = c.req.valid('form');
    return change(c, id, () => editAccount(c.get('ctx'), id, values), 'saved', { values });
  })
  .post('/:id{[0-9a-fA-F-]{36}}/password', input.param(idParam), input.form(PasswordForm), (c) => {
    const { id } = c.req.valid('param');
    const form = c.req.valid('form');
    return change(c, id, () => setAccountPassword(c.get('ctx'), id, { ...form, keepSessionId: c.get('session')?.id ?? null }), 'password');
  })
  .post('/:id{[0-9a-fA-F-]{36}}/password-reset', input.param(idParam), (c) => {
    const { id } = c.req.valid('param');
    return change(c, id, () => sendPasswordReset(c.get('ctx'), id), 'reset-sent');
  })
  .post('/:id{[0-9a-fA-F-]{36}}/sign-out', input.param(idParam), (c) => {
    const { id } = c.req.valid('param');
    return change(c, id, () => signOutEverywhere(c.get('ctx'), id, c.get('session')?.id ?? null), 'signed-out');
  })
  .post('/:id{[0-9a-fA-F-]{36}}/deactivate', input.param(idParam), (c) => {
    const { id } = c.req.valid('param');
    return change(c, id, () => changeAccountStatus(c.get('ctx'), id, 'deactivate'), 'deactivated');
  })
  .post('/:id{[0-9a-fA-F-]{36}}/reactivate', input.param(idParam), (c) => {
    const { id } = c.req.valid('param');
    return change(c, id, () => changeAccountStatus(c.get('ctx'), id, 'reactivate'), 'reactivated');
  })
  .get('/:id{[0-9a-fA-F-]{36}}/delete', input.param(idParam), async (c) => {
    const summary = await deletionSummary(c.get('ctx'), c.req.valid('param').id);
    return c.render(<DeleteAccountPage csrfToken={c.get('csrfToken')} {...summary} />, { title: 'Delete account' });
  })
  .post('/:id{[0-9a-fA-F-]{36}}/delete', input.param(idParam), (c) => {
    const { id } = c.req.valid('param');
    return rerenderOn(
      c,
      async () => {
        await changeAccountStatus(c.get('ctx'), id, 'delete');
        return c.redirect('/accounts?done=deleted', 303);
      },
      (error) => accountPage(c, id, { error: error.message }),
    );
  });
