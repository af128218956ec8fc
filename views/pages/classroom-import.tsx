import { formatName } from '../format.js';
import type { ImportBatch } from '../../src/imports/engine.js';
import type { ReviewRow } from '../../src/classroom/import.js';
import { CsrfField, ErrorSummary, Notice, SelectField } from '../components/form.js';
import { reasonsWords } from '../import-reasons.js';

/** The Google Classroom import, step by step as the help article describes it. */

export interface PickCourseView {
  id: string;
  name: string;
  section: string | null;
  linkedLinkId: string | null;
}

export interface PickPageProps {
  csrfToken: string;
  /** The wizard's draft import, which keeps the course list. */
  draftId: string;
  courses: PickCourseView[];
  groups: { value: string; label: string }[];
  tags: { id: string; name: string }[];
  googleEmail: string;
  values?: { courseIds: string[]; groupId: string; tagIds: string[]; newTags: string; tagExisting: boolean };
  fields?: Record<string, string>;
  error?: string | null;
  preselect?: string | null;
}

export function ImportPickPage(props: PickPageProps) {
  const fields = props.fields ?? {};
  const chosen = new Set(props.values?.courseIds ?? (props.preselect ? [props.preselect] : []));
  const tagIds = new Set(props.values?.tagIds ?? []);
  return (
    <>
      <h1>Batch import using Google Classroom</h1>
      <p class="muted small">Connected to Google Classroom as {props.googleEmail}.</p>
      <ErrorSummary message={props.error ?? (Object.keys(fields).length ? 'Some choices need your attention.' : null)} fields={fields} />
      <form method="post" action="/classroom/import" class="card classroom-form">
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="draftId" value={props.draftId} />
        <fieldset id="courseIds">
          <legend>Pick your classes</legend>
          <p class="hint small">The classes you teach in Google Classroom.</p>
          {fields.courseIds ? <span class="error">{fields.courseIds}</span> : null}
          {props.courses.length === 0 ? (
            <p>You have no active classes in Google Classroom.</p>
          ) : (
            <div class="choices">
              {props.courses.map((c) =>
                c.linkedLinkId ? (
                  <label>
                    <input type="checkbox" disabled /> {c.name}
                    {c.section ? ` · ${c.section}` : ''}{' '}
                    <span class="muted small">
                      (already imported: <a href={`/classroom/links/${c.linkedLinkId}`}>kept in sync</a>)
                    </span>
                  </label>
                ) : (
                  <label>
                    <input type="checkbox" name="courseIds" value={c.id} checked={chosen.has(c.id)} /> {c.name}
                    {c.section ? ` · ${c.section}` : ''}
                  </label>
                ),
              )}
            </div>
          )}
        </fieldset>
        <SelectField
          name="groupId"
          label="Group"
          hint="Select the group where you want to import the users."
          options={props.groups}
          value={props.values?.groupId}
          emptyLabel="Select a group"
          error={fields.groupId}
        />
        <div class="field">
          <label for="defaultPassword">Default password</label>
          <span class="hint">This is just a backup in case your users have issues signing in using Google Sign-in.</span>
          {fields.defaultPassword ? <span class="error">{fields.defaultPassword}</span> : null}
          <input
            id="defaultPassword"
            name="defaultPassword"
            type="password"
            autocomplete="new-password"
            aria-invalid={fields.defaultPassword ? 'true' : undefined}
          />
        </div>
        <fieldset>
          <legend>Tags</legend>
          <p class="hint small">You can also add tags to your users.</p>
          {props.tags.length === 0 ? <p class="muted small">Your organisation has no tags yet.</p> : null}
          <div class="choices">
            {props.tags.map((t) => (
              <label>
                <input type="checkbox" name="tagIds" value={t.id} checked={tagIds.has(t.id)} /> {t.name}
              </label>
            ))}
          </div>
          <div class="field">
            <label for="newTags">New tags</label>
            <span class="hint">
              Tags that do not exist yet, separated by commas (for example: Cohort 7, Period 1). The import creates them.
            </span>
            {fields.newTags ? <span class="error">{fields.newTags}</span> : null}
            <input
              id="newTags"
              name="newTags"
              type="text"
              maxlength={6000}
              value={props.values?.newTags ?? ''}
              aria-invalid={fields.newTags ? 'true' : undefined}
            />
          </div>
          <label>
            <input type="hidden" name="tagExistingShown" value="1" />
            <input type="checkbox" name="tagExisting" value="1" checked={props.values?.tagExisting ?? true} /> Also add these tags to
            accounts that already exist
          </label>
        </fieldset>
        <div class="actions">
          <button class="btn" type="submit">
            Continue
          </button>
          <a href="/classroom">Cancel</a>
        </div>
      </form>
    </>
  );
}

const OUTCOME_TEXT: Record<string, string> = {
  create: 'New account',
  update: 'Existing account, updated',
  keep: 'Already has an account',
  skip: 'Will not be imported',
};

export interface ReviewPageProps {
  csrfToken: string;
  batch: ImportBatch;
  courses: { name: string; section: string | null }[];
  groupName: string | null;
  tagNames: string[];
  /** The tags the import will create (typed on the options step and not existing yet). */
  newTagNames: string[];
  /** "Also add these tags to accounts that already exist": matched accounts get the tags too. */
  tagExisting: boolean;
  rows: ReviewRow[];
  page: number;
  pageCount: number;
  hiddenCount: number;
  hiddenDomain: string;
  error?: string | null;
}

/**
 * A matched account as it is now (its own group, not the class's: the import does not move it)
 * and the class tags it will get, marked "+".
 */
function CurrentValues(props: { current: NonNullable<ReviewRow['current']>; added: string[] }) {
  const has = new Set(props.current.tagNames.map((t) => t.toLowerCase()));
  const added = props.added.filter((t) => !has.has(t.toLowerCase()));
  return (
    <div class="small">
      Group: {props.current.groupName ?? 'No group'}
      {props.current.tagNames.length || added.length ? (
        <>
          {' '}
          · Tags:{' '}
          {props.current.tagNames.map((t) => (
            <span class="pill">{t}</span>
          ))}
          {added.map((t) => (
            <span class="pill added">
              <span aria-hidden="true">+ </span>
              <span class="sr-only">will add </span>
              {t}
            </span>
          ))}
        </>
      ) : null}
    </div>
  );
}

export function ImportReviewPage(props: ReviewPageProps) {
  const b = props.batch;
  return (
    <>
      <h1>Accounts that will be imported</h1>
      {props.error ? <Notice kind="bad">{props.error}</Notice> : null}
      <div class="card">
        <p>
          From {props.courses.map((c) => c.name + (c.section ? ` (${c.section})` : '')).join(', ')} into the group{' '}
          <b>{props.groupName ?? '—'}</b>
          {props.tagNames.length ? (
            <>
              , tagged <b>{props.tagNames.join(', ')}</b>
            </>
          ) : null}
          . Students in more than one class are listed once.
        </p>
        {props.newTagNames.length ? <p>New tags: {props.newTagNames.join(', ')}</p> : null}
        <p>
          <span class="stat">
            <b>{b.toCreate}</b> new accounts
          </span>
          <span class="stat">
            <b>{b.toKeep + b.toUpdate}</b> already have an account
          </span>
          <span class="stat">
            <b>{b.toSkip}</b> will not be imported
          </span>
        </p>
        {props.hiddenCount ? (
          <Notice kind="warn">
            Google Classroom does not share the email address of {props.hiddenCount} {props.hiddenCount === 1 ? 'student' : 'students'}.
            Those who have no account yet get one with a stand-in address (their Google account number @{props.hiddenDomain}): they sign in
            with Google, or with that address and the default password. You can change the address on View Accounts when you know it.
          </Notice>
        ) : null}
      </div>
      <div class="table-wrap">
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">What will happen</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <th scope="row">{formatName(r)}</th>
                <td data-label="Email">
                  {r.emailHidden ? (
                    <span class="muted">Hidden by Classroom{r.outcome === 'create' ? ` (will be ${r.email})` : ''}</span>
                  ) : (
                    r.email
                  )}
                </td>
                <td data-label="What will happen">
                  <span class={r.outcome === 'skip' ? 'status-bad' : r.outcome === 'create' ? 'status-ok' : ''}>
                    {OUTCOME_TEXT[r.outcome] ?? r.outcome}
                  </span>
                  {r.matchedBy ? (
                    <span class="muted small"> (matched by {r.matchedBy === 'google' ? 'Google account' : 'email'})</span>
                  ) : null}
                  {r.outcome === 'skip' && r.reason ? <div class="small">{reasonsWords(r.reason)}</div> : null}
                  {r.current ? <CurrentValues current={r.current} added={props.tagExisting ? props.tagNames : []} /> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.pageCount > 1 ? (
        <nav class="pager" aria-label="Pages">
          <span>
            Page {props.page} of {props.pageCount}
          </span>
          <span>
            {props.page > 1 ? <a href={`/classroom/import/${b.id}?page=${props.page - 1}`}>Previous 100</a> : null}{' '}
            {props.page < props.pageCount ? <a href={`/classroom/import/${b.id}?page=${props.page + 1}`}>Next 100</a> : null}
          </span>
        </nav>
      ) : null}
      <form method="post" action={`/classroom/import/${b.id}/start`} class="actions">
        <CsrfField token={props.csrfToken} />
        <button class="btn" type="submit" disabled={b.toCreate + b.toKeep + b.toUpdate === 0}>
          Import
        </button>
        <a href="/classroom/import">Start again</a>
      </form>
      <p class="muted small">The accounts will be imported in the background. You will be emailed when the users have been imported.</p>
    </>
  );
}

export function ImportProgress({ batch, links }: { batch: ImportBatch; links: { id: string; courseName: string }[] }) {
  const done = batch.status === 'finished' || batch.status === 'failed';
  const total = Math.max(1, batch.totalRows);
  return (
    <div
      id="import-progress"
      class="card"
      {...(done ? {} : { 'hx-get': `/classroom/import/${batch.id}/progress`, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' })}
      aria-live="polite"
    >
      {batch.status === 'finished' ? (
        <>
          <h2>Import finished</h2>
          <p>
            <span class="stat">
              <b>{batch.createdCount}</b> accounts created
            </span>
            <span class="stat">
              <b>{batch.keptCount + batch.updatedCount}</b> already had an account
            </span>
            <span class="stat">
              <b>{batch.skippedCount}</b> not imported
            </span>
          </p>
          <p>Each class is now linked and kept in sync with Google Classroom:</p>
          <ul>
            {links.map((l) => (
              <li>
                <a href={`/classroom/links/${l.id}`}>{l.courseName}</a>
              </li>
            ))}
          </ul>
        </>
      ) : batch.status === 'failed' ? (
        <>
          <h2>The import stopped</h2>
          <Notice kind="bad">{batch.error ?? 'The import stopped.'}</Notice>
        </>
      ) : (
        <>
          <h2>Importing your users</h2>
          <progress class="progress" max={total} value={batch.processedRows}>
            {batch.processedRows} of {batch.totalRows}
          </progress>
          <p>
            {batch.processedRows} of {batch.totalRows} students processed. The accounts are imported in the background; you can leave this
            page. You will be emailed when the users have been imported.
          </p>
        </>
      )}
    </div>
  );
}

export function ImportResultPage(props: { batch: ImportBatch; links: { id: string; courseName: string }[]; skipped: ReviewRow[] }) {
  return (
    <>
      <h1>Import from Google Classroom</h1>
      <ImportProgress batch={props.batch} links={props.links} />
      {props.batch.status === 'finished' && props.skipped.length ? (
        <section>
          <h2>Not imported</h2>
          <ul>
            {props.skipped.map((r) => (
              <li>
                {formatName(r)}: {reasonsWords(r.reason)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
