import { Hono } from 'hono';
import type { ValidationError } from '../../errors.js';
import { createTag, deleteTag, findTag, listTagSummaries, mergeTag, renameTag } from '../../tags/tags.js';
import { DeleteTagPage, TagPage, TagsPage } from '../../../views/pages/tags.js';
import { rerenderOn } from '../form-errors.js';
import { fields, idParam, optionalId, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireAdministrator, requireSignedIn, requireSystemAdmin } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

const NOTICES: Record<string, string> = {
  created: 'The tag was created.',
  renamed: 'The tag was renamed.',
  merged: 'The tags were merged.',
  deleted: 'The tag was deleted and removed from its accounts.',
};

const DoneQuery = fields({ done: text('done') });
const NameForm = fields({ name: text('Name') });
const MergeForm = fields({ intoTagId: optionalId('The tag to merge into') });

async function listPage(c: AppContext, done: string, create?: { error: ValidationError; value: string }) {
  const ctx = c.get('ctx');
  return c.render(
    <TagsPage
      csrfToken={c.get('csrfToken')}
      isSystemAdmin={ctx.actor.isSystemAdmin}
      tags={await listTagSummaries(ctx)}
      notice={NOTICES[done] ?? null}
      create={create ? { error: create.error.message, fields: create.error.fields, value: create.value } : {}}
    />,
    { title: 'Tags' },
  );
}

async function tagPage(
  c: AppContext,
  tagId: string,
  done: string,
  failed: { rename?: { error: ValidationError; value: string }; merge?: ValidationError } = {},
) {
  const ctx = c.get('ctx');
  const [tag, all] = await Promise.all([findTag(ctx, tagId), listTagSummaries(ctx)]);
  return c.render(
    <TagPage
      csrfToken={c.get('csrfToken')}
      tag={tag}
      otherTags={all.filter((t) => t.id !== tag.id)}
      notice={NOTICES[done] ?? null}
      rename={failed.rename ? { error: failed.rename.error.message, fields: failed.rename.error.fields, value: failed.rename.value } : {}}
      merge={failed.merge ? { error: failed.merge.message, fields: failed.merge.fields } : {}}
    />,
    { title: tag.name },
  );
}

export const tagsRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/', input.query(DoneQuery), (c) => listPage(c, c.req.valid('query').done))
  .post('/', input.form(NameForm), (c) => {
    const { name } = c.req.valid('form');
    return rerenderOn(
      c,
      async () => {
        await createTag(c.get('ctx'), { name });
        return c.redirect('/tags?done=created', 303);
      },
      (error) => listPage(c, '', { error, value: name }),
    );
  })
  .get('/:id', requireSystemAdmin(), input.param(idParam), input.query(DoneQuery), (c) =>
    tagPage(c, c.req.valid('param').id, c.req.valid('query').done),
  )
  .post('/:id/rename', requireSystemAdmin(), input.param(idParam), input.form(NameForm), (c) => {
    const { id } = c.req.valid('param');
    const { name } = c.req.valid('form');
    return rerenderOn(
      c,
      async () => {
        await renameTag(c.get('ctx'), { tagId: id, name });
        return c.redirect(`/tags/${id}?done=renamed`, 303);
      },
      (error) => tagPage(c, id, '', { rename: { error, value: name } }),
    );
  })
  .post('/:id/merge', requireSystemAdmin(), input.param(idParam), input.form(MergeForm), (c) => {
    const { id } = c.req.valid('param');
    return rerenderOn(
      c,
      async () => {
        await mergeTag(c.get('ctx'), { tagId: id, intoTagId: c.req.valid('form').intoTagId });
        return c.redirect('/tags?done=merged', 303);
      },
      (error) => tagPage(c, id, '', { merge: error }),
    );
  })
  .get('/:id/delete', requireSystemAdmin(), input.param(idParam), async (c) => {
    const tag = await findTag(c.get('ctx'), c.req.valid('param').id);
    return c.render(<DeleteTagPage csrfToken={c.get('csrfToken')} tag={tag} />, { title: `Delete ${tag.name}` });
  })
  .post('/:id/delete', requireSystemAdmin(), input.param(idParam), async (c) => {
    await deleteTag(c.get('ctx'), { tagId: c.req.valid('param').id });
    return c.redirect('/tags?done=deleted', 303);
  });
