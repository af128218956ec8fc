import type { CreditLedgerPage } from '../../src/organisations/credits.js';
import { formatNumber, formatTime } from '../format.js';
import { CsrfField, ErrorSummary, Notice } from '../components/form.js';
import { SimplePager } from '../components/pager.js';

export function OrganisationPage(props: {
  csrfToken: string;
  name: string;
  creditsBalance: number;
  mayReassignCompleted: boolean;
  welcomeEmailEnabled: boolean;
  editions: string[];
  /** The organisation's time zone and the names to choose from. */
  timeZone: string;
  timeZones: string[];
  ledger: CreditLedgerPage;
  notice?: string | null;
  error?: string | null;
  fields?: Record<string, string>;
}) {
  const fields = props.fields ?? {};
  return (
    <>
      <h1>Organisation</h1>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <div class="card">
        <h2>{props.name}</h2>
        <p>
          <span class="stat">
            <b>{formatNumber(props.creditsBalance)}</b> credits available
          </span>
        </p>
        <p class="muted small">Each new assignment of a product, and each subscription renewal, uses that product's credits.</p>
      </div>
      <div class="card narrow">
        <h2>Settings</h2>
        <ErrorSummary message={props.error ?? null} fields={fields} />
        <form method="post" action="/organisation">
          <CsrfField token={props.csrfToken} />
          <div class="field">
            <label class="inline">
              <input type="checkbox" name="mayReassignCompleted" value="1" checked={props.mayReassignCompleted} /> May reassign completed
              units and renew subscriptions
            </label>
            <span class="hint">
              Off by default. When on, a Custom Assignment can be a re-assignment (completed units start again, the earlier attempt is kept)
              or a renewal of an expired subscription.
            </span>
          </div>
          <div class="field">
            <label class="inline">
              <input type="checkbox" name="welcomeEmailEnabled" value="1" checked={props.welcomeEmailEnabled} /> Send welcome emails to new
              accounts (offered as Send Welcome Email)
            </label>
          </div>
          <fieldset class="field" id="editions">
            <legend>Editions</legend>
            {fields.editions ? <span class="error">{fields.editions}</span> : null}
            <div class="choices">
              <label>
                <input type="checkbox" name="editions" value="standard" checked={props.editions.includes('standard')} /> Standard
              </label>
              <label>
                <input type="checkbox" name="editions" value="enhanced" checked={props.editions.includes('enhanced')} /> Enhanced
              </label>
            </div>
          </fieldset>
          <button class="btn" type="submit">
            Save settings
          </button>
        </form>
      </div>
      <div class="card narrow">
        <h2>Time zone</h2>
        <form method="post" action="/organisation/time-zone">
          <CsrfField token={props.csrfToken} />
          <div class="field">
            <label for="timeZone">Time zone</label>
            <span class="hint" id="timeZone-hint">
              Every time on your organisation's pages is shown in this zone. Now: {formatTime(new Date(), props.timeZone)}.
            </span>
            {fields.timeZone ? (
              <span class="error" id="timeZone-error">
                {fields.timeZone}
              </span>
            ) : null}
            <select id="timeZone" name="timeZone" aria-describedby={fields.timeZone ? 'timeZone-hint timeZone-error' : 'timeZone-hint'}>
              {props.timeZones.map((z) => (
                <option value={z} selected={z === props.timeZone}>
                  {z}
                </option>
              ))}
            </select>
          </div>
          <button class="btn" type="submit">
            Save time zone
          </button>
        </form>
      </div>
      <CreditHistory ledger={props.ledger} />
    </>
  );
}

function spentOn(row: CreditLedgerPage['rows'][number]) {
  if (row.importId) return <a href={`/imports/${row.importId}`}>The import</a>;
  if (row.requestId) return <a href={`/assignments/requests/${row.requestId}`}>The mass assignment</a>;
  return null;
}

/** The credit ledger, newest first, 50 a page, with the whole of it as a CSV download. */
function CreditHistory({ ledger }: { ledger: CreditLedgerPage }) {
  return (
    <div class="card" id="credit-history">
      <div class="page-head">
        <h2>Credit history</h2>
        {ledger.total > 0 ? <a href="/organisation/credits.csv">Download CSV</a> : null}
      </div>
      {ledger.total === 0 ? (
        <p>No credits have been added or used yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Credit history, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Who</th>
                <th scope="col">Amount</th>
                <th scope="col">Spent on</th>
              </tr>
            </thead>
            <tbody>
              {ledger.rows.map((l) => (
                <tr>
                  <td>{formatTime(l.at)}</td>
                  <td>{l.reason}</td>
                  <td>{l.who ?? 'Rosterbridge operator'}</td>
                  <td>{l.delta > 0 ? `+${formatNumber(l.delta)}` : formatNumber(l.delta)}</td>
                  <td>{spentOn(l)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <SimplePager
        page={ledger.page}
        pageCount={ledger.pageCount}
        href={(n) => `/organisation?page=${n}#credit-history`}
        label="Credit history pages"
      />
    </div>
  );
}
