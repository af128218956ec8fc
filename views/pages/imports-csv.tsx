import { formatName } from '../format.js';
import type { ImportRowView, RowOutcome } from '../../src/imports/batches.js';
import { CsrfField, ErrorSummary, Field, Notice } from '../components/form.js';
import { PresetCostCard, type PresetChoiceView, type PresetCostView } from '../components/import-preset.js';
import { reasonsWords } from '../import-reasons.js';

const STEPS = ['Upload', 'Match columns', 'Options', 'Check', 'Verify', 'Import'] as const;

/** Where the wizard is, for sighted and screen-reader users alike. */
export function WizardSteps({ current }: { current: number }) {
  return (
    <ol class="wizard-steps" aria-label="Steps of the import">
      {STEPS.map((label, i) => (
        <li aria-current={i === current ? 'step' : undefined} class={i < current ? 'done' : undefined}>
          {label}
        </li>
      ))}
    </ol>
  );
}

export interface NamedOption {
  id: string;
  name: string;
}

export const SAMPLE_ROWS = [
  ['First Name', 'Last Name', 'Email', 'Password', 'Group', 'Tag'],
  ['Ava', 'Garcia', 'ava.garcia@example.org', 'Sunflower-42', 'Lincoln High', 'Grade 9'],
  ['Liam', 'Nguyen', 'liam.nguyen@example.org', 'Riverbank-17', 'Lincoln High', 'Grade 10'],
  ['Sofia', 'Patel', 'sofia.patel@example.org', 'Maplewood-88', 'Roosevelt Middle', 'Grade 9; IEP'],
];

/** Import from CSV: how to make the file, a sample on screen, the sample file, then Continue. */
export function CsvHowToPage() {
  return (
    <>
      <h1>Import from CSV</h1>
      <p>
        A CSV file is a spreadsheet saved as plain text. Put one account on each row, with a header row naming the columns. You will match
        the columns to our fields in a moment, so the names do not need to be exact.
      </p>
      <div class="card">
        <h2>What the file needs</h2>
        <ul>
          <li>
            <b>Email</b> and either <b>First Name</b> and <b>Last Name</b>, or <b>Full Name</b>: these are required.
          </li>
          <li>
            <b>Password</b>, <b>Group</b> and <b>Tag</b> are optional. Without a Password column you will enter one password for all the
            accounts. Only system administrators can use a Group column.
          </li>
          <li>Several tags in one cell are separated by semicolons ("Grade 9; IEP").</li>
          <li>At most 100,000 accounts and 16 MB per file. Commas, semicolons or tabs between columns all work.</li>
        </ul>
        <h3>Sample</h3>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                {SAMPLE_ROWS[0]!.map((h) => (
                  <th scope="col">{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {SAMPLE_ROWS.slice(1).map((r) => (
                <tr>
                  {r.map((c) => (
                    <td>{c}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>
          <a href="/imports/csv/sample.csv" download="rosterbridge-sample.csv">
            Download the sample file
          </a>{' '}
          and fill it in, or make your own.
        </p>
      </div>
      <div class="card">
        <h2>Making the file in a spreadsheet program</h2>
        <ol>
          <li>Open the sample file (or a new sheet) in Microsoft Excel, Google Sheets or LibreOffice.</li>
          <li>Keep the header row. Type or paste one account per row below it.</li>
          <li>
            Excel: choose <b>File</b>, <b>Save As</b>, and pick <b>CSV UTF-8 (Comma delimited)</b>. Google Sheets: choose <b>File</b>,{' '}
            <b>Download</b>, <b>Comma-separated values (.csv)</b>. LibreOffice: <b>File</b>, <b>Save As</b>, <b>Text CSV</b>.
          </li>
          <li>Upload that .csv file on the next screen. A workbook (.xlsx) cannot be read: save it as CSV first.</li>
        </ol>
      </div>
      <div class="actions">
        <a class="btn" href="/imports/csv/upload">
          Continue
        </a>
        <a href="/imports">Back to Batch Import</a>
      </div>
    </>
  );
}

export interface CsvUploadProps {
  csrfToken: string;
  canChooseAccountType: boolean;
  welcomeEmailEnabled: boolean;
  presets: NamedOption[];
  error?: string | null;
  fields?: Record<string, string>;
  values?: { accountKind: string; sendWelcomeEmail: boolean; presetId: string };
}

/** Upload (drag and drop, or select manually) and the first options: Account Type, Send Welcome Email, Preset Assignment. */
export function CsvUploadPage(props: CsvUploadProps) {
  const values = props.values ?? { accountKind: 'user', sendWelcomeEmail: false, presetId: '' };
  const fields = props.fields ?? {};
  return (
    <>
      <WizardSteps current={0} />
      <h1>Upload your CSV file</h1>
      <ErrorSummary message={props.error ?? null} fields={fields} />
      <form method="post" action="/imports/csv/upload" enctype="multipart/form-data">
        <CsrfField token={props.csrfToken} />
        <div class="dropzone" data-dropzone>
          <p>
            <b>Drag and drop your CSV file here</b>, or{' '}
            <label for="file" class="linklike">
              select manually
            </label>
            .
          </p>
          <input id="file" name="file" type="file" accept=".csv,.txt,text/csv,text/plain" required aria-describedby="file-name" />
          <p class="muted small" id="file-name" data-file-name aria-live="polite">
            No file chosen yet.
          </p>
        </div>
        <div data-reveal-after-file="file">
          <h2>Options</h2>
          {props.canChooseAccountType ? (
            <fieldset id="accountKind">
              <legend>Account Type</legend>
              <div class="choices">
                <label>
                  <input type="radio" name="accountKind" value="user" checked={values.accountKind !== 'administrator'} /> Users
                </label>
                <label>
                  <input type="radio" name="accountKind" value="administrator" checked={values.accountKind === 'administrator'} />{' '}
                  Administrators
                </label>
              </div>
            </fieldset>
          ) : null}
          <fieldset>
            <legend>Send Welcome Email</legend>
            {props.welcomeEmailEnabled ? (
              <label class="inline">
                <input type="checkbox" name="sendWelcomeEmail" value="1" checked={values.sendWelcomeEmail} /> Send each new account a
                welcome email
              </label>
            ) : (
              <p class="muted small" id="welcome-unavailable">
                <input type="checkbox" name="sendWelcomeEmail" value="1" disabled aria-describedby="welcome-unavailable" /> Unavailable:
                welcome emails are turned off for your organisation. A system administrator can turn them on in the organisation settings.
              </p>
            )}
          </fieldset>
          {props.presets ? (
            <div class="field">
              <label for="presetId">Preset Assignment</label>
              <span class="hint">
                Applied to the imported accounts once the import has finished.
                {props.presets.length === 0 ? ' Your organisation has no preset assignments yet.' : ''}
              </span>
              {fields.presetId ? <span class="error">{fields.presetId}</span> : null}
              <select id="presetId" name="presetId">
                <option value="">No preset assignment</option>
                {props.presets.map((p) => (
                  <option value={p.id} selected={p.id === values.presetId}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
        </div>
        <div class="actions">
          <button class="btn" type="submit">
            Continue
          </button>
          <a href="/imports/csv">Back</a>
        </div>
      </form>
    </>
  );
}

export interface CsvColumnsProps {
  csrfToken: string;
  batchId: string;
  fileName: string;
  rowCount: number;
  headers: string[];
  samples: string[][];
  mapping: string[];
  fieldChoices: { value: string; label: string }[];
  error?: string | null;
  fields?: Record<string, string>;
}

/** Match each column of the file to one of our fields; the choices come pre-filled from the headers. */
export function CsvColumnsPage(props: CsvColumnsProps) {
  const fields = props.fields ?? {};
  return (
    <>
      <WizardSteps current={1} />
      <h1>Match your columns</h1>
      <p>
        <b>{props.fileName}</b>: {props.rowCount} {props.rowCount === 1 ? 'account' : 'accounts'}. Choose what each column holds. Email and
        either First Name and Last Name, or Full Name, are required. Password, Group and Tag are optional.
      </p>
      <ErrorSummary message={props.error ?? null} fields={fields} />
      <form method="post" action={`/imports/${props.batchId}/columns`}>
        <CsrfField token={props.csrfToken} />
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Column in your file</th>
                <th scope="col">First rows</th>
                <th scope="col">Import as</th>
              </tr>
            </thead>
            <tbody>
              {props.headers.map((h, i) => (
                <tr>
                  <th scope="row">{h || `Column ${i + 1}`}</th>
                  <td class="small" data-label="First rows">
                    {props.samples.map((s) => (
                      <div>{s[i] ?? ''}</div>
                    ))}
                  </td>
                  <td>
                    <label class="sr-only" for={`column-${i}`}>
                      Import “{h || `Column ${i + 1}`}” as
                    </label>
                    {fields[`column-${i}`] ? <span class="error">{fields[`column-${i}`]}</span> : null}
                    <select id={`column-${i}`} name="column" aria-invalid={fields[`column-${i}`] ? 'true' : undefined}>
                      {props.fieldChoices.map((f) => (
                        <option value={f.value} selected={props.mapping[i] === f.value}>
                          {f.label}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <span id="email" tabindex={-1}></span>
        <span id="names" tabindex={-1}></span>
        <div class="actions">
          <button class="btn" type="submit">
            Continue
          </button>
          <a href="/imports/csv/upload">Upload another file</a>
        </div>
      </form>
    </>
  );
}

export interface CsvSettingsProps {
  csrfToken: string;
  batchId: string;
  askPassword: boolean;
  askGroup: boolean;
  askTags: boolean;
  hasSharedPassword: boolean;
  groups: NamedOption[];
  tags: NamedOption[];
  values: { mustChangePassword: boolean; groupId: string; tagIds: string[]; createTags: boolean; createGroups: boolean };
  /** The file has a Group column and the actor is a system administrator: may create the groups it names. */
  offerCreateGroups: boolean;
  error?: string | null;
  fields?: Record<string, string>;
}

/** Options based on the fields: a password for all, forcing a new one, a group, existing tags. */
export function CsvSettingsPage(props: CsvSettingsProps) {
  const fields = props.fields ?? {};
  return (
    <>
      <WizardSteps current={2} />
      <h1>Options for these accounts</h1>
      <ErrorSummary message={props.error ?? null} fields={fields} />
      <form method="post" action={`/imports/${props.batchId}/settings`}>
        <CsrfField token={props.csrfToken} />
        {props.askPassword ? (
          <fieldset>
            <legend>Password for all these accounts</legend>
            <p class="hint small">
              Your file has no Password column, so every new account gets this password.
              {props.hasSharedPassword ? ' A password is already set; leave these empty to keep it.' : ''}
            </p>
            <Field
              name="password"
              label="Password"
              type="password"
              autocomplete="new-password"
              hint="At least 8 characters."
              error={fields.password}
            />
            <Field
              name="confirmPassword"
              label="Type the password again"
              type="password"
              autocomplete="new-password"
              error={fields.confirmPassword}
            />
          </fieldset>
        ) : null}
        <div class="field">
          <label class="inline">
            <input type="checkbox" name="mustChangePassword" value="1" checked={props.values.mustChangePassword} /> Make each account create
            a new password the first time they sign in
          </label>
        </div>
        {!props.askTags ? (
          <div class="field">
            <label class="inline">
              <input type="checkbox" name="createTags" value="1" checked={props.values.createTags} /> Create tags that do not exist yet
            </label>
            <span class="hint">Tags named in your Tag column that your organisation does not have yet are created by the import.</span>
          </div>
        ) : null}
        {props.offerCreateGroups ? (
          <div class="field">
            <label class="inline">
              <input type="checkbox" name="createGroups" value="1" checked={props.values.createGroups} /> Create groups that do not exist
              yet
            </label>
            <span class="hint">Off: rows naming a group your organisation does not have are skipped, with the reason.</span>
          </div>
        ) : null}
        {props.askGroup ? (
          <div class="field">
            <label for="groupId">Group</label>
            <span class="hint">Your file has no Group column: the accounts go into this group.</span>
            {fields.groupId ? <span class="error">{fields.groupId}</span> : null}
            <select id="groupId" name="groupId" aria-invalid={fields.groupId ? 'true' : undefined}>
              <option value="">Choose a group</option>
              {props.groups.map((g) => (
                <option value={g.id} selected={g.id === props.values.groupId}>
                  {g.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {props.askTags ? (
          <fieldset id="tagIds">
            <legend>Tags</legend>
            <p class="hint small">Your file has no Tag column: add existing tags to every account (optional).</p>
            {props.tags.length === 0 ? <p class="muted small">Your organisation has no tags yet.</p> : null}
            <div class="choices">
              {props.tags.map((t) => (
                <label>
                  <input type="checkbox" name="tagIds" value={t.id} checked={props.values.tagIds.includes(t.id)} /> {t.name}
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
        <div class="actions">
          <button class="btn" type="submit">
            Continue
          </button>
          <a href={`/imports/${props.batchId}/columns`}>Back</a>
        </div>
      </form>
    </>
  );
}

export interface CheckCounts {
  total: number;
  toCreate: number;
  toUpdate: number;
  toKeep: number;
  toSkip: number;
  /** Tags and groups the rows name that the import will create. */
  newTags?: string[];
  newGroups?: string[];
}

/** "New tags: Cohort 7, Period 1": what the import will create besides accounts. */
export function NewNames({ counts }: { counts: CheckCounts }) {
  const tags = counts.newTags ?? [];
  const groups = counts.newGroups ?? [];
  if (tags.length === 0 && groups.length === 0) return null;
  return (
    <ul class="counts new-names">
      {tags.length ? <li>New tags: {tags.join(', ')}</li> : null}
      {groups.length ? <li>New groups: {groups.join(', ')}</li> : null}
    </ul>
  );
}

export interface CsvCheckProps {
  csrfToken: string;
  batchId: string;
  counts: CheckCounts;
  existing: number;
  skipped: ImportRowView[];
  skippedTotal: number;
  updateExisting: { password: boolean; group: boolean; tags: boolean };
  canUpdateGroup: boolean;
}

/** The check: bad rows skipped with their reasons (downloadable), and what to do with accounts that exist. */
export function CsvCheckPage(props: CsvCheckProps) {
  const c = props.counts;
  return (
    <>
      <WizardSteps current={3} />
      <h1>Check your data</h1>
      <ul class="counts">
        <li>
          <b>{c.toCreate}</b> new {c.toCreate === 1 ? 'account' : 'accounts'} to create
        </li>
        <li>
          <b>{props.existing}</b> {props.existing === 1 ? 'account already exists' : 'accounts already exist'}
        </li>
        <li>
          <b>{c.toSkip}</b> {c.toSkip === 1 ? 'row' : 'rows'} with bad data will be skipped
        </li>
      </ul>
      <NewNames counts={c} />
      <form method="post" action={`/imports/${props.batchId}/check`}>
        <CsrfField token={props.csrfToken} />
        {props.existing > 0 ? (
          <fieldset>
            <legend>Accounts that already exist</legend>
            <p class="hint small">
              Accounts with the same email in your organisation (ignoring capitals) are left as they are, unless you choose what to update.
              Accounts outside your groups are never changed.
            </p>
            <div class="choices">
              <label>
                <input type="checkbox" name="updatePassword" value="1" checked={props.updateExisting.password} /> Update their password
              </label>
              {props.canUpdateGroup ? (
                <label>
                  <input type="checkbox" name="updateGroup" value="1" checked={props.updateExisting.group} /> Update their group
                </label>
              ) : null}
              <label>
                <input type="checkbox" name="updateTags" value="1" checked={props.updateExisting.tags} /> Add the tags to them
              </label>
            </div>
          </fieldset>
        ) : null}
        {props.skippedTotal > 0 ? (
          <section aria-labelledby="skipped-heading">
            <h2 id="skipped-heading">Rows that will be skipped</h2>
            <Notice kind="warn">
              These rows have bad data and will not be imported. To include them, fix them in your file and import it again.{' '}
              <a href={`/imports/${props.batchId}/skipped.csv`}>Download the skipped rows (CSV)</a>
            </Notice>
            <RowsTable rows={props.skipped} />
            {props.skippedTotal > props.skipped.length ? (
              <p class="muted small">
                Showing the first {props.skipped.length} of {props.skippedTotal}. The download has them all.
              </p>
            ) : null}
          </section>
        ) : (
          <Notice kind="ok">No bad data found.</Notice>
        )}
        <div class="actions">
          <button class="btn" type="submit">
            Continue
          </button>
          <a href={`/imports/${props.batchId}/settings`}>Back</a>
        </div>
      </form>
    </>
  );
}

export function outcomeLabel(outcome: RowOutcome, finished: boolean): string {
  if (finished) return { pending: 'Not checked', create: 'Created', update: 'Updated', keep: 'Left as it is', skip: 'Skipped' }[outcome];
  return {
    pending: 'Not checked',
    create: 'Will be created',
    update: 'Will be updated',
    keep: 'Will be left as it is',
    skip: 'Will be skipped',
  }[outcome];
}

/** "Roosevelt Middle → Lincoln High": a value an option will change, read out as "changes to". */
function Change({ from, to }: { from: string; to: string }) {
  return (
    <>
      {from} <span aria-hidden="true">→</span>
      <span class="sr-only"> changes to</span> {to}
    </>
  );
}

/**
 * An existing account's group: its own (not the file's), and where Update their group will
 * change it, the change. A new account's is the file's (or the chosen group).
 */
function GroupCell({ row, updateGroup }: { row: ImportRowView; updateGroup: boolean }) {
  if (row.outcome !== 'update' && row.outcome !== 'keep') return <>{row.groupName ?? ''}</>;
  if (!row.current) return null;
  const now = row.current.groupName ?? 'No group';
  if (updateGroup && row.outcome === 'update' && row.groupName && row.groupName !== row.current.groupName)
    return <Change from={now} to={row.groupName} />;
  return <>{now}</>;
}

/** An existing account's tags, and the ones Add the tags will add. */
function TagsCell({ row, addTags }: { row: ImportRowView; addTags: boolean }) {
  const existing = row.outcome === 'update' || row.outcome === 'keep';
  const now = existing ? (row.current?.tagNames ?? []) : row.tagNames;
  const added = existing && addTags && row.outcome === 'update' ? row.tagNames.filter((t) => !now.includes(t)) : [];
  return (
    <>
      {now.map((t) => (
        <span class="pill">{t}</span>
      ))}
      {added.map((t) => (
        <span class="pill added">
          <span aria-hidden="true">+ </span>
          <span class="sr-only">will be added: </span>
          {t}
        </span>
      ))}
    </>
  );
}

export function RowsTable({
  rows,
  finished = false,
  updates,
}: {
  rows: ImportRowView[];
  finished?: boolean;
  updates?: { group: boolean; tags: boolean };
}) {
  return (
    <div class="table-wrap">
      <table class="stack">
        <thead>
          <tr>
            <th scope="col">Row</th>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Group</th>
            <th scope="col">Tags</th>
            <th scope="col">{finished ? 'What happened' : 'What will happen'}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-outcome={r.outcome}>
              <td data-label="Row">{r.rowNumber}</td>
              <th scope="row">{formatName(r)}</th>
              <td data-label="Email">{r.email}</td>
              <td data-label="Group">
                <GroupCell row={r} updateGroup={!finished && !!updates?.group} />
              </td>
              <td data-label="Tags">
                <TagsCell row={r} addTags={!finished && !!updates?.tags} />
              </td>
              <td data-label={finished ? 'What happened' : 'What will happen'}>
                <b>{outcomeLabel(r.outcome, finished)}</b>
                {r.reason ? <div class="small muted">{reasonsWords(r.reason, finished ? 'done' : 'planned')}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface CsvVerifyProps {
  csrfToken: string;
  batchId: string;
  rows: ImportRowView[];
  page: number;
  pageCount: number;
  total: number;
  counts: CheckCounts;
  /** The preset's cost against the credits (null: no preset). */
  presetCost?: PresetCostView | null;
  presets?: PresetChoiceView[];
  /** What the import changes on existing accounts, to show as changes. */
  updates?: { group: boolean; tags: boolean };
}

/** Verification, 100 accounts at a time: move to the next set, skip verification, or Import Accounts on the last set. */
export function CsvVerifyPage(props: CsvVerifyProps) {
  const first = (props.page - 1) * 100 + 1;
  const last = first + props.rows.length - 1;
  const isLast = props.page >= props.pageCount;
  return (
    <>
      <WizardSteps current={4} />
      <h1>Verify the accounts</h1>
      <p>
        Check that the data is right: it is much easier to fix the file now than to edit many accounts after the import. We show 100
        accounts at a time.
      </p>
      <p class="muted" aria-live="polite" id="verify-range">
        Accounts {first}–{last} of {props.total} (set {props.page} of {props.pageCount})
      </p>
      <NewNames counts={props.counts} />
      {props.presetCost ? (
        <PresetCostCard cost={props.presetCost} presets={props.presets ?? []} csrfToken={props.csrfToken} batchId={props.batchId} />
      ) : null}
      <RowsTable rows={props.rows} updates={props.updates} />
      <div class="actions">
        {isLast ? (
          props.presetCost && !props.presetCost.payable ? null : (
            <ImportButton csrfToken={props.csrfToken} batchId={props.batchId} counts={props.counts} />
          )
        ) : (
          <>
            <a class="btn" href={`/imports/${props.batchId}/verify?page=${props.page + 1}`}>
              Next {Math.min(100, props.total - last)} accounts
            </a>
            <a class="btn secondary" href={`/imports/${props.batchId}/ready`}>
              Skip verification
            </a>
          </>
        )}
        {props.page > 1 ? (
          <a href={`/imports/${props.batchId}/verify?page=${props.page - 1}`}>Previous 100</a>
        ) : (
          <a href={`/imports/${props.batchId}/check`}>Back</a>
        )}
      </div>
    </>
  );
}

function ImportButton({ csrfToken, batchId, counts }: { csrfToken: string; batchId: string; counts: CheckCounts }) {
  return (
    <form method="post" action={`/imports/${batchId}/start`} class="inline-form">
      <CsrfField token={csrfToken} />
      <p class="small">
        {counts.toCreate} to create, {counts.toUpdate} to update, {counts.toKeep} left as they are, {counts.toSkip} skipped.
      </p>
      <button class="btn" type="submit">
        Import Accounts
      </button>
    </form>
  );
}

/** After "Skip verification": the totals and Import Accounts. */
export function CsvReadyPage(props: {
  csrfToken: string;
  batchId: string;
  counts: CheckCounts;
  presetCost?: PresetCostView | null;
  presets?: PresetChoiceView[];
  error?: string | null;
}) {
  const blocked = !!props.presetCost && !props.presetCost.payable;
  return (
    <>
      <WizardSteps current={5} />
      <h1>Ready to import</h1>
      <ErrorSummary message={props.error ?? null} />
      <p>Your accounts will be imported behind the scenes. You will get an email when the import has finished.</p>
      <NewNames counts={props.counts} />
      {props.presetCost ? (
        <PresetCostCard cost={props.presetCost} presets={props.presets ?? []} csrfToken={props.csrfToken} batchId={props.batchId} />
      ) : null}
      <div class="actions">
        {blocked ? null : <ImportButton csrfToken={props.csrfToken} batchId={props.batchId} counts={props.counts} />}
        <a href={`/imports/${props.batchId}/verify?page=1`}>Verify the accounts instead</a>
      </div>
    </>
  );
}
