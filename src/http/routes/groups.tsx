import { Hono } from 'hono';
import type { ValidationError } from '../../errors.js';
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
import { rerenderOn } from '../form-errors.js';
import { fields, idList, idParam, optionalId, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireAdministrator, requireSignedIn, requireSystemAdmin } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

const DoneQuery = fields({ done: text('done') });
const NameForm = fields({ name: text('Name') });
const AdministratorsForm = fields({ accountIds: idList('An administrator') });
const DeleteForm = fields({ moveToGroupId: optionalId('The group to move accounts to') });

const NOTICES: Record<string, string> = {
  created: 'The group was created.',
  renamed: 'The group was renamed.',
  administrators: 'The group administrators were saved.',
  deleted: 'The group was deleted. Its accounts were kept.',
};

async function listPage(c: AppContext, done: string, create?: { error: ValidationError; value: string }) {
  const ctx = c.get('ctx');
  const groups = await listGroupSummaries(ctx);
  return c.render(
    <GroupsPage
      csrfToken={c.get('csrfToken')}
      isSystemAdmin={ctx.actor.isSystemAdmin}
      groups={groups}
      notice={NOTICES[done] ?? null}
      create={create ? { error: create.error.message, fields: create.error.fields, value: create.value } : {}}
    />,
    { title: 'Groups' },
  );
}

async function groupPage(
  c: AppContext,
  groupId: string,
  done: string,
  failed: { rename?: { error: ValidationError; value: string }; administrators?: ValidationError } = {},
) {
  const ctx = c.get('ctx');
  const [group, candidates] = await Promise.all([findGroup(ctx, groupId), listGroupAdministratorCandidates(ctx)]);
  return c.render(
    <GroupPage
      csrfToken={c.get('csrfToken')}
      group={group}
      candidates={candidates}
      notice={NOTICES[done] ?? null}
      rename={failed.rename ? { error: failed.rename.error.message, fields: failed.rename.error.fields, value: failed.rename.value } : {}}
      administrators={failed.administrators ? { error: failed.administrators.message, fields: failed.administrators.fields } : {}}
    />,
    { title: group.name },
  );
}

async function deletePage(c: AppContext, groupId: string, error?: ValidationError) {
  const ctx = c.get('ctx');
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
  .get('/', input.query(DoneQuery), (c) => listPage(c, c.req.valid('query').done))
  .post('/', requireSystemAdmin(), input.form(NameForm), (c) => {
    const { name } = c.req.valid('form');
    return rerenderOn(
      c,
      async () => {
        await createGroup(c.get('ctx'), { name });
        return c.redirect('/groups?done=created', 303);
      },
      (error) => listPage(c, '', { error, value: name }),
    );
  })
  .get('/:id', requireSystemAdmin(), input.param(idParam), input.query(DoneQuery), (c) =>
    groupPage(c, c.req.valid('param').id, c.req.valid('query').done),
  )
  .post('/:id/rename', requireSystemAdmin(), input.param(idParam), input.form(NameForm), (c) => {
    const { id } = c.req.valid('param');
    const { name } = c.req.valid('form');
    return rerenderOn(
      c,
      async () => {
        await renameGroup(c.get('ctx'), { groupId: id, name });
        return c.redirect(`/groups/${id}?done=renamed`, 303);
      },
      (error) => groupPage(c, id, '', { rename: { error, value: name } }),
    );
  })
  .post('/:id/administrators', requireSystemAdmin(), input.param(idParam), input.form(AdministratorsForm), (c) => {
    const { id } = c.req.valid('param');
    return rerenderOn(
      c,
      async () => {
        await setGroupAdministrators(c.get('ctx'), { groupId: id, accountIds: c.req.valid('form').accountIds });
        return c.redirect(`/groups/${id}?done=administrators`, 303);
      },
      (error) => groupPage(c, id, '', { administrators: error }),
    );
  })
  .get('/:id/delete', requireSystemAdmin(), input.param(idParam), (c) => deletePage(c, c.req.valid('param').id))
  .post('/:id/delete', requireSystemAdmin(), input.param(idParam), input.form(DeleteForm), (c) => {
    const { id } = c.req.valid('param');
    return rerenderOn(
      c,
      async () => {
        await deleteGroup(c.get('ctx'), { groupId: id, moveToGroupId: c.req.valid('form').moveToGroupId || null });
        return c.redirect('/groups?done=deleted', 303);
      },
      (error) => deletePage(c, id, error),
    );
  });
