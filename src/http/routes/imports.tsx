import { Hono } from 'hono';
import * as v from 'valibot';
import { stream } from 'hono/streaming';
import { listGroups, listTags } from '../../accounts/list.js';
import { ConflictError, ValidationError, validationErrorOrThrow } from '../../errors.js';
import { getImportBatch, listImportBatches, listImportRows, type ImportBatch, type RowOutcome } from '../../imports/batches.js';
import { FIELDS, fieldsFor } from '../../imports/csv/columns.js';
import { MAX_FILE_BYTES } from '../../imports/csv/decode.js';
import {
  csvUploadOptions,
  fieldOptionsFor,
  getCsvImport,
  saveCsvExistingOptions,
  saveCsvFieldOptions,
  saveCsvMapping,
  skippedRowsCsv,
  uploadCsv,
  type CsvState,
} from '../../imports/csv/wizard.js';
import { csvLine } from '../../imports/csv/write.js';
import { listPresetChoices } from '../../imports/presets.js';
import { startImport } from '../../imports/run.js';
import { changeImportPreset, importPresetCost } from '../../imports/preset-cost.js';
import { getAssignmentRequest, tallyRequestOutcomes } from '../../assignments/results.js';
import type { Ctx } from '../../context.js';
import type { PresetOutcomeView } from '../../../views/components/import-preset.js';
import { ImportProgress, ImportResultPage } from '../../../views/pages/import-result.js';
import { ImportsHomePage } from '../../../views/pages/imports.js';
import { reasonsWords } from '../../../views/import-reasons.js';
import {
  CsvCheckPage,
  CsvColumnsPage,
  CsvHowToPage,
  CsvReadyPage,
  CsvSettingsPage,
  CsvUploadPage,
  CsvVerifyPage,
  SAMPLE_ROWS,
  type CsvUploadProps,
} from '../../../views/pages/imports-csv.js';
import { rerenderOn } from '../form-errors.js';
import { choice, fields, flag, idList, idParam, list, optionalId, page, secret, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

const PageQuery = fields({ page });
const RowsQuery = fields({ page, outcome: choice(['all', 'create', 'update', 'keep', 'skip'], 'all') });
const UploadForm = fields({
  file: v.optional(v.union([v.instance(File), v.string()])),
  accountKind: text('Account type'),
  sendWelcomeEmail: flag,
  presetId: optionalId('The Preset Assignment'),
});
const UploadQuery = fields({ 'too-large': flag });
const TOO_LARGE = `The file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB, the largest file we accept, so it was not read. Split it into smaller files and import them one after another.`;
const ColumnsForm = fields({ column: list(text('A column choice')) });
const SettingsForm = fields({
  password: secret('Password'),
  confirmPassword: secret('Confirm Password'),
  mustChangePassword: flag,
  groupId: optionalId('The group'),
  tagIds: idList('A tag'),
  createTags: flag,
  createGroups: flag,
});
const PresetForm = fields({ presetId: optionalId('The Preset Assignment') });
const ExistingForm = fields({ updatePassword: flag, updateGroup: flag, updateTags: flag });

/** The wizard step a CSV batch should be on, from what it has done so far. */
function nextStep(batch: ImportBatch, state: CsvState | null): string | null {
  if (batch.status !== 'draft' && batch.status !== 'checked') return null;
  if (!state) return null;
  if (!state.staged) return `/imports/${batch.id}/columns`;
  if (!state.checked) return `/imports/${batch.id}/settings`;
  if (batch.status === 'draft') return `/imports/${batch.id}/settings`;
  return `/imports/${batch.id}/check`;
}

async function uploadProps(c: AppContext, extra: Partial<CsvUploadProps> = {}): Promise<CsvUploadProps> {
  const ctx = c.get('ctx');
  const [offered, presets] = await Promise.all([csvUploadOptions(ctx), listPresetChoices(ctx)]);
  return {
    csrfToken: c.get('csrfToken'),
    canChooseAccountType: offered.canChooseAccountType,
    welcomeEmailEnabled: offered.welcomeEmailEnabled,
    presets,
    ...extra,
  };
}

async function columnsPage(c: AppContext, id: string, error?: ValidationError, mapping?: string[]) {
  const ctx = c.get('ctx');
  const { batch, state } = await getCsvImport(ctx, id);
  if (batch.status !== 'draft' && batch.status !== 'checked') return c.redirect(`/imports/${batch.id}`, 303);
  if (error) c.status(400);
  return c.render(
    <CsvColumnsPage
      csrfToken={c.get('csrfToken')}
      batchId={batch.id}
      fileName={state.fileName}
      rowCount={state.rowCount}
      headers={state.headers}
      samples={state.samples}
      mapping={mapping ?? state.mapping}
      fieldChoices={fieldsFor(ctx.actor.isSystemAdmin).map((f) => ({ value: f, label: FIELDS[f] }))}
      error={error?.message ?? null}
      fields={error?.fields ?? {}}
    />,
    { title: 'Match your columns' },
  );
}

type SettingsValues = { mustChangePassword: boolean; groupId: string; tagIds: string[]; createTags: boolean; createGroups: boolean };

async function settingsPage(c: AppContext, id: string, error?: ValidationError, values?: SettingsValues) {
  const ctx = c.get('ctx');
  const { batch, state } = await getCsvImport(ctx, id);
  if (batch.status !== 'draft' && batch.status !== 'checked') return c.redirect(`/imports/${batch.id}`, 303);
  if (!state.staged) return c.redirect(`/imports/${batch.id}/columns`, 303);
  const [groups, tags] = await Promise.all([listGroups(ctx), listTags(ctx)]);
  if (error) c.status(400);
  return c.render(
    <CsvSettingsPage
      csrfToken={c.get('csrfToken')}
      batchId={batch.id}
      {...fieldOptionsFor(state)}
      hasSharedPassword={batch.hasSharedPassword}
      groups={groups}
      tags={tags}
      values={
        values ?? {
          mustChangePassword: batch.options.mustChangePassword,
          groupId: batch.options.groupId ?? '',
          tagIds: batch.options.tagIds,
          createTags: batch.options.createTags,
          createGroups: batch.options.createGroups,
        }
      }
      offerCreateGroups={ctx.actor.isSystemAdmin && state.mapping.includes('group')}
      error={error?.message ?? null}
      fields={error?.fields ?? {}}
    />,
    { title: 'Options for these accounts' },
  );
}

/** A checked CSV batch, or a redirect to the step it still needs. */
async function checkedCsv(c: AppContext, id: string): Promise<{ batch: ImportBatch; state: CsvState } | Response> {
  const { batch, state } = await getCsvImport(c.get('ctx'), id);
  if (batch.status !== 'checked') return c.redirect(nextStep(batch, state) ?? `/imports/${batch.id}`, 303);
  return { batch, state };
}

/** How the import's preset assignment turned out, counted by outcome and reason. */
async function presetOutcome(ctx: Ctx, requestId: string): Promise<PresetOutcomeView> {
  const request = await getAssignmentRequest(ctx, requestId);
  const tallies = request.status === 'finished' ? await tallyRequestOutcomes(ctx, request.id) : [];
  return { ...request, tallies };
}

/** The preset's cost and the choices to offer beside it, for the pages that lead to Import Accounts. */
async function presetProps(c: AppContext, batch: ImportBatch) {
  const ctx = c.get('ctx');
  const cost = await importPresetCost(ctx, batch);
  return { presetCost: cost, presets: cost ? await listPresetChoices(ctx) : [] };
}

const counts = (b: ImportBatch) => ({
  total: b.totalRows,
  toCreate: b.toCreate,
  toUpdate: b.toUpdate,
  toKeep: b.toKeep,
  toSkip: b.toSkip,
  newTags: b.newTags,
  newGroups: b.newGroups,
});

async function readyPage(c: AppContext, batch: ImportBatch, error?: ValidationError) {
  return c.render(
    <CsvReadyPage
      csrfToken={c.get('csrfToken')}
      batchId={batch.id}
      counts={counts(batch)}
      {...(await presetProps(c, batch))}
      error={error?.message ?? null}
    />,
    { title: 'Ready to import' },
  );
}

export const importsRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireAdministrator())
  .get('/', input.query(PageQuery), async (c) => {
    const list = await listImportBatches(c.get('ctx'), { page: c.req.valid('query').page });
    return c.render(<ImportsHomePage batches={list.rows} page={list.page} pageCount={list.pageCount} total={list.total} />, {
      title: 'Batch Import',
    });
  })
  .get('/csv', (c) => c.render(<CsvHowToPage />, { title: 'Import from CSV' }))
  .get('/csv/sample.csv', (c) => {
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', 'attachment; filename="rosterbridge-sample.csv"');
    return c.body(`\uFEFF${SAMPLE_ROWS.map(csvLine).join('')}`);
  })
  .get('/csv/upload', input.query(UploadQuery), async (c) => {
    const tooLarge = c.req.valid('query')['too-large'];
    const extra = tooLarge ? { error: 'The file was not imported.', fields: { file: TOO_LARGE } } : {};
    return c.render(<CsvUploadPage {...(await uploadProps(c, extra))} />, { title: 'Upload your CSV file' });
  })
  .post('/csv/upload', input.form(UploadForm), async (c) => {
    const { file, ...posted } = c.req.valid('form');
    const values = { ...posted, accountKind: posted.accountKind || 'user' };
    return rerenderOn(
      c,
      async () => {
        if (!(file instanceof File) || (file.size === 0 && !file.name))
          throw new ValidationError('Choose your CSV file first.', { file: 'Choose your CSV file first.' });
        if (file.size > MAX_FILE_BYTES) {
          const message = `The file is ${(file.size / 1024 / 1024).toFixed(1)} MB; the largest file we accept is ${MAX_FILE_BYTES / 1024 / 1024} MB. Split it into smaller files and import them one after another.`;
          c.status(413);
          return c.render(
            <CsvUploadPage {...(await uploadProps(c, { error: 'The file was not imported.', fields: { file: message }, values }))} />,
            {
              title: 'Upload your CSV file',
            },
          );
        }
        const { id } = await uploadCsv(c.get('ctx'), {
          bytes: new Uint8Array(await file.arrayBuffer()),
          fileName: file.name,
          accountKind: values.accountKind,
          sendWelcomeEmail: values.sendWelcomeEmail,
          presetId: values.presetId || null,
        });
        return c.redirect(`/imports/${id}/columns`, 303);
      },
      async (error) => {
        // A refused file is said once: in the summary's link to the file picker.
        const onFile = Object.keys(error.fields).length === 0;
        const fields = onFile ? { file: error.message } : error.fields;
        return c.render(
          <CsvUploadPage {...(await uploadProps(c, { error: onFile ? 'The file was not imported.' : error.message, fields, values }))} />,
          {
            title: 'Upload your CSV file',
          },
        );
      },
    );
  })
  .get('/:id', input.param(idParam), input.query(RowsQuery), async (c) => {
    const ctx = c.get('ctx');
    const batch = await getImportBatch(ctx, c.req.valid('param').id);
    const { page, outcome: filter } = c.req.valid('query');
    const showRows = batch.status === 'finished' || batch.status === 'failed';
    const rows = showRows
      ? await listImportRows(ctx, batch.id, { page, order: 'name', ...(filter === 'all' ? {} : { outcome: filter as RowOutcome }) })
      : { rows: [], page: 1, pageCount: 1, total: 0 };
    let continueHref: string | null = null;
    if (batch.status === 'draft' || batch.status === 'checked') {
      continueHref = batch.source === 'csv' ? nextStep(batch, (await getCsvImport(ctx, batch.id)).state) : null;
    }
    const preset = batch.assignmentRequestId ? await presetOutcome(ctx, batch.assignmentRequestId) : null;
    return c.render(<ImportResultPage batch={batch} {...rows} filter={filter} continueHref={continueHref} preset={preset} />, {
      title: 'Batch import',
    });
  })
  .get('/:id/progress', input.param(idParam), async (c) => {
    const batch = await getImportBatch(c.get('ctx'), c.req.valid('param').id);
    if (batch.status !== 'queued' && batch.status !== 'running') c.header('HX-Refresh', 'true');
    return c.html(<ImportProgress batch={batch} />);
  })
  .get('/:id/skipped.csv', input.param(idParam), async (c) => {
    const ctx = c.get('ctx');
    const batch = await getImportBatch(ctx, c.req.valid('param').id);
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="skipped-rows-${batch.id.slice(0, 8)}.csv"`);
    return stream(c, async (out) => {
      for await (const piece of skippedRowsCsv(ctx, batch.id, reasonsWords)) await out.write(piece);
    });
  })
  .get('/:id/columns', input.param(idParam), (c) => columnsPage(c, c.req.valid('param').id))
  .post('/:id/columns', input.param(idParam), input.form(ColumnsForm), async (c) => {
    const { id } = c.req.valid('param');
    const mapping = c.req.valid('form').column;
    try {
      await saveCsvMapping(c.get('ctx'), id, mapping);
      return c.redirect(`/imports/${id}/settings`, 303);
    } catch (error) {
      // The columns page sets its own status: it may also send the browser on to another step.
      return columnsPage(c, id, validationErrorOrThrow(error), mapping);
    }
  })
  .get('/:id/settings', input.param(idParam), (c) => settingsPage(c, c.req.valid('param').id))
  .post('/:id/settings', input.param(idParam), input.form(SettingsForm), async (c) => {
    const { id } = c.req.valid('param');
    const form = c.req.valid('form');
    try {
      await saveCsvFieldOptions(c.get('ctx'), id, form);
      return c.redirect(`/imports/${id}/check`, 303);
    } catch (error) {
      // The settings page sets its own status: it may also send the browser on to another step.
      return settingsPage(c, id, validationErrorOrThrow(error), form);
    }
  })
  .get('/:id/check', input.param(idParam), async (c) => {
    const found = await checkedCsv(c, c.req.valid('param').id);
    if (found instanceof Response) return found;
    const { batch, state } = found;
    const skipped = await listImportRows(c.get('ctx'), batch.id, { outcome: 'skip' });
    return c.render(
      <CsvCheckPage
        csrfToken={c.get('csrfToken')}
        batchId={batch.id}
        counts={counts(batch)}
        existing={batch.toUpdate + batch.toKeep}
        skipped={skipped.rows}
        skippedTotal={skipped.total}
        updateExisting={batch.options.updateExisting}
        canUpdateGroup={state.mapping.includes('group') || !!batch.options.groupId}
      />,
      { title: 'Check your data' },
    );
  })
  .post('/:id/check', input.param(idParam), input.form(ExistingForm), async (c) => {
    const { id } = c.req.valid('param');
    const form = c.req.valid('form');
    await saveCsvExistingOptions(c.get('ctx'), id, { password: form.updatePassword, group: form.updateGroup, tags: form.updateTags });
    return c.redirect(`/imports/${id}/verify?page=1`, 303);
  })
  .get('/:id/verify', input.param(idParam), input.query(PageQuery), async (c) => {
    const found = await checkedCsv(c, c.req.valid('param').id);
    if (found instanceof Response) return found;
    const { batch } = found;
    const list = await listImportRows(c.get('ctx'), batch.id, { page: c.req.valid('query').page });
    return c.render(
      <CsvVerifyPage
        csrfToken={c.get('csrfToken')}
        batchId={batch.id}
        {...list}
        counts={counts(batch)}
        updates={batch.options.updateExisting}
        {...(await presetProps(c, batch))}
      />,
      {
        title: 'Verify the accounts',
      },
    );
  })
  .get('/:id/ready', input.param(idParam), async (c) => {
    const found = await checkedCsv(c, c.req.valid('param').id);
    if (found instanceof Response) return found;
    return readyPage(c, found.batch);
  })
  .post('/:id/preset', input.param(idParam), input.form(PresetForm), async (c) => {
    const { id } = c.req.valid('param');
    await changeImportPreset(c.get('ctx'), id, c.req.valid('form').presetId || null);
    return c.redirect(`/imports/${id}/ready`, 303);
  })
  .post('/:id/start', input.param(idParam), async (c) => {
    const { id } = c.req.valid('param');
    return rerenderOn(
      c,
      async () => {
        try {
          await startImport(c.get('ctx'), id);
        } catch (error) {
          // A second click on Import Accounts: the import is already under way, so show it.
          if (!(error instanceof ConflictError)) throw error;
        }
        return c.redirect(`/imports/${id}`, 303);
      },
      async (error) => readyPage(c, await getImportBatch(c.get('ctx'), id), error),
    );
  });
