import type { ImportBatch, ImportRowView, RowOutcome } from '../../src/imports/batches.js';
import { Notice } from '../components/form.js';
import { PresetOutcome, type PresetOutcomeView } from '../components/import-preset.js';
import { RowsTable } from './imports-csv.js';
import { formatWhen, sourceLabel, statusLabel } from './imports.js';

/** How far the job is, 0-100: hashing the file's passwords first (when it has any), then the rows. */
export function progressPercent(b: ImportBatch): number {
  const work = b.passwordsToHash + b.totalRows;
  if (work === 0) return 0;
  return Math.min(100, Math.floor(((b.passwordsHashed + b.processedRows) * 100) / work));
}

/** The live part of the page: htmx asks again every second until the import has finished or stopped. */
export function ImportProgress({ batch }: { batch: ImportBatch }) {
  const live = batch.status === 'queued' || batch.status === 'running';
  const pct = progressPercent(batch);
  return (
    <div
      id="import-progress"
      class="card"
      {...(live ? { 'hx-get': `/imports/${batch.id}/progress`, 'hx-trigger': 'every 1s', 'hx-swap': 'outerHTML' } : {})}
    >
      <h2>{statusLabel(batch)}</h2>
      <progress class="progress" max={100} value={pct} aria-label="Import progress">
        {pct}%
      </progress>
      <p role="status" aria-live="polite">
        {batch.status === 'queued'
          ? 'The import is waiting for its turn; it starts in a moment.'
          : batch.passwordsToHash > 0 && batch.passwordsHashed < batch.passwordsToHash
            ? `Securing passwords: ${batch.passwordsHashed} of ${batch.passwordsToHash}.`
            : `${batch.processedRows} of ${batch.totalRows} rows done: ${batch.createdCount} created, ${batch.updatedCount} updated, ${batch.skippedCount} skipped.`}
      </p>
      <p class="muted small">You can leave this page: we will email you when it is done.</p>
    </div>
  );
}

const FILTERS: { value: RowOutcome | 'all'; label: string }[] = [
  { value: 'all', label: 'All rows' },
  { value: 'create', label: 'Created' },
  { value: 'update', label: 'Updated' },
  { value: 'keep', label: 'Left as they were' },
  { value: 'skip', label: 'Skipped' },
];

export interface ImportResultProps {
  batch: ImportBatch;
  rows: ImportRowView[];
  page: number;
  pageCount: number;
  total: number;
  filter: RowOutcome | 'all';
  /** Where to carry on when the wizard is not finished. */
  continueHref: string | null;
  /** The preset assignment the import requested, with how it turned out. */
  preset?: PresetOutcomeView | null;
}

/** An import's page: live progress while it runs; afterwards the counts and every row with its reason. */
export function ImportResultPage(props: ImportResultProps) {
  const b = props.batch;
  const done = b.status === 'finished';
  const live = b.status === 'queued' || b.status === 'running';
  const link = (filter: string, page = 1) => `/imports/${b.id}?outcome=${filter}&page=${page}#rows`;
  return (
    <>
      <p>
        <a href="/imports">Batch Import</a>
      </p>
      <h1>Import from {sourceLabel(b.source)}</h1>
      <p class="muted">
        {typeof b.sourceState.fileName === 'string' ? `${b.sourceState.fileName} · ` : ''}started {formatWhen(b.createdAt)}
        {b.createdByName ? ` by ${b.createdByName}` : ''} · {statusLabel(b)}
      </p>
      {props.continueHref ? (
        <Notice>
          This import has not been run yet. <a href={props.continueHref}>Carry on where you left off</a>.
        </Notice>
      ) : null}
      {b.status === 'failed' ? <Notice kind="bad">{b.error ?? 'The import stopped.'}</Notice> : null}
      {b.status === 'finished' && b.error ? <Notice kind="warn">{b.error}</Notice> : null}
      {live ? <ImportProgress batch={b} /> : null}
      {done || b.status === 'failed' ? (
        <>
          {done ? <Notice kind="ok">The import has finished{b.finishedAt ? ` (${formatWhen(b.finishedAt)})` : ''}.</Notice> : null}
          <ul class="counts">
            <li>
              <b>{b.createdCount}</b> created
            </li>
            <li>
              <b>{b.updatedCount}</b> updated
            </li>
            <li>
              <b>{b.keptCount}</b> left as they were
            </li>
            <li>
              <b>{b.skippedCount}</b> skipped
            </li>
          </ul>
          {b.skippedCount > 0 ? (
            <p>
              <a href={`/imports/${b.id}/skipped.csv`}>Download the skipped rows (CSV)</a>
            </p>
          ) : null}
          {props.preset ? <PresetOutcome request={props.preset} /> : null}
          <h2 id="rows">Rows</h2>
          <nav class="filters" aria-label="Show rows">
            {FILTERS.map((f) => (
              <a href={link(f.value)} aria-current={props.filter === f.value ? 'page' : undefined} class="pill">
                {f.label}
              </a>
            ))}
          </nav>
          {props.rows.length ? <RowsTable rows={props.rows} finished={done} /> : <p class="muted">No rows here.</p>}
          {props.pageCount > 1 ? (
            <div class="pager">
              <span class="muted small">
                Page {props.page} of {props.pageCount} ({props.total} rows)
              </span>
              <nav aria-label="Pages of rows">
                {props.page > 1 ? <a href={link(props.filter, props.page - 1)}>Previous</a> : null}
                {props.page < props.pageCount ? <a href={link(props.filter, props.page + 1)}>Next</a> : null}
              </nav>
            </div>
          ) : null}
        </>
      ) : null}
    </>
  );
}
