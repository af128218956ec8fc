import { Hono } from 'hono';
import { parseAccountAction } from '../../accounts/account-actions.js';
import type { AccountActionKind } from '../../accounts/account-actions-sql.js';
import { confirmBulkAction, getBulkAction } from '../../accounts/bulk.js';
import { listGroups, listTags } from '../../accounts/list.js';
import { countSelection, getSelection } from '../../accounts/selection.js';
import type { Ctx } from '../../context.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { BulkActionPage, BulkConfirmPage, BulkProgress } from '../../../views/pages/bulk-actions.js';
import { readForm } from '../form.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

const KINDS = new Set<string>(['add-tag', 'remove-tag', 'move-group', 'deactivate', 'reactivate', 'delete']);

function kindOf(raw: string): AccountActionKind {
  if (!KINDS.has(raw)) throw new NotFoundError('That action does not exist.');
  return raw as AccountActionKind;
}

/** The confirmation page, naming how many accounts the selection holds now. */
async function confirmPage(c: AppContext, selectionId: string, kind: AccountActionKind, error?: ValidationError) {
  const ctx = ctxOf(c);
  const selection = await getSelection(ctx, selectionId);
  const [accounts, tags, groups] = await Promise.all([countSelection(ctx, selection), listTags(ctx), listGroups(ctx)]);
  return c.render(
    <BulkConfirmPage
      csrfToken={c.get('csrfToken')}
      selectionId={selection.id}
      action={kind}
      accounts={accounts}
      tags={tags}
      groups={groups}
      backHref="/accounts"
      error={error?.message ?? null}
      fields={error?.fields ?? {}}
    />,
    { title: 'Confirm the change' },
  );
}

/** Bulk actions on a View Accounts selection: confirm, run (at once or as a job), progress. Mounted under /accounts. */
export const bulkActionRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/bulk/:selectionId/:action', (c) => confirmPage(c, c.req.param('selectionId'), kindOf(c.req.param('action'))))
  .post('/bulk/:selectionId/:action', async (c) => {
    const selectionId = c.req.param('selectionId');
    const kind = kindOf(c.req.param('action'));
    const form = await readForm(c);
    try {
      const action = parseAccountAction(kind, { tagId: form.get('tagId'), groupId: form.get('groupId') });
      if (!action) throw new ValidationError('The form was changed in a way we cannot use. Reload the page and try again.');
      const { bulkActionId } = await confirmBulkAction(ctxOf(c), { selectionId, action });
      return c.redirect(`/accounts/bulk-actions/${bulkActionId}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return confirmPage(c, selectionId, kind, error);
    }
  })
  .get('/bulk-actions/:id', async (c) => {
    const bulk = await getBulkAction(ctxOf(c), c.req.param('id'));
    return c.render(<BulkActionPage bulk={bulk} />, { title: 'Bulk action' });
  })
  .get('/bulk-actions/:id/progress', async (c) => {
    const bulk = await getBulkAction(ctxOf(c), c.req.param('id'));
    return c.html(<BulkProgress bulk={bulk} />);
  });
