import { Hono } from 'hono';
import * as v from 'valibot';
import { parseAccountAction } from '../../accounts/account-actions.js';
import { ACCOUNT_ACTION_KINDS, type AccountActionKind } from '../../accounts/account-actions-sql.js';
import { confirmBulkAction, getBulkAction } from '../../accounts/bulk.js';
import { listGroups, listTags } from '../../accounts/list.js';
import { countSelection, getSelection } from '../../accounts/selection.js';
import { ValidationError } from '../../errors.js';
import { BulkActionPage, BulkConfirmPage, BulkProgress } from '../../../views/pages/bulk-actions.js';
import { rerenderOn } from '../form-errors.js';
import { fields, id, idParam, optionalId } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

const BulkParam = v.object({ selectionId: id, action: v.picklist(ACCOUNT_ACTION_KINDS as AccountActionKind[]) });

const ConfirmForm = fields({ tagId: optionalId('The tag'), groupId: optionalId('The group') });

/** The confirmation page, naming how many accounts the selection holds now. */
async function confirmPage(c: AppContext, selectionId: string, kind: AccountActionKind, error?: ValidationError) {
  const ctx = c.get('ctx');
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
  .get('/bulk/:selectionId/:action', input.param(BulkParam), (c) => {
    const { selectionId, action } = c.req.valid('param');
    return confirmPage(c, selectionId, action);
  })
  .post('/bulk/:selectionId/:action', input.param(BulkParam), input.form(ConfirmForm), (c) => {
    const { selectionId, action: kind } = c.req.valid('param');
    const form = c.req.valid('form');
    return rerenderOn(
      c,
      async () => {
        const action = parseAccountAction(kind, form);
        if (!action) throw new ValidationError('The form was changed in a way we cannot use. Reload the page and try again.');
        const { bulkActionId } = await confirmBulkAction(c.get('ctx'), { selectionId, action });
        return c.redirect(`/accounts/bulk-actions/${bulkActionId}`, 303);
      },
      (error) => confirmPage(c, selectionId, kind, error),
    );
  })
  .get('/bulk-actions/:id', input.param(idParam), async (c) => {
    const bulk = await getBulkAction(c.get('ctx'), c.req.valid('param').id);
    return c.render(<BulkActionPage bulk={bulk} />, { title: 'Bulk action' });
  })
  .get('/bulk-actions/:id/progress', input.param(idParam), async (c) => {
    const bulk = await getBulkAction(c.get('ctx'), c.req.valid('param').id);
    return c.html(<BulkProgress bulk={bulk} />);
  });
