import { Hono } from 'hono';
import { createAccount, createAccountOptions } from '../../accounts/create-account.js';
import { parseAccountFilter, type AccountFilter } from '../../accounts/filter.js';
import { findVisibleAccount, listAccounts, listGroups, listTags } from '../../accounts/list.js';
import {
  countSelection,
  createSelection,
  mergeDraft,
  readDraftSelection,
  updateDraftSelection,
  type Selection,
} from '../../accounts/selection.js';
import type { Ctx } from '../../context.js';
import type { ValidationError } from '../../errors.js';
import { AccountsPage, AccountsResults, type AccountsFilterView, type DraftView } from '../../../views/pages/accounts.js';
import { CreateAccountPage, EMPTY_CREATE_ACCOUNT_VALUES, type CreateAccountPageProps } from '../../../views/pages/create-account.js';
import { rerenderOn } from '../form-errors.js';
import { choice, emailText, fields, flag, idList, optionalId, page, secret, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

const FilterFields = {
  q: text('The search'),
  tagId: text('The tag'),
  groupId: text('The group'),
  status: text('The status'),
};

const BULK_KINDS = ['', 'add-tag', 'remove-tag', 'move-group', 'deactivate', 'reactivate', 'delete'] as const;

// after/before: the account Next or Previous continues from (read in name order from there); a
// value that names no account the administrator sees is ignored, and the page number is used.
const ListQuery = fields({
  ...FilterFields,
  page,
  after: text('The page'),
  before: text('The page'),
  all: flag,
  selection: optionalId('The selection'),
  done: text('The result'),
});

// The page's ids and the draft come with every submit, so boxes changed a moment ago count as shown.
const SelectionForm = fields({
  ...FilterFields,
  all: flag,
  accountId: idList('An account'),
  pageIds: idList('An account'),
  selection: optionalId('The selection'),
  bulk: choice(BULK_KINDS, ''),
});

const DraftForm = fields({ accountId: idList('An account'), pageIds: idList('An account'), selection: optionalId('The selection') });

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
  return { q: filter.q ?? '', tagId: filter.tagId ?? '', groupId: filter.groupId ?? '', status: filter.status ?? '' };
}

/** The draft as View Accounts shows it: which boxes of this page are checked, and how many others. */
async function draftView(ctx: Ctx, draft: Selection | null, pageIds: string[]): Promise<DraftView | null> {
  if (!draft) return null;
  const inDraft = new Set(draft.accountIds);
  const checkedOnPage = pageIds.filter((id) => inDraft.has(id));
  const total = await countSelection(ctx, draft);
  return { id: draft.id, checkedOnPage, otherCount: Math.max(0, total - checkedOnPage.length) };
}

/** The address of View Accounts the person is on, with the draft's id in it (for Back, Forward and reload). */
function addressWithDraft(current: string | undefined, selectionId: string): string | null {
  if (!current) return null;
  try {
    const url = new URL(current);
    if (url.pathname !== '/accounts') return null;
    url.searchParams.set('selection', selectionId);
    url.searchParams.delete('all');
    return url.pathname + url.search;
  } catch {
    return null;
  }
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
    const from = query.after
      ? { direction: 'after' as const, accountId: query.after }
      : query.before
        ? { direction: 'before' as const, accountId: query.before }
        : undefined;
    const list = await listAccounts(ctx, { filter, page: query.page, from });
    const draft = await draftView(
      ctx,
      await readDraftSelection(ctx, query.selection),
      list.rows.map((r) => r.id),
    );
    const results = {
      csrfToken: c.get('csrfToken'),
      rows: list.rows,
      total: list.total,
      page: list.page,
      pageCount: list.pageCount,
      filter: filterView(filter),
      allSelected: allSelected && list.total > 0,
      draft,
    };
    c.header('Vary', 'HX-Request, HX-Target');
    if (c.req.header('hx-request') === 'true' && c.req.header('hx-target') === 'accounts-results') {
      return c.html(<AccountsResults {...results} />);
    }
    const [groups, tags] = await Promise.all([listGroups(ctx), listTags(ctx)]);
    const notice = query.done === 'deleted' ? 'The account was deleted, with its assignments and their progress.' : null;
    return c.render(<AccountsPage {...results} groups={groups} tags={tags} notice={notice} />, { title: 'View Accounts' });
  })
  .post('/selection', input.form(SelectionForm), async (c) => {
    const ctx = c.get('ctx');
    const form = c.req.valid('form');
    const filter = parseAccountFilter(form);
    return rerenderOn(
      c,
      async () => {
        const draft = await readDraftSelection(ctx, form.selection);
        const selection = form.all
          ? await createSelection(ctx, { allMatching: true, filter })
          : await createSelection(ctx, { allMatching: false, accountIds: mergeDraft(draft, form.pageIds, form.accountId) });
        if (form.bulk) return c.redirect(`/accounts/bulk/${selection.id}/${form.bulk}`, 303);
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
  .post('/selection/draft', input.form(DraftForm), async (c) => {
    const form = c.req.valid('form');
    const checked = new Set(form.accountId);
    return rerenderOn(
      c,
      async () => {
        const draft = await updateDraftSelection(c.get('ctx'), {
          selectionId: form.selection || null,
          add: [...checked],
          remove: form.pageIds.filter((id) => !checked.has(id)),
        });
        if (!draft) return c.body(null, 204);
        const address = addressWithDraft(c.req.header('hx-current-url'), draft.id);
        if (address) c.header('HX-Replace-Url', address);
        return c.html(
          <>
            <input type="hidden" name="selection" id="draft-selection" value={draft.id} hx-swap-oob="true" />
            <span id="selection-problem" role="alert" hx-swap-oob="true"></span>
          </>,
        );
      },
      // Shown in the toolbar; htmx swaps only a successful answer, so the refusal is answered with 200.
      async (error: ValidationError) => {
        c.status(200);
        return c.html(
          <span id="selection-problem" role="alert" hx-swap-oob="true">
            {error.message}
          </span>,
        );
      },
    );
  })
  .get('/new', input.query(CreatedQuery), async (c) => {
    const { created: createdId } = c.req.valid('query');
    const created = createdId ? await findVisibleAccount(c.get('ctx'), createdId) : null;
    return c.render(<CreateAccountPage {...(await createPageProps(c, { created }))} />, { title: 'Create Account' });
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
        c.render(<CreateAccountPage {...(await createPageProps(c, { values: shown, error: error.message, fields: error.fields }))} />, {
          title: 'Create Account',
        }),
    );
  });
