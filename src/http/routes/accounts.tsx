import { Hono } from 'hono';
import { createAccount, createAccountOptions } from '../../accounts/create-account.js';
import { parseAccountFilter, type AccountFilter } from '../../accounts/filter.js';
import { findVisibleAccount, listAccounts, listGroups, listTags } from '../../accounts/list.js';
import { countSelection, createSelection, mergeDraft, readDraftSelection, updateDraftSelection, type Selection } from '../../accounts/selection.js';
import type { Ctx } from '../../context.js';
import { ValidationError } from '../../errors.js';
import { AccountsPage, AccountsResults, type AccountsFilterView, type DraftView } from '../../../views/pages/accounts.js';
import { CreateAccountPage, EMPTY_CREATE_ACCOUNT_VALUES, type CreateAccountPageProps } from '../../../views/pages/create-account.js';
import { readForm } from '../form.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

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

const BULK_KINDS = new Set(['add-tag', 'remove-tag', 'move-group', 'deactivate', 'reactivate', 'delete']);

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
    const draft = await draftView(ctx, await readDraftSelection(ctx, c.req.query('selection')), list.rows.map((r) => r.id));
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
    const notice = c.req.query('done') === 'deleted' ? 'The account was deleted, with its assignments and their progress.' : null;
    return c.render(<AccountsPage {...results} groups={groups} tags={tags} notice={notice} />, { title: 'View Accounts' });
  })
  .post('/selection', async (c) => {
    const ctx = ctxOf(c);
    const form = await readForm(c);
    const filter = parseAccountFilter({ q: form.get('q'), tagId: form.get('tagId'), groupId: form.get('groupId'), status: form.get('status') });
    const bulk = form.get('bulk');
    try {
      const draft = await readDraftSelection(ctx, form.get('selection'));
      const selection =
        form.get('all') === '1'
          ? await createSelection(ctx, { allMatching: true, filter })
          : await createSelection(ctx, { allMatching: false, accountIds: mergeDraft(draft, form.all('pageIds'), form.all('accountId')) });
      if (BULK_KINDS.has(bulk)) return c.redirect(`/accounts/bulk/${selection.id}/${bulk}`, 303);
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
  .post('/selection/draft', async (c) => {
    const ctx = ctxOf(c);
    const form = await readForm(c);
    const checked = new Set(form.all('accountId'));
    try {
      const draft = await updateDraftSelection(ctx, {
        selectionId: form.get('selection') || null,
        add: [...checked],
        remove: form.all('pageIds').filter((id) => !checked.has(id)),
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
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return c.html(
        <span id="selection-problem" role="alert" hx-swap-oob="true">
          {error.message}
        </span>,
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
