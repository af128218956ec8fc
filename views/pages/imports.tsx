import { formatTime } from '../format.js';
import type { ImportBatch } from '../../src/imports/batches.js';

/** A batch's state in the words of the pages. */
export function statusLabel(batch: Pick<ImportBatch, 'status'>): string {
  switch (batch.status) {
    case 'draft':
    case 'checked':
      return 'Not imported yet';
    case 'queued':
      return 'Waiting to start';
    case 'running':
      return 'Importing';
    case 'finished':
      return 'Finished';
    case 'failed':
      return 'Stopped';
  }
}

export function sourceLabel(source: ImportBatch['source']): string {
  return source === 'csv' ? 'CSV file' : 'Google Classroom';
}

export function formatWhen(d: Date): string {
  return formatTime(d);
}

export interface ImportsHomeProps {
  batches: ImportBatch[];
  page: number;
  pageCount: number;
  total: number;
}

/** The batch import screen: Import from CSV or Google Classroom, and the list of past imports. */
export function ImportsHomePage(props: ImportsHomeProps) {
  return (
    <>
      <h1>Batch Import</h1>
      <p>Create many user or administrator accounts at once, from a CSV file or from your Google Classroom classes.</p>
      <div class="choice-cards">
        <div class="card">
          <h2>Import from CSV</h2>
          <p class="muted">Upload a spreadsheet saved as a CSV file, one row per account.</p>
          <a class="btn" href="/imports/csv">
            Import from CSV
          </a>
        </div>
        <div class="card">
          <h2>Google Classroom</h2>
          <p class="muted">Pick your classes; their students become accounts in the group you choose.</p>
          <a class="btn" href="/classroom/import">
            Google Classroom
          </a>
        </div>
      </div>
      <h2 id="past-imports">Past imports</h2>
      {props.batches.length === 0 ? (
        <p class="muted">No imports yet.</p>
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">From</th>
                  <th scope="col">By</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">Updated</th>
                  <th scope="col">Skipped</th>
                  <th scope="col">
                    <span class="sr-only">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {props.batches.map((b) => (
                  <tr>
                    <td>{formatWhen(b.createdAt)}</td>
                    <td>
                      {sourceLabel(b.source)}
                      {typeof b.sourceState.fileName === 'string' ? <div class="muted small">{b.sourceState.fileName}</div> : null}
                    </td>
                    <td>{b.createdByName ?? 'Removed account'}</td>
                    <td>{statusLabel(b)}</td>
                    <td>{b.status === 'finished' || b.status === 'running' || b.status === 'failed' ? b.createdCount : '–'}</td>
                    <td>{b.status === 'finished' || b.status === 'running' || b.status === 'failed' ? b.updatedCount : '–'}</td>
                    <td>{b.status === 'finished' || b.status === 'running' || b.status === 'failed' ? b.skippedCount : '–'}</td>
                    <td>
                      <a href={`/imports/${b.id}`}>View</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {props.pageCount > 1 ? (
            <div class="pager">
              <span class="muted small">
                Page {props.page} of {props.pageCount}
              </span>
              <nav aria-label="Pages of past imports">
                {props.page > 1 ? <a href={`/imports?page=${props.page - 1}#past-imports`}>Previous</a> : null}
                {props.page < props.pageCount ? <a href={`/imports?page=${props.page + 1}#past-imports`}>Next</a> : null}
              </nav>
            </div>
          ) : null}
        </>
      )}
    </>
  );
}
