import { Hono } from 'hono';
import * as v from 'valibot';
import { listGroups } from '../../groups/groups.js';
import { listTags } from '../../tags/tags.js';
import { getConnection } from '../../classroom/connection.js';
import { ClassroomAccessError, GoogleReconnectNeededError, GoogleUnavailableError } from '../../classroom/errors.js';
import {
  getClassroomBatch,
  HIDDEN_EMAIL_DOMAIN,
  linksOfBatch,
  openImportDraft,
  listReviewRows,
  passwordBinding,
  prepareClassroomImport,
  startClassroomImport,
} from '../../classroom/import.js';
import {
  approveHeldSync,
  getCourseLink,
  isSyncPending,
  listCourseLinks,
  listSyncRuns,
  requestSync,
  updateLinkSettings,
} from '../../classroom/links.js';
import { createTokenCipher } from '../../classroom/token-crypto.js';
import type { Ctx } from '../../context.js';
import { getPreset, listPresets } from '../../assignments/presets.js';
import { ConflictError, ValidationError } from '../../errors.js';
import { ConnectPage } from '../../../views/pages/classroom-connect.js';
import { ImportPickPage, ImportProgress, ImportResultPage, ImportReviewPage } from '../../../views/pages/classroom-import.js';
import { ClassroomPage, CourseLinkPage, SyncPending } from '../../../views/pages/classroom.js';
import { ErrorPage } from '../../../views/pages/errors.js';
import { rerenderOn } from '../form-errors.js';
import { fields, id, idList, idParam, list, optionalId, page, secret, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';
import { googleConfigOf } from './classroom-connect.js';

const DoneQuery = fields({ done: text('done') });
const PickQuery = fields({ courseId: text('The class', { max: 64 }) });
const PickForm = fields({
  draftId: optionalId('The import'),
  courseIds: list(text('A class', { max: 64 })),
  groupId: optionalId('The group'),
  defaultPassword: secret('Default password'),
  tagIds: idList('A tag'),
  newTags: text('New tags', { max: 6000 }),
  tagExisting: text('Also add these tags to accounts that already exist', { max: 1 }),
  tagExistingShown: text('Also add these tags to accounts that already exist', { max: 1 }),
});

/** A checkbox sends nothing when unticked; the hidden field says the form had it (on by default). */
function tagExistingOf(form: { tagExisting: string; tagExistingShown: string }): boolean {
  return form.tagExisting === '1' || form.tagExistingShown !== '1';
}
const BatchParam = v.object({ batchId: id });
const ReviewQuery = fields({ page });
const LinkSettingsForm = fields({
  groupId: optionalId('The group'),
  tagIds: idList('A tag'),
  defaultPassword: secret('Default password'),
  presetId: list(optionalId('The Preset Assignment')),
  tagExisting: text('Also add these tags to accounts that already exist', { max: 1 }),
  tagExistingShown: text('Also add these tags to accounts that already exist', { max: 1 }),
});

async function groupOptions(ctx: Ctx) {
  return (await listGroups(ctx)).map((g) => ({ value: g.id, label: g.name }));
}

const NOTICES: Record<string, string> = {
  disconnected: 'Google Classroom was disconnected and Rosterbridge’s access was withdrawn at Google.',
  sync: 'The sync has started. This page shows what changed when it is done.',
  approved: 'Approved. The sync runs now and removes the students listed.',
  settings: 'Settings saved.',
};

/** Renders Google's refusal (Classroom switched off, access withdrawn, Google busy) as a page that says what to do. */
function googleProblem(c: AppContext, error: unknown) {
  if (error instanceof GoogleReconnectNeededError) {
    return c.render(
      <ConnectPage
        csrfToken={c.get('csrfToken')}
        email={c.get('actor')!.email}
        sandbox={googleConfigOf(c).sandbox}
        reconnect
        message={error.message}
      />,
      { title: 'Google Classroom' },
    );
  }
  if (error instanceof ClassroomAccessError || error instanceof GoogleUnavailableError) {
    c.status(error instanceof GoogleUnavailableError ? 503 : 403);
    return c.render(<ErrorPage title="Google Classroom could not be read" message={error.message} />, { title: 'Google Classroom' });
  }
  throw error;
}

type PickValues = { courseIds: string[]; groupId: string; tagIds: string[]; newTags: string; tagExisting: boolean };

async function pickPage(
  c: AppContext,
  preselect: string | null,
  extra: { draftId?: string | null; values?: PickValues; fields?: Record<string, string>; error?: string | null } = {},
) {
  const ctx = c.get('ctx');
  const cfg = googleConfigOf(c);
  const connection = await getConnection(ctx, ctx.actor.id);
  if (connection?.status !== 'active') {
    return c.render(
      <ConnectPage
        csrfToken={c.get('csrfToken')}
        email={ctx.actor.email}
        sandbox={cfg.sandbox}
        reconnect={!!connection}
        message={connection?.statusMessage ?? null}
      />,
      { title: 'Google Classroom' },
    );
  }
  try {
    const { draftId, courses } = await openImportDraft(ctx, cfg, extra.draftId);
    return c.render(
      <ImportPickPage
        csrfToken={c.get('csrfToken')}
        draftId={draftId}
        courses={courses}
        groups={await groupOptions(ctx)}
        tags={await listTags(ctx)}
        googleEmail={connection.googleEmail}
        preselect={preselect}
        values={extra.values}
        fields={extra.fields}
        error={extra.error}
      />,
      { title: 'Google Classroom' },
    );
  } catch (error) {
    return googleProblem(c, error);
  }
}

async function resultPage(c: AppContext, batchId: string) {
  const ctx = c.get('ctx');
  const { batch } = await getClassroomBatch(ctx, batchId);
  const skipped = batch.status === 'finished' ? (await listReviewRows(ctx, batch.id, { outcome: 'skip' })).rows : [];
  return c.render(<ImportResultPage batch={batch} links={await linksOfBatch(ctx, batch.id)} skipped={skipped} />, {
    title: 'Import from Google Classroom',
  });
}

/** "You will see a list of all the accounts that will be imported", 100 at a time, then Import. */
async function reviewPage(c: AppContext, batchId: string, page: number, error: string | null = null) {
  const ctx = c.get('ctx');
  const { batch, state } = await getClassroomBatch(ctx, batchId);
  if (batch.status !== 'checked' && batch.status !== 'draft') return resultPage(c, batch.id);
  const review = await listReviewRows(ctx, batch.id, { page });
  const group = (await listGroups(ctx)).find((g) => g.id === batch.options.groupId);
  const tags = [
    ...(await listTags(ctx)).filter((t) => batch.options.tagIds.includes(t.id)).map((t) => t.name),
    ...batch.options.newTagNames,
  ];
  return c.render(
    <ImportReviewPage
      csrfToken={c.get('csrfToken')}
      batch={batch}
      courses={state.courses}
      groupName={group?.name ?? null}
      tagNames={tags.filter((t, i) => tags.findIndex((o) => o.toLowerCase() === t.toLowerCase()) === i)}
      newTagNames={batch.newTags}
      tagExisting={state.tagExisting}
      rows={review.rows}
      page={review.page}
      pageCount={review.pageCount}
      hiddenCount={review.hiddenCount}
      hiddenDomain={HIDDEN_EMAIL_DOMAIN}
      error={error}
    />,
    { title: 'Accounts that will be imported' },
  );
}

export const classroomRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/', input.query(DoneQuery), async (c) => {
    const ctx = c.get('ctx');
    const connection = await getConnection(ctx, ctx.actor.id);
    return c.render(
      <ClassroomPage
        csrfToken={c.get('csrfToken')}
        connection={connection}
        links={await listCourseLinks(ctx)}
        sandbox={googleConfigOf(c).sandbox}
        notice={NOTICES[c.req.valid('query').done] ?? null}
      />,
      { title: 'Google Classroom' },
    );
  })

  // The wizard: pick classes, group, default password, tags -> Continue -> review -> Import.
  .get('/import', input.query(PickQuery), (c) => pickPage(c, c.req.valid('query').courseId || null))
  .post('/import', input.form(PickForm), async (c) => {
    const form = c.req.valid('form');
    const choices = { ...form, draftId: form.draftId || null, tagExisting: tagExistingOf(form) };
    try {
      const { batchId } = await prepareClassroomImport(c.get('ctx'), googleConfigOf(c), choices);
      return c.redirect(`/classroom/import/${batchId}`, 303);
    } catch (error) {
      if (error instanceof ValidationError) {
        c.status(400);
        return pickPage(c, null, { draftId: choices.draftId, values: choices, fields: error.fields, error: error.message });
      }
      return googleProblem(c, error);
    }
  })
  .get('/import/:batchId', input.param(BatchParam), input.query(ReviewQuery), (c) =>
    reviewPage(c, c.req.valid('param').batchId, c.req.valid('query').page),
  )
  .post('/import/:batchId/start', input.param(BatchParam), (c) => {
    const { batchId } = c.req.valid('param');
    return rerenderOn(
      c,
      async () => {
        try {
          await startClassroomImport(c.get('ctx'), batchId);
        } catch (error) {
          // Already started (a second click): its progress is on the same page.
          if (!(error instanceof ConflictError)) throw error;
        }
        return c.redirect(`/classroom/import/${batchId}`, 303);
      },
      (error) => reviewPage(c, batchId, 1, error.message),
    );
  })
  .get('/import/:batchId/progress', input.param(BatchParam), async (c) => {
    const ctx = c.get('ctx');
    const { batch } = await getClassroomBatch(ctx, c.req.valid('param').batchId);
    return c.html(<ImportProgress batch={batch} links={await linksOfBatch(ctx, batch.id)} />);
  })

  // One course link: status, Sync now, approval of a held sync, settings, history.
  .get('/links/:id', input.param(idParam), input.query(DoneQuery), async (c) => {
    const ctx = c.get('ctx');
    const link = await getCourseLink(ctx, c.req.valid('param').id);
    return c.render(
      <CourseLinkPage
        csrfToken={c.get('csrfToken')}
        link={link}
        pending={await isSyncPending(ctx, link.id)}
        runs={await listSyncRuns(ctx, link.id)}
        groups={await groupOptions(ctx)}
        tags={await listTags(ctx)}
        presets={(await listPresets(ctx)).map((p) => ({ value: p.id, label: p.name }))}
        notice={NOTICES[c.req.valid('query').done] ?? null}
      />,
      { title: link.courseName },
    );
  })
  .get('/links/:id/pending', input.param(idParam), async (c) => {
    const { id } = c.req.valid('param');
    if (await isSyncPending(c.get('ctx'), id)) return c.html(<SyncPending linkId={id} />);
    c.header('HX-Refresh', 'true');
    return c.body('', 200);
  })
  .post('/links/:id/sync', input.param(idParam), async (c) => {
    const { id } = c.req.valid('param');
    await requestSync(c.get('ctx'), id);
    return c.redirect(`/classroom/links/${id}?done=sync`, 303);
  })
  .post('/links/:id/approve', input.param(idParam), async (c) => {
    const { id } = c.req.valid('param');
    await approveHeldSync(c.get('ctx'), id);
    return c.redirect(`/classroom/links/${id}?done=approved`, 303);
  })
  .post('/links/:id/settings', input.param(idParam), input.form(LinkSettingsForm), async (c) => {
    const { id } = c.req.valid('param');
    const form = c.req.valid('form');
    const ctx = c.get('ctx');
    const cipher = createTokenCipher(googleConfigOf(c).tokenKey);
    // The preset select is on the form only when presets exist: absent means "leave as it is".
    const chosen = form.presetId[0];
    const presetId = form.presetId.length ? (chosen ? (await getPreset(ctx, chosen)).id : null) : undefined;
    await updateLinkSettings(
      ctx,
      id,
      { groupId: form.groupId, tagIds: form.tagIds, defaultPassword: form.defaultPassword, presetId, tagExisting: tagExistingOf(form) },
      (password, organisationId) => cipher.encrypt(password, passwordBinding(organisationId)),
    );
    return c.redirect(`/classroom/links/${id}?done=settings`, 303);
  });
