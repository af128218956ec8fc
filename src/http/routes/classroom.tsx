import { Hono } from 'hono';
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
import { approveHeldSync, getCourseLink, isSyncPending, listCourseLinks, listSyncRuns, requestSync, updateLinkSettings } from '../../classroom/links.js';
import { createTokenCipher } from '../../classroom/token-crypto.js';
import type { Ctx } from '../../context.js';
import { getPreset, listPresets } from '../../assignments/presets.js';
import { ConflictError, ValidationError } from '../../errors.js';
import { ConnectPage } from '../../../views/pages/classroom-connect.js';
import { ImportPickPage, ImportProgress, ImportResultPage, ImportReviewPage } from '../../../views/pages/classroom-import.js';
import { ClassroomPage, CourseLinkPage, SyncPending } from '../../../views/pages/classroom.js';
import { ErrorPage } from '../../../views/pages/errors.js';
import { readForm } from '../form.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';
import { googleConfigOf } from './classroom-connect.js';

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

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
      <ConnectPage csrfToken={c.get('csrfToken')} email={c.get('actor')!.email} sandbox={googleConfigOf(c).sandbox} reconnect message={error.message} />,
      { title: 'Google Classroom' },
    );
  }
  if (error instanceof ClassroomAccessError || error instanceof GoogleUnavailableError) {
    c.status(error instanceof GoogleUnavailableError ? 503 : 403);
    return c.render(<ErrorPage title="Google Classroom could not be read" message={error.message} />, { title: 'Google Classroom' });
  }
  throw error;
}

type PickValues = { courseIds: string[]; groupId: string; tagIds: string[]; tagExisting: boolean };

async function pickPage(c: AppContext, extra: { draftId?: string | null; values?: PickValues; fields?: Record<string, string>; error?: string | null } = {}) {
  const ctx = ctxOf(c);
  const cfg = googleConfigOf(c);
  const connection = await getConnection(ctx, ctx.actor.id);
  if (!connection || connection.status !== 'active') {
    return c.render(
      <ConnectPage csrfToken={c.get('csrfToken')} email={ctx.actor.email} sandbox={cfg.sandbox} reconnect={!!connection} message={connection?.statusMessage ?? null} />,
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
        preselect={c.req.query('courseId') ?? null}
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
  const ctx = ctxOf(c);
  const { batch } = await getClassroomBatch(ctx, batchId);
  const skipped = batch.status === 'finished' ? (await listReviewRows(ctx, batch.id, { outcome: 'skip' })).rows : [];
  return c.render(<ImportResultPage batch={batch} links={await linksOfBatch(ctx, batch.id)} skipped={skipped} />, { title: 'Import from Google Classroom' });
}

/** "You will see a list of all the accounts that will be imported", 100 at a time, then Import. */
async function reviewPage(c: AppContext, batchId: string, error: string | null = null) {
  const ctx = ctxOf(c);
  const { batch, state } = await getClassroomBatch(ctx, batchId);
  if (batch.status !== 'checked' && batch.status !== 'draft') return resultPage(c, batch.id);
  const review = await listReviewRows(ctx, batch.id, { page: Number(c.req.query('page') ?? 1) });
  const group = (await listGroups(ctx)).find((g) => g.id === batch.options.groupId);
  const tags = (await listTags(ctx)).filter((t) => batch.options.tagIds.includes(t.id)).map((t) => t.name);
  return c.render(
    <ImportReviewPage
      csrfToken={c.get('csrfToken')}
      batch={batch}
      courses={state.courses}
      groupName={group?.name ?? null}
      tagNames={tags}
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
  .get('/', async (c) => {
    const ctx = ctxOf(c);
    const connection = await getConnection(ctx, ctx.actor.id);
    return c.render(
      <ClassroomPage
        csrfToken={c.get('csrfToken')}
        connection={connection}
        links={await listCourseLinks(ctx)}
        sandbox={googleConfigOf(c).sandbox}
        notice={NOTICES[c.req.query('done') ?? ''] ?? null}
      />,
      { title: 'Google Classroom' },
    );
  })

  // The wizard: pick classes, group, default password, tags -> Continue -> review -> Import.
  .get('/import', (c) => pickPage(c))
  .post('/import', async (c) => {
    const form = await readForm(c);
    const input = {
      draftId: form.get('draftId') || null,
      courseIds: form.all('courseIds'),
      groupId: form.get('groupId'),
      defaultPassword: form.get('defaultPassword'),
      tagIds: form.all('tagIds'),
      // A checkbox sends nothing when unticked; the hidden field says the form had it.
      tagExisting: form.get('tagExisting') === '1' || !form.get('tagExistingShown'),
    };
    try {
      const { batchId } = await prepareClassroomImport(ctxOf(c), googleConfigOf(c), input);
      return c.redirect(`/classroom/import/${batchId}`, 303);
    } catch (error) {
      if (error instanceof ValidationError) {
        c.status(400);
        return pickPage(c, { draftId: input.draftId, values: input, fields: error.fields, error: error.message });
      }
      return googleProblem(c, error);
    }
  })
  .get('/import/:batchId', (c) => reviewPage(c, c.req.param('batchId')))
  .post('/import/:batchId/start', async (c) => {
    try {
      await startClassroomImport(ctxOf(c), c.req.param('batchId'));
    } catch (error) {
      // Already started (a second click): its progress is on the same page.
      if (error instanceof ConflictError) return c.redirect(`/classroom/import/${c.req.param('batchId')}`, 303);
      if (error instanceof ValidationError) {
        c.status(400);
        return reviewPage(c, c.req.param('batchId'), error.message);
      }
      throw error;
    }
    return c.redirect(`/classroom/import/${c.req.param('batchId')}`, 303);
  })
  .get('/import/:batchId/progress', async (c) => {
    const ctx = ctxOf(c);
    const { batch } = await getClassroomBatch(ctx, c.req.param('batchId'));
    return c.html(<ImportProgress batch={batch} links={await linksOfBatch(ctx, batch.id)} />);
  })

  // One course link: status, Sync now, approval of a held sync, settings, history.
  .get('/links/:id', async (c) => {
    const ctx = ctxOf(c);
    const link = await getCourseLink(ctx, c.req.param('id'));
    return c.render(
      <CourseLinkPage
        csrfToken={c.get('csrfToken')}
        link={link}
        pending={await isSyncPending(ctx, link.id)}
        runs={await listSyncRuns(ctx, link.id)}
        groups={await groupOptions(ctx)}
        tags={await listTags(ctx)}
        presets={(await listPresets(ctx)).map((p) => ({ value: p.id, label: p.name }))}
        notice={NOTICES[c.req.query('done') ?? ''] ?? null}
      />,
      { title: link.courseName },
    );
  })
  .get('/links/:id/pending', async (c) => {
    const ctx = ctxOf(c);
    if (await isSyncPending(ctx, c.req.param('id'))) return c.html(<SyncPending linkId={c.req.param('id')} />);
    c.header('HX-Refresh', 'true');
    return c.body('', 200);
  })
  .post('/links/:id/sync', async (c) => {
    await requestSync(ctxOf(c), c.req.param('id'));
    return c.redirect(`/classroom/links/${c.req.param('id')}?done=sync`, 303);
  })
  .post('/links/:id/approve', async (c) => {
    await approveHeldSync(ctxOf(c), c.req.param('id'));
    return c.redirect(`/classroom/links/${c.req.param('id')}?done=approved`, 303);
  })
  .post('/links/:id/settings', async (c) => {
    const form = await readForm(c);
    const ctx = ctxOf(c);
    const cipher = createTokenCipher(googleConfigOf(c).tokenKey);
    const chosen = form.get('presetId');
    const presetId = form.all('presetId').length ? (chosen ? (await getPreset(ctx, chosen)).id : null) : undefined;
    await updateLinkSettings(
      ctx,
      c.req.param('id'),
      {
        groupId: form.get('groupId'),
        tagIds: form.all('tagIds'),
        defaultPassword: form.get('defaultPassword'),
        presetId,
        tagExisting: form.get('tagExisting') === '1' || !form.get('tagExistingShown'),
      },
      (password, organisationId) => cipher.encrypt(password, passwordBinding(organisationId)),
    );
    return c.redirect(`/classroom/links/${c.req.param('id')}?done=settings`, 303);
  });
