import { Hono } from 'hono';
import { createAccount, createAccountOptions } from '../../accounts/create-account.js';
import { parseAccountFilter, type AccountFilter } from '../../accounts/filter.js';
import { findVisibleAccount, listAccounts, listGroups, listTags } from '../../accounts/list.js';
import { createSelection } from '../../accounts/selection.js';
import { AccountsPage, AccountsResults, type AccountsFilterView } from '../../../views/pages/accounts.js';
import { CreateAccountPage, EMPTY_CREATE_ACCOUNT_VALUES, type CreateAccountPageProps } from '../../../views/pages/create-account.js';
import { rerenderOn } from '../form-errors.js';
import { emailText, fields, flag, idList, optionalId, page, secret, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

const FilterFields = {
  q: text('The search'),
  tagId: text('The tag'),
  groupId: text('The group'),
};

const ListQuery = fields({ ...FilterFields, page, all: flag });

const SelectionForm = fields({ ...FilterFields, all: flag, accountId: idList('An account') });

const CreatedQuery = fields({ created: optionalId('The account') });

const CreateForm = fields({
  firstName: text('First Name'),
  lastName: text('Last Name'),
  email: emailText('Email'),
  kind: text('Account type'),
  isSystemAdmin: flag,
  groupId: optionalId('The group'),
  managedGroupIds: idList('A managed group'),
  tagIds: idList('A tag'),
  mustChangePassword: flag,
  sendWelcomeEmail: flag,
  password: secret('Password'),
  confirmPassword: secret('Confirm Password'),
});

function filterView(filter: AccountFilter): AccountsFilterView {
  return { q: filter.q ?? '', tagId: filter.tagId ?? '', groupId: filter.groupId ?? '' };
}

async function createPageProps(c: AppContext, extra: Partial<CreateAccountPageProps> = {}): Promise<CreateAccountPageProps> {
  const ctx = c.get('ctx');
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
  .get('/', input.query(ListQuery), async (c) => {
    const ctx = c.get('ctx');
    const query = c.req.valid('query');
    const filter = parseAccountFilter(query);
    const allSelected = query.all;
    const list = await listAccounts(ctx, { filter, page: query.page });
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
  .post('/selection', input.form(SelectionForm), async (c) => {
    const ctx = c.get('ctx');
    const form = c.req.valid('form');
    const filter = parseAccountFilter(form);
    return rerenderOn(
      c,
      async () => {
        const selection = form.all
          ? await createSelection(ctx, { allMatching: true, filter })
          : await createSelection(ctx, { allMatching: false, accountIds: form.accountId });
        return c.redirect(`/assign/${selection.id}`, 303);
      },
      async (error) => {
        const list = await listAccounts(ctx, { filter, page: 1 });
        const [groups, tags] = await Promise.all([listGroups(ctx), listTags(ctx)]);
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
      },
    );
  })
  .get('/new', input.query(CreatedQuery), async (c) => {
    const { created: createdId } = c.req.valid('query');
    const created = createdId ? await findVisibleAccount(c.get('ctx'), createdId) : null;
    return c.render(<CreateAccountPage {...await createPageProps(c, { created })} />, { title: 'Create Account' });
  })
  .post('/new', input.form(CreateForm), async (c) => {
    const { password, confirmPassword, ...values } = c.req.valid('form');
    const shown = { ...values, kind: values.kind || 'user' };
    return rerenderOn(
      c,
      async () => {
        const { id } = await createAccount(c.get('ctx'), { ...shown, password, confirmPassword });
        return c.redirect(`/accounts/new?created=${id}`, 303);
      },
      async (error) =>
        c.render(<CreateAccountPage {...await createPageProps(c, { values: shown, error: error.message, fields: error.fields })} />, {
          title: 'Create Account',
        }),
    );
  });
