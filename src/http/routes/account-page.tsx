import { Hono } from 'hono';
import { changeAccountStatus, deletionSummary, editAccount, setAccountPassword, signOutEverywhere } from '../../accounts/account-changes.js';
import { getAccountPage } from '../../accounts/account-page.js';
import { listGroups, listTags } from '../../accounts/list.js';
import { sendPasswordReset } from '../../accounts/password-reset.js';
import type { Ctx } from '../../context.js';
import { ValidationError } from '../../errors.js';
import { AccountPage, DeleteAccountPage, type AccountPageProps } from '../../../views/pages/account.js';
import { readForm } from '../form.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

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
  const ctx = ctxOf(c);
  const [page, groups, tags] = await Promise.all([getAccountPage(ctx, id), listGroups(ctx), listTags(ctx)]);
  const notice = NOTICES[c.req.query('done') ?? ''] ?? null;
  return c.render(<AccountPage csrfToken={c.get('csrfToken')} {...page} groups={groups} tags={tags} notice={notice} {...extra} />, {
    title: `${page.account.firstName} ${page.account.lastName}`,
  });
}

/** Runs a change; a ValidationError shows the account's page again with the message (status 400). */
async function change(c: AppContext, id: string, run: () => Promise<unknown>, done: string, onError: Partial<AccountPageProps> = {}) {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    c.status(400);
    return accountPage(c, id, { error: error.message, fields: error.fields, ...onError });
  }
  return c.redirect(`/accounts/${id}?done=${done}`, 303);
}

/** An account's page and its actions (edit, password, sign out, deactivate, delete). Mounted under /accounts. */
export const accountPageRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/:id{[0-9a-fA-F-]{36}}', (c) => accountPage(c, c.req.param('id')))
  .post('/:id{[0-9a-fA-F-]{36}}/edit', async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    const values = { firstName: form.get('firstName'), lastName: form.get('lastName'), email: form.get('email'), groupId: form.get('groupId'), tagIds: form.all('tagIds') };
    return change(c, id, () => editAccount(ctxOf(c), id, values), 'saved', { values });
  })
  .post('/:id{[0-9a-fA-F-]{36}}/password', async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    const input = {
      password: form.get('password'),
      confirmPassword: form.get('confirmPassword'),
      mustChangePassword: form.get('mustChangePassword') === '1',
      keepSessionId: c.get('session')?.id ?? null,
    };
    return change(c, id, () => setAccountPassword(ctxOf(c), id, input), 'password');
  })
  .post('/:id{[0-9a-fA-F-]{36}}/password-reset', (c) => change(c, c.req.param('id'), () => sendPasswordReset(ctxOf(c), c.req.param('id')), 'reset-sent'))
  .post('/:id{[0-9a-fA-F-]{36}}/sign-out', (c) =>
    change(c, c.req.param('id'), () => signOutEverywhere(ctxOf(c), c.req.param('id'), c.get('session')?.id ?? null), 'signed-out'),
  )
  .post('/:id{[0-9a-fA-F-]{36}}/deactivate', (c) => change(c, c.req.param('id'), () => changeAccountStatus(ctxOf(c), c.req.param('id'), 'deactivate'), 'deactivated'))
  .post('/:id{[0-9a-fA-F-]{36}}/reactivate', (c) => change(c, c.req.param('id'), () => changeAccountStatus(ctxOf(c), c.req.param('id'), 'reactivate'), 'reactivated'))
  .get('/:id{[0-9a-fA-F-]{36}}/delete', async (c) => {
    const summary = await deletionSummary(ctxOf(c), c.req.param('id'));
    return c.render(<DeleteAccountPage csrfToken={c.get('csrfToken')} {...summary} />, { title: 'Delete account' });
  })
  .post('/:id{[0-9a-fA-F-]{36}}/delete', async (c) => {
    const id = c.req.param('id');
    try {
      await changeAccountStatus(ctxOf(c), id, 'delete');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return accountPage(c, id, { error: error.message });
    }
    return c.redirect('/accounts?done=deleted', 303);
  });
