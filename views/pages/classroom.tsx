import { formatClock, formatTime } from '../format.js';
import type { CourseLink, SyncRunView } from '../../src/classroom/links.js';
import { CsrfField, Notice, SelectField } from '../components/form.js';
import { notImportedWords } from '../import-reasons.js';
import { ConnectButton } from './classroom-connect.js';

/** Google Classroom: the connection, the course links, one link's page with its history. */

export interface ConnectionView {
  googleEmail: string;
  status: 'active' | 'needs_reconnecting';
  statusMessage: string | null;
}

const STATE_LABELS: Record<CourseLink['syncState'], { text: string; cls: string }> = {
  ok: { text: 'In sync', cls: 'status-ok' },
  held: { text: 'Waiting for your approval', cls: 'status-warn' },
  failed: { text: 'Last sync failed', cls: 'status-bad' },
  needs_reconnecting: { text: 'Needs reconnecting', cls: 'status-bad' },
  waiting_for_import: { text: 'Importing', cls: 'status-warn' },
};

/**
 * The link's status in one phrase: while the job queue retries a sync Google failed, which attempt
 * comes next and when; once it gave up, what failed.
 */
export function syncStatusText(link: Pick<CourseLink, 'syncState' | 'syncMessage' | 'retry'>): string {
  if (link.retry && (link.syncState === 'ok' || link.syncState === 'failed')) {
    const at = formatClock(link.retry.nextAt);
    return `Retrying (attempt ${link.retry.attempt} of ${link.retry.of}, next at ${at})${link.syncMessage ? `: ${link.syncMessage}` : ''}`;
  }
  if (link.syncState === 'failed' && link.syncMessage) return `Last sync failed: ${link.syncMessage}`;
  return STATE_LABELS[link.syncState].text;
}

export function SyncState({ link }: { link: Pick<CourseLink, 'syncState' | 'syncMessage' | 'retry'> }) {
  const cls = link.retry ? 'status-warn' : STATE_LABELS[link.syncState].cls;
  return <span class={cls}>{syncStatusText(link)}</span>;
}

function when(d: Date | null): string {
  return d ? formatTime(d) : 'Never';
}

/** The status line already says what failed; other messages (held, needs reconnecting) are shown below it. */
function detailOf(l: CourseLink): string | null {
  if (!l.syncMessage || l.retry || l.syncState === 'failed' || l.syncState === 'ok') return null;
  return l.syncMessage;
}

export function ClassroomPage(props: {
  csrfToken: string;
  connection: ConnectionView | null;
  links: CourseLink[];
  sandbox: boolean;
  notice?: string | null;
}) {
  const c = props.connection;
  return (
    <>
      <h1>Google Classroom</h1>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <section class="card">
        <h2>Your connection</h2>
        {c ? (
          c.status === 'active' ? (
            <p>
              Connected as <b>{c.googleEmail}</b>.
            </p>
          ) : (
            <Notice kind="warn">
              {c.statusMessage ?? 'Google no longer accepts this connection.'} Your classes stopped syncing; nothing was changed.
            </Notice>
          )
        ) : (
          <p>Not connected. To import from Google Classroom, you need to give Rosterbridge access to your Google Classroom.</p>
        )}
        <div class="actions">
          {c?.status === 'active' ? (
            <a class="btn" href="/classroom/import">
              Import from Google Classroom
            </a>
          ) : (
            <ConnectButton
              csrfToken={props.csrfToken}
              returnTo="/classroom/import"
              label={c ? 'Connect to Google Classroom again' : 'Connect to Google Classroom'}
            />
          )}
          {c ? (
            <form method="post" action="/classroom/disconnect">
              <CsrfField token={props.csrfToken} />
              <button class="btn secondary" type="submit">
                Disconnect Google Classroom
              </button>
            </form>
          ) : null}
          {props.sandbox ? <a href="/google-sandbox">Google sandbox</a> : null}
        </div>
      </section>
      <section>
        <h2>Linked classes</h2>
        {props.links.length === 0 ? (
          <p class="muted">No classes are linked yet. Each class you import from Google Classroom is linked here and kept in sync.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Class</th>
                  <th>Group</th>
                  <th>Students</th>
                  <th>Last sync</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {props.links.map((l) => (
                  <tr>
                    <th scope="row">
                      <a href={`/classroom/links/${l.id}`}>{l.courseName}</a>
                      {l.section ? <span class="muted small"> · {l.section}</span> : null}
                    </th>
                    <td>{l.groupName ?? '—'}</td>
                    <td>{l.members}</td>
                    <td>{when(l.lastSyncedAt)}</td>
                    <td>
                      <SyncState link={l} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function names(list: string[] | undefined) {
  return list?.length ? list.join(', ') : null;
}

const OUTCOME_LABELS: Record<SyncRunView['outcome'], string> = {
  applied: 'Changed',
  unchanged: 'No changes',
  held: 'Held for approval',
  failed: 'Failed',
};

function RunRow({ run }: { run: SyncRunView }) {
  const d = run.details;
  const parts: string[] = [];
  if (run.outcome === 'unchanged')
    parts.push(run.runs > 1 ? `Checked ${run.runs} times, the roster was the same` : 'The roster was the same');
  if (d.wouldRemove?.length) parts.push(`Would remove: ${d.wouldRemove.join(', ')}`);
  if (run.added) parts.push(`${run.added} added${names(d.added) ? `: ${names(d.added)}` : ''}`);
  if (d.importing) parts.push(`${d.importing} new to Rosterbridge, being imported`);
  if (run.updated) parts.push(`${run.updated} updated${names(d.updated) ? `: ${names(d.updated)}` : ''}`);
  if (run.removed) parts.push(`${run.removed} removed${names(d.removed) ? `: ${names(d.removed)}` : ''}`);
  if (run.restored) parts.push(`${run.restored} back${names(d.restored) ? `: ${names(d.restored)}` : ''}`);
  if (d.notImported?.length) parts.push(`Not imported: ${d.notImported.map(notImportedWords).join('; ')}`);
  if (d.leftAlone?.length) parts.push(`Left alone: ${d.leftAlone.join('; ')}`);
  if (d.assignmentRequestId) parts.push('The preset assignment was given to the new students');
  if (d.presetProblem) parts.push(d.presetProblem);
  if (run.message) parts.push(run.outcome === 'failed' && run.runs > 1 ? `${run.message} (${run.runs} times in a row)` : run.message);
  if (run.outcome === 'applied' && parts.length === 0) parts.push('Nothing to change');
  const trigger =
    { schedule: 'Scheduled', manual: 'Sync now', import: 'Import', newcomers: 'New students imported', approval: 'Approved' }[
      run.trigger
    ] ?? run.trigger;
  return (
    <tr>
      <td>{when(run.finishedAt)}</td>
      <td>{trigger}</td>
      <td class={run.outcome === 'failed' ? 'status-bad' : run.outcome === 'held' ? 'status-warn' : ''}>{OUTCOME_LABELS[run.outcome]}</td>
      <td>{parts.join(' · ')}</td>
    </tr>
  );
}

/** Shown while a sync is queued or running; htmx asks again until the server says to reload the page. */
export function SyncPending({ linkId }: { linkId: string }) {
  return (
    <p
      id="sync-pending"
      class="status-warn"
      hx-get={`/classroom/links/${linkId}/pending`}
      hx-trigger="every 2s"
      hx-swap="outerHTML"
      role="status"
    >
      Sync in progress…
    </p>
  );
}

export interface LinkPageProps {
  pending: boolean;
  csrfToken: string;
  link: CourseLink;
  runs: SyncRunView[];
  groups: { value: string; label: string }[];
  tags: { id: string; name: string }[];
  presets: { value: string; label: string }[] | null;
  notice?: string | null;
  error?: string | null;
}

export function CourseLinkPage(props: LinkPageProps) {
  const l = props.link;
  return (
    <>
      <p class="small">
        <a href="/classroom">Google Classroom</a>
      </p>
      <h1>
        {l.courseName}
        {l.section ? <span class="muted"> · {l.section}</span> : null}
      </h1>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      {props.error ? <Notice kind="bad">{props.error}</Notice> : null}
      <section class="card">
        <p>
          <span class="stat">
            <b>{l.members}</b> students
          </span>
          <span class="stat">
            <b>{l.removedMembers}</b> left the class
          </span>
          <span class="stat">
            <b>
              <SyncState link={l} />
            </b>
            last sync {when(l.lastSyncedAt)}
          </span>
        </p>
        {detailOf(l) ? <p>{detailOf(l)}</p> : null}
        {props.pending ? <SyncPending linkId={l.id} /> : null}
        <p class="muted small">
          Linked by {l.ownerName}. Students who leave the class in Google Classroom keep their accounts and their progress; they are only
          marked as removed from this class.
        </p>
        <div class="actions">
          <form method="post" action={`/classroom/links/${l.id}/sync`}>
            <CsrfField token={props.csrfToken} />
            <button class="btn" type="submit" disabled={l.syncState === 'needs_reconnecting'}>
              Sync now
            </button>
          </form>
          {l.syncState === 'needs_reconnecting' ? (
            <ConnectButton csrfToken={props.csrfToken} returnTo={`/classroom/links/${l.id}`} label="Connect to Google Classroom again" />
          ) : null}
        </div>
      </section>
      {l.syncState === 'held' && l.heldPlan ? (
        <section class="card" id="held">
          <h2>A sync is waiting for your approval</h2>
          <p>
            It would remove {l.heldPlan.removeNames.length} of the {l.heldPlan.rosterSize} students from this class, which is more than
            usual, so nothing was changed:
          </p>
          <ul>
            {l.heldPlan.removeNames.map((n) => (
              <li>{n}</li>
            ))}
          </ul>
          <form method="post" action={`/classroom/links/${l.id}/approve`}>
            <CsrfField token={props.csrfToken} />
            <button class="btn" type="submit">
              Approve and sync
            </button>
          </form>
        </section>
      ) : null}
      <section class="card narrow">
        <h2>Settings for students who join later</h2>
        <form method="post" action={`/classroom/links/${l.id}/settings`} class="classroom-form">
          <CsrfField token={props.csrfToken} />
          <SelectField name="groupId" label="Group" options={props.groups} value={l.groupId ?? ''} />
          <fieldset>
            <legend>Tags</legend>
            <div class="choices">
              {props.tags.map((t) => (
                <label>
                  <input type="checkbox" name="tagIds" value={t.id} checked={l.tagIds.includes(t.id)} /> {t.name}
                </label>
              ))}
            </div>
            <label>
              <input type="hidden" name="tagExistingShown" value="1" />
              <input type="checkbox" name="tagExisting" value="1" checked={l.tagExisting} /> Also add these tags to accounts that already
              exist
            </label>
          </fieldset>
          <div class="field">
            <label for="defaultPassword">Default password</label>
            <span class="hint">
              {l.hasDefaultPassword ? 'Leave empty to keep the current one. ' : ''}This is just a backup in case your users have issues
              signing in using Google Sign-in.
            </span>
            <input id="defaultPassword" name="defaultPassword" type="password" autocomplete="new-password" />
          </div>
          {props.presets ? (
            <SelectField
              name="presetId"
              label="Preset Assignment for new students"
              options={props.presets}
              value={l.presetId ?? ''}
              emptyLabel="None"
            />
          ) : null}
          <button class="btn secondary" type="submit">
            Save settings
          </button>
        </form>
      </section>
      <section>
        <h2>History</h2>
        {props.runs.length === 0 ? (
          <p class="muted">No sync has run yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>When</th>
                  <th>Started by</th>
                  <th>Outcome</th>
                  <th>What changed</th>
                </tr>
              </thead>
              <tbody>
                {props.runs.map((r) => (
                  <RunRow run={r} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
