import { Hono } from 'hono';
import type { Ctx } from '../../context.js';
import { ValidationError } from '../../errors.js';
import { createTag, deleteTag, findTag, listTagSummaries, mergeTag, renameTag } from '../../tags/tags.js';
import { DeleteTagPage, TagPage, TagsPage } from '../../../views/pages/tags.js';
import { readForm } from '../form.js';
import { requireAdministrator, requireSignedIn, requireSystemAdmin } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

const NOTICES: Record<string, string> = {
  created: 'The tag was created.',
  renamed: 'The tag was renamed.',
  merged: 'The tags were merged.',
  deleted: 'The tag was deleted and removed from its accounts.',
};

async function listPage(c: AppContext, create?: { error: ValidationError; value: string }) {
  const ctx = ctxOf(c);
  return c.render(
    <TagsPage
      csrfToken={c.get('csrfToken')}
      isSystemAdmin={ctx.actor.isSystemAdmin}
      tags={await listTagSummaries(ctx)}
      notice={NOTICES[c.req.query('done') ?? ''] ?? null}
      create={create ? { error: create.error.message, fields: create.error.fields, value: create.value } : {}}
    />,
    { title: 'Tags' },
  );
}

async function tagPage(c: AppContext, tagId: string, failed: { rename?: { error: ValidationError; value: string }; merge?: ValidationError } = {}) {
  const ctx = ctxOf(c);
  const [tag, all] = await Promise.all([findTag(ctx, tagId), listTagSummaries(ctx)]);
  return c.render(
    <TagPage
      csrfToken={c.get('csrfToken')}
      tag={tag}
      otherTags={all.filter((t) => t.id !== tag.id)}
      notice={NOTICES[c.req.query('done') ?? ''] ?? null}
      rename={failed.rename ? { error: failed.rename.error.message, fields: failed.rename.error.fields, value: failed.rename.value } : {}}
      merge={failed.merge ? { error: failed.merge.message, fields: failed.merge.fields } : {}}
    />,
    { title: tag.name },
  );
}

export const tagsRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/', (c) => listPage(c))
  .post('/', async (c) => {
    const form = await readForm(c);
    try {
      await createTag(ctxOf(c), { name: form.get('name') });
      return c.redirect('/tags?done=created', 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return listPage(c, { error, value: form.get('name') });
    }
  })
  .get('/:id', requireSystemAdmin(), (c) => tagPage(c, c.req.param('id')))
  .post('/:id/rename', requireSystemAdmin(), async (c) => {
    const form = await readForm(c);
    const id = c.req.param('id');
    try {
      await renameTag(ctxOf(c), { tagId: id, name: form.get('name') });
      return c.redirect(`/tags/${id}?done=renamed`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return tagPage(c, id, { rename: { error, value: form.get('name') } });
    }
  })
  .post('/:id/merge', requireSystemAdmin(), async (c) => {
    const form = await readForm(c);
    const id = c.req.param('id');
    try {
      await mergeTag(ctxOf(c), { tagId: id, intoTagId: form.get('intoTagId') });
      return c.redirect('/tags?done=merged', 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return tagPage(c, id, { merge: error });
    }
  })
  .get('/:id/delete', requireSystemAdmin(), async (c) => {
    const tag = await findTag(ctxOf(c), c.req.param('id'));
    return c.render(<DeleteTagPage csrfToken={c.get('csrfToken')} tag={tag} />, { title: `Delete ${tag.name}` });
  })
  .post('/:id/delete', requireSystemAdmin(), async (c) => {
    await deleteTag(ctxOf(c), { tagId: c.req.param('id') });
    return c.redirect('/tags?done=deleted', 303);
  });
