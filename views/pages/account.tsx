import { formatName, formatTime } from '../format.js';
import type { AccountDetails } from '../../src/accounts/account-page.js';
import { CsrfField, ErrorSummary, Field, NewPasswordFields, Notice, SelectField } from '../components/form.js';

/** The account as the domain reads it; the view does not show its source. */
export type AccountView = Omit<AccountDetails, 'source'>;

export interface AccountAssignmentView {
  productName: string;
  edition: string;
  mode: 'subscription' | 'manual';
  endsOn: string | null;
  unitNames: string[];
  units: number;
  completed: number;
  status: string;
  createdAt: Date;
  requestId: string | null;
  origin: string | null;
  presetName: string | null;
  requestedBy: string | null;
  importBatchId: string | null;
}

export interface AccountHistoryView {
  at: Date;
  action: string;
  details?: Record<string, unknown>;
  actorName: string | null;
}

export interface AccountPageProps {
  csrfToken: string;
  account: AccountView;
  assignments: AccountAssignmentView[];
  history: AccountHistoryView[];
  groups: { id: string; name: string }[];
  tags: { id: string; name: string }[];
  notice?: string | null;
  error?: string | null;
  fields?: Record<string, string>;
  /** The edit form's values after a refused save (what was typed is kept). */
  values?: { firstName: string; lastName: string; email: string; groupId: string; tagIds: string[] } | null;
}

export function accountType(a: { kind: 'user' | 'administrator'; isSystemAdmin: boolean }): string {
  if (a.isSystemAdmin) return 'System administrator';
  return a.kind === 'administrator' ? 'Administrator' : 'User';
}

function when(d: Date | null): string {
  return d ? formatTime(d) : 'Never';
}

const HISTORY_WORDS: Record<string, string> = {
  'account.created': 'Account created',
  'account.edited': 'Details edited',
  'account.password_set': 'Password set by an administrator',
  'account.password_reset_sent': 'Password-reset email sent',
  'account.password_reset_used': 'New password chosen from the reset email',
  'account.password_changed': 'Password changed on Your Account',
  'account.email_changed': 'Email changed on Your Account',
  'account.signed_out_everywhere': 'Signed out everywhere',
  'account.deactivated': 'Deactivated',
  'account.reactivated': 'Reactivated',
  'account.tag_added': 'Tag added',
  'account.tag_removed': 'Tag removed',
  'account.moved_to_group': 'Moved to another group',
  'import.csv.create': 'Created by a CSV import',
  'import.csv.update': 'Updated by a CSV import',
  'import.classroom.create': 'Created by a Google Classroom import or sync',
  'import.classroom.update': 'Updated by a Google Classroom import or sync',
};

/** History lines that name the tag or group they are about (bulk actions keep its name). */
const NAMED_IN_HISTORY = new Set(['account.tag_added', 'account.tag_removed', 'account.moved_to_group']);

function AssignmentSource({ a }: { a: AccountAssignmentView }) {
  if (!a.requestId) return <span class="muted">—</span>;
  const by = a.requestedBy ? ` by ${a.requestedBy}` : '';
  if (a.importBatchId) return <a href={`/imports/${a.importBatchId}`}>Import{by}</a>;
  return (
    <a href={`/assignments/requests/${a.requestId}`}>
      {a.presetName ? `Mass assignment: ${a.presetName}` : 'Mass assignment'}
      {by}
    </a>
  );
}

function Details({ account }: { account: AccountView }) {
  return (
    <div class="card">
      <dl>
        <dt class="muted small">Email</dt>
        <dd>{account.email}</dd>
        <dt class="muted small">Type</dt>
        <dd>{accountType(account)}</dd>
        <dt class="muted small">Group</dt>
        <dd>{account.groupName ?? 'None'}</dd>
        <dt class="muted small">Tags</dt>
        <dd>{account.tags.length ? account.tags.map((t) => <span class="pill">{t.name}</span>) : 'None'}</dd>
        <dt class="muted small">Google</dt>
        <dd>{account.googleLinked ? 'Linked to a Google account' : 'Not linked'}</dd>
        <dt class="muted small">Created</dt>
        <dd>{when(account.createdAt)}</dd>
        <dt class="muted small">Last sign-in</dt>
        <dd>{when(account.lastSignInAt)}</dd>
        <dt class="muted small">Status</dt>
        <dd>{account.deactivatedAt ? `Deactivated on ${when(account.deactivatedAt)}` : 'Active'}</dd>
      </dl>
    </div>
  );
}

function Assignments({ assignments }: { assignments: AccountAssignmentView[] }) {
  return (
    <section class="card">
      <h2>Assignments</h2>
      {assignments.length === 0 ? (
        <p class="muted">No products are assigned to this account.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Edition</th>
                <th scope="col">Assignment</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Assigned</th>
              </tr>
            </thead>
            <tbody>
              {assignments.map((a) => (
                <tr>
                  <th scope="row">{a.productName}</th>
                  <td>{a.edition === 'enhanced' ? 'Enhanced' : 'Standard'}</td>
                  <td>{a.mode === 'subscription' ? `Subscription until ${a.endsOn}` : `Manual: ${a.unitNames.join(', ')}`}</td>
                  <td>{a.status}</td>
                  <td>
                    {a.completed} of {a.units} units completed
                  </td>
                  <td>
                    {when(a.createdAt)} · <AssignmentSource a={a} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** An import's line links to its result page while the import is kept. */
function HistoryWords({ h }: { h: AccountHistoryView }) {
  const words = HISTORY_WORDS[h.action] ?? h.action;
  const batchId = h.action.startsWith('import.') ? h.details?.batchId : undefined;
  return typeof batchId === 'string' ? <a href={`/imports/${batchId}`}>{words}</a> : words;
}

function History({ history }: { history: AccountHistoryView[] }) {
  return (
    <section class="card">
      <h2>History</h2>
      {history.length === 0 ? (
        <p class="muted">Nothing recorded yet.</p>
      ) : (
        <ul>
          {history.map((h) => (
            <li>
              {when(h.at)}: <HistoryWords h={h} />
              {NAMED_IN_HISTORY.has(h.action) && typeof h.details?.name === 'string' ? `: ${h.details.name}` : ''}
              {h.actorName ? ` (by ${h.actorName})` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function EditForm(props: AccountPageProps) {
  const { account } = props;
  const fields = props.fields ?? {};
  const v = props.values ?? {
    firstName: account.firstName,
    lastName: account.lastName,
    email: account.email,
    groupId: account.groupId ?? '',
    tagIds: account.tags.map((t) => t.id),
  };
  return (
    <section class="card narrow">
      <h2 id="edit">Edit account</h2>
      <ErrorSummary message={props.error ?? null} fields={fields} />
      <form method="post" action={`/accounts/${account.id}/edit`}>
        <CsrfField token={props.csrfToken} />
        <Field name="firstName" label="First name" value={v.firstName} error={fields.firstName} required maxlength={100} />
        <Field name="lastName" label="Last name" value={v.lastName} error={fields.lastName} required maxlength={100} />
        <Field name="email" label="Email" type="email" value={v.email} error={fields.email} required maxlength={254} />
        <SelectField
          name="groupId"
          label="Group"
          emptyLabel="No group"
          options={props.groups.map((g) => ({ value: g.id, label: g.name }))}
          value={v.groupId}
          error={fields.groupId}
        />
        <fieldset class="field">
          <legend>Tags</legend>
          {props.tags.map((t) => (
            <label class="check">
              <input type="checkbox" name="tagIds" value={t.id} checked={v.tagIds.includes(t.id)} /> {t.name}
            </label>
          ))}
        </fieldset>
        <button class="btn" type="submit">
          Save changes
        </button>
      </form>
    </section>
  );
}

function PasswordForms(props: AccountPageProps) {
  const { account } = props;
  const fields = props.fields ?? {};
  return (
    <section class="card narrow">
      <h2 id="password">Password and sessions</h2>
      <form method="post" action={`/accounts/${account.id}/password`}>
        <CsrfField token={props.csrfToken} />
        <Field
          name="password"
          label="New password"
          type="password"
          autocomplete="new-password"
          hint="At least 8 characters."
          error={fields.password}
        />
        <Field
          name="confirmPassword"
          label="Type the new password again"
          type="password"
          autocomplete="new-password"
          error={fields.confirmPassword}
        />
        <label class="check">
          <input type="checkbox" name="mustChangePassword" value="1" /> Ask for a new password at the next sign-in
        </label>
        <button class="btn secondary" type="submit">
          Set password
        </button>
      </form>
      <form method="post" action={`/accounts/${account.id}/password-reset`}>
        <CsrfField token={props.csrfToken} />
        <p class="muted small">Or email {account.email} a link to choose a new password (it works once, for one hour).</p>
        <button class="btn secondary" type="submit">
          Send password-reset email
        </button>
      </form>
      <form method="post" action={`/accounts/${account.id}/sign-out`}>
        <CsrfField token={props.csrfToken} />
        <button class="btn secondary" type="submit">
          Sign out everywhere
        </button>
      </form>
    </section>
  );
}

function StatusForms({ account, csrfToken }: { account: AccountView; csrfToken: string }) {
  if (account.isSelf) return <p class="muted small">You cannot deactivate or delete your own account.</p>;
  return (
    <section class="card narrow">
      <h2>Deactivate or delete</h2>
      <form method="post" action={`/accounts/${account.id}/${account.deactivatedAt ? 'reactivate' : 'deactivate'}`}>
        <CsrfField token={csrfToken} />
        <p class="muted small">
          {account.deactivatedAt
            ? 'Reactivating lets the account sign in again and take assignments.'
            : 'A deactivated account cannot sign in, is signed out everywhere now and is skipped by mass assign. Its assignments and progress are kept.'}
        </p>
        <button class="btn secondary" type="submit">
          {account.deactivatedAt ? 'Reactivate' : 'Deactivate'}
        </button>
      </form>
      <p>
        <a class="btn danger" href={`/accounts/${account.id}/delete`}>
          Delete account
        </a>
      </p>
    </section>
  );
}

export function AccountPage(props: AccountPageProps) {
  const { account } = props;
  return (
    <>
      <p>
        <a href="/accounts">← View Accounts</a>
      </p>
      <div class="page-head">
        <h1>{formatName(account)}</h1>
        {account.deactivatedAt ? <span class="pill badge-deactivated">Deactivated</span> : null}
      </div>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <Details account={account} />
      <Assignments assignments={props.assignments} />
      <History history={props.history} />
      {account.canChange ? (
        <>
          <EditForm {...props} />
          <PasswordForms {...props} />
          <StatusForms account={account} csrfToken={props.csrfToken} />
        </>
      ) : (
        <p class="muted">Only system administrators can change administrator accounts.</p>
      )}
    </>
  );
}

export function DeleteAccountPage(props: { csrfToken: string; account: AccountView; assignments: number; unitsWithProgress: number }) {
  const { account } = props;
  return (
    <>
      <h1>Delete {formatName(account)}?</h1>
      <Notice kind="warn">
        Deleting this account also deletes its {props.assignments} assignment{props.assignments === 1 ? '' : 's'} and the progress on{' '}
        {props.unitsWithProgress} unit{props.unitsWithProgress === 1 ? '' : 's'}, its tags and its sessions. This cannot be undone. To keep
        them, deactivate the account instead.
      </Notice>
      <form method="post" action={`/accounts/${account.id}/delete`}>
        <CsrfField token={props.csrfToken} />
        <button class="btn danger" type="submit">
          Delete account
        </button>{' '}
        <a href={`/accounts/${account.id}`}>Cancel</a>
      </form>
    </>
  );
}

export function ResetPasswordPage(props: {
  csrfToken: string;
  token: string;
  firstName: string;
  email: string;
  error?: string | null;
  fields?: Record<string, string>;
}) {
  const fields = props.fields ?? {};
  return (
    <div class="card narrow">
      <h1>Choose a new password</h1>
      <p>
        Hello {props.firstName}, choose a new password for {props.email}. Choosing it signs you out everywhere else.
      </p>
      <ErrorSummary message={props.error ?? null} fields={fields} />
      <form method="post" action={`/reset-password/${props.token}`}>
        <CsrfField token={props.csrfToken} />
        <NewPasswordFields fields={fields} name="password" />
        <button class="btn" type="submit">
          Save new password
        </button>
      </form>
    </div>
  );
}

export function ResetPasswordDonePage() {
  return (
    <div class="card narrow">
      <h1>Your password was changed</h1>
      <p>You were signed out everywhere. Sign in with your new password.</p>
      <p>
        <a class="btn" href="/sign-in">
          Sign in
        </a>
      </p>
    </div>
  );
}
