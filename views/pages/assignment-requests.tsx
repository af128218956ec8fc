import type { AssignmentRequestView, OutcomeRow } from '../../src/assignments/results.js';
import { formatNumber, formatTime } from '../format.js';
import { Notice } from '../components/form.js';
import { describeItems } from '../components/item-builder.js';
import { SimplePager } from '../components/pager.js';

const STATUS_TEXT: Record<string, string> = { queued: 'Waiting to start', running: 'Assigning…', finished: 'Complete', failed: 'Not made' };
const ORIGIN_TEXT: Record<string, string> = { accounts: 'View Accounts', import: 'Batch import', classroom: 'Google Classroom' };

function when(d: Date | null): string {
  return d ? formatTime(d) : '';
}

function title(r: AssignmentRequestView): string {
  return r.presetName ? `Preset: ${r.presetName}` : r.items.map((i) => i.productName).join(', ') || 'Assignment';
}

export function AssignmentRequestsPage(props: { requests: AssignmentRequestView[] }) {
  return (
    <>
      <h1>Assignments</h1>
      <p class="muted">
        Mass assignments made from View Accounts, batch imports and Google Classroom. To make one, check accounts on{' '}
        <a href="/accounts">View Accounts</a> and select Assign.
      </p>
      {props.requests.length === 0 ? (
        <p>No assignments yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Assignments, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Assignment</th>
                <th scope="col">From</th>
                <th scope="col">Accounts</th>
                <th scope="col">Status</th>
                <th scope="col">Made</th>
              </tr>
            </thead>
            <tbody>
              {props.requests.map((r) => (
                <tr>
                  <th scope="row">
                    <a href={`/assignments/requests/${r.id}`}>{title(r)}</a>
                  </th>
                  <td>{ORIGIN_TEXT[r.origin] ?? r.origin}</td>
                  <td>{formatNumber(r.accounts)}</td>
                  <td>
                    {STATUS_TEXT[r.status]}
                    {r.status === 'finished' ? ` (${r.assignedCount} assigned, ${r.skippedCount} skipped)` : ''}
                  </td>
                  <td>
                    {when(r.createdAt)}
                    {r.createdByName ? ` by ${r.createdByName}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** The live part of a request's page: htmx polls it every 2 seconds until the work has ended. */
export function RequestProgress(props: { request: AssignmentRequestView }) {
  const r = props.request;
  const working = r.status === 'queued' || r.status === 'running';
  return (
    <div
      id="request-progress"
      {...(working ? { 'hx-get': `/assignments/requests/${r.id}/progress`, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' } : {})}
      role="status"
      aria-live="polite"
    >
      {working ? (
        <>
          <p>
            <b>{STATUS_TEXT[r.status]}</b> {formatNumber(r.accounts)} accounts. This page updates by itself; you will also get an email when
            it is done.
          </p>
          <progress class="progress" aria-label="Assignment in progress"></progress>
        </>
      ) : r.status === 'failed' ? (
        <Notice kind="bad">{r.error ?? 'The assignment was not made.'}</Notice>
      ) : (
        <p>
          <span class="stat">
            <b>{formatNumber(r.assignedCount)}</b> assigned
          </span>
          <span class="stat">
            <b>{formatNumber(r.skippedCount)}</b> skipped
          </span>
          <span class="stat">
            <b>{formatNumber(r.creditsSpent)}</b> credits used
          </span>
        </p>
      )}
    </div>
  );
}

export function AssignmentRequestPage(props: {
  request: AssignmentRequestView;
  rows: OutcomeRow[];
  page: number;
  pageCount: number;
  total: number;
}) {
  const r = props.request;
  const done = r.status === 'finished' || r.status === 'failed';
  return (
    <>
      <p>
        <a href="/assignments/requests">All assignments</a>
      </p>
      <h1>{title(r)}</h1>
      <p class="muted">
        From {ORIGIN_TEXT[r.origin] ?? r.origin}, {when(r.createdAt)}
        {r.createdByName ? ` by ${r.createdByName}` : ''}
      </p>
      <ul>
        {describeItems(r.items).map((d) => (
          <li>{d}</li>
        ))}
      </ul>
      <RequestProgress request={r} />
      {done ? (
        <>
          <h2>Accounts</h2>
          <p>
            <a class="btn secondary" href={`/assignments/requests/${r.id}/outcomes.csv`} download>
              Download as CSV
            </a>
          </p>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">
                Every account and product, page {props.page} of {props.pageCount}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Product</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {props.rows.map((o) => (
                  <tr>
                    <th scope="row">{o.name}</th>
                    <td>{o.email}</td>
                    <td>{o.productName}</td>
                    <td class={o.outcome === 'skipped' || o.outcome === 'not assigned' ? 'status-warn' : 'status-ok'}>{o.outcome}</td>
                    <td>{o.reason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <SimplePager
            page={props.page}
            pageCount={props.pageCount}
            href={(n) => `/assignments/requests/${r.id}?page=${n}`}
            note={`Page ${props.page} of ${props.pageCount} (${formatNumber(props.total)} rows)`}
          />
        </>
      ) : null}
    </>
  );
}
