import { Hono } from 'hono';
import type { Ctx } from '../../context.js';
import { ValidationError } from '../../errors.js';
import {
  createGroup,
  deleteGroup,
  findGroup,
  listGroupAdministratorCandidates,
  listGroupSummaries,
  renameGroup,
  setGroupAdministrators,
} from '../../groups/groups.js';
import { DeleteGroupPage, GroupPage, GroupsPage } from '../../../views/pages/groups.js';
import { readForm } from '../form.js';
import { requireAdministrator, requireSignedIn, requireSystemAdmin } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

const NOTICES: Record<string, string> = {
  created: 'The group was created.',
  renamed: 'The group was renamed.',
  administrators: 'The group administrators were saved.',
  deleted: 'The group was deleted. Its accounts were kept.',
};

async function listPage(c: AppContext, create?: { error: ValidationError; value: string }) {
  const ctx = ctxOf(c);
  const groups = await listGroupSummaries(ctx);
  return c.render(
    <GroupsPage
      csrfToken={c.get('csrfToken')}
      isSystemAdmin={ctx.actor.isSystemAdmin}
      groups={groups}
      notice={NOTICES[c.req.query('done') ?? ''] ?? null}
      create={create ? { error: create.error.message, fields: create.error.fields, value: create.value } : {}}
    />,
    { title: 'Groups' },
  );
}

async function groupPage(c: AppContext, groupId: string, failed: { rename?: { error: ValidationError; value: string }; administrators?: ValidationError } = {}) {
  const ctx = ctxOf(c);
  const [group, candidates] = await Promise.all([findGroup(ctx, groupId), listGroupAdministratorCandidates(ctx)]);
  return c.render(
    <GroupPage
      csrfToken={c.get('csrfToken')}
      group={group}
      candidates={candidates}
      notice={NOTICES[c.req.query('done') ?? ''] ?? null}
      rename={failed.rename ? { error: failed.rename.error.message, fields: failed.rename.error.fields, value: failed.rename.value } : {}}
      administrators={failed.administrators ? { error: failed.administrators.message, fields: failed.administrators.fields } : {}}
    />,
    { title: group.name },
  );
}

async function deletePage(c: AppContext, groupId: string, error?: ValidationError) {
  const ctx = ctxOf(c);
  const [group, all] = await Promise.all([findGroup(ctx, groupId), listGroupSummaries(ctx)]);
  return c.render(
    <DeleteGroupPage
      csrfToken={c.get('csrfToken')}
      group={group}
      otherGroups={all.filter((g) => g.id !== group.id)}
      error={error?.message ?? null}
      fields={error?.fields ?? {}}
    />,
    { title: `Delete ${group.name}` },
  );
}

export const groupsRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/', (c) => listPage(c))
  .post('/', requireSystemAdmin(), async (c) => {
    const form = await readForm(c);
    try {
      await createGroup(ctxOf(c), { name: form.get('name') });
      return c.redirect('/groups?done=created', 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return listPage(c, { error, value: form.get('name') });
    }
  })
  .get('/:id', requireSystemAdmin(), (c) => groupPage(c, c.req.param('id')))
  .post('/:id/rename', requireSystemAdmin(), async (c) => {
    const form = await readForm(c);
    const id = c.req.param('id');
    try {
      await renameGroup(ctxOf(c), { groupId: id, name: form.get('name') });
      return c.redirect(`/groups/${id}?done=renamed`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return groupPage(c, id, { rename: { error, value: form.get('name') } });
    }
  })
  .post('/:id/administrators', requireSystemAdmin(), async (c) => {
    const form = await readForm(c);
    const id = c.req.param('id');
    try {
      await setGroupAdministrators(ctxOf(c), { groupId: id, accountIds: form.all('accountIds') });
      return c.redirect(`/groups/${id}?done=administrators`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return groupPage(c, id, { administrators: error });
    }
  })
  .get('/:id/delete', requireSystemAdmin(), (c) => deletePage(c, c.req.param('id')))
  .post('/:id/delete', requireSystemAdmin(), async (c) => {
    const form = await readForm(c);
    const id = c.req.param('id');
    try {
      await deleteGroup(ctxOf(c), { groupId: id, moveToGroupId: form.get('moveToGroupId') || null });
      return c.redirect('/groups?done=deleted', 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return deletePage(c, id, error);
    }
  });
