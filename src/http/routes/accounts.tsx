import { Hono } from 'hono';
import { createAccount, createAccountOptions } from '../../accounts/create-account.js';
import { parseAccountFilter, type AccountFilter } from '../../accounts/filter.js';
import { findVisibleAccount, listAccounts, listGroups, listTags } from '../../accounts/list.js';
import { createSelection } from '../../accounts/selection.js';
import type { Ctx } from '../../context.js';
import { ValidationError } from '../../errors.js';
import { AccountsPage, AccountsResults, type AccountsFilterView } from '../../../views/pages/accounts.js';
import { CreateAccountPage, EMPTY_CREATE_ACCOUNT_VALUES, type CreateAccountPageProps } from '../../../views/pages/create-account.js';
import { readForm } from '../form.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

function filterView(filter: AccountFilter): AccountsFilterView {
  return { q: filter.q ?? '', tagId: filter.tagId ?? '', groupId: filter.groupId ?? '' };
}

async function createPageProps(c: AppContext, extra: Partial<CreateAccountPageProps> = {}): Promise<CreateAccountPageProps> {
  const ctx = ctxOf(c);
  const [groups, tags, options] = await Promise.all([listGroups(ctx), listTags(ctx), createAccountOptions(ctx)]);
  return {
    csrfToken: c.get('csrfToken'),
    isSystemAdmin: ctx.actor.isSystemAdmin,
    groups,
    tags,
    welcomeEmailEnabled: options.welcomeEmailEnabled,
    values: EMPTY_CREATE_ACCOUNT_VALUES,
    ...extra,
  };
}

export const accountsRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/', async (c) => {
    const ctx = ctxOf(c);
    const filter = parseAccountFilter(c.req.query());
    const page = Number.parseInt(c.req.query('page') ?? '1', 10);
    const allSelected = c.req.query('all') === '1';
    const list = await listAccounts(ctx, { filter, page: Number.isFinite(page) ? page : 1 });
    const results = {
      csrfToken: c.get('csrfToken'),
      rows: list.rows,
      total: list.total,
      page: list.page,
      pageCount: list.pageCount,
      filter: filterView(filter),
      allSelected: allSelected && list.total > 0,
    };
    c.header('Vary', 'HX-Request, HX-Target');
    if (c.req.header('hx-request') === 'true' && c.req.header('hx-target') === 'accounts-results') {
      return c.html(<AccountsResults {...results} />);
    }
    const [groups, tags] = await Promise.all([listGroups(ctx), listTags(ctx)]);
    return c.render(<AccountsPage {...results} groups={groups} tags={tags} />, { title: 'View Accounts' });
  })
  .post('/selection', async (c) => {
    const ctx = ctxOf(c);
    const form = await readForm(c);
    const filter = parseAccountFilter({ q: form.get('q'), tagId: form.get('tagId'), groupId: form.get('groupId') });
    try {
      const selection =
        form.get('all') === '1'
          ? await createSelection(ctx, { allMatching: true, filter })
          : await createSelection(ctx, { allMatching: false, accountIds: form.all('accountId').filter((id) => /^[0-9a-f-]{36}$/i.test(id)) });
      return c.redirect(`/assign/${selection.id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const list = await listAccounts(ctx, { filter, page: 1 });
      const [groups, tags] = await Promise.all([listGroups(ctx), listTags(ctx)]);
      c.status(400);
      return c.render(
        <AccountsPage
          csrfToken={c.get('csrfToken')}
          rows={list.rows}
          total={list.total}
          page={list.page}
          pageCount={list.pageCount}
          filter={filterView(filter)}
          allSelected={false}
          groups={groups}
          tags={tags}
          error={error.message}
        />,
        { title: 'View Accounts' },
      );
    }
  })
  .get('/new', async (c) => {
    const created = await findVisibleAccount(ctxOf(c), c.req.query('created') ?? '');
    return c.render(<CreateAccountPage {...await createPageProps(c, { created })} />, { title: 'Create Account' });
  })
  .post('/new', async (c) => {
    const form = await readForm(c);
    const values = {
      firstName: form.get('firstName'),
      lastName: form.get('lastName'),
      email: form.get('email'),
      kind: form.get('kind') || 'user',
      isSystemAdmin: form.get('isSystemAdmin') === '1',
      groupId: form.get('groupId'),
      managedGroupIds: form.all('managedGroupIds'),
      tagIds: form.all('tagIds'),
      mustChangePassword: form.get('mustChangePassword') === '1',
      sendWelcomeEmail: form.get('sendWelcomeEmail') === '1',
    };
    try {
      const { id } = await createAccount(ctxOf(c), { ...values, password: form.get('password'), confirmPassword: form.get('confirmPassword') });
      return c.redirect(`/accounts/new?created=${id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return c.render(<CreateAccountPage {...await createPageProps(c, { values, error: error.message, fields: error.fields })} />, {
        title: 'Create Account',
      });
    }
  });
