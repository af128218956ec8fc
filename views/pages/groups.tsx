import { NameForm, type NameFormState } from '../components/name-form.js';
import { countOf } from '../format.js';
import { CsrfField, ErrorSummary, Notice, SelectField } from '../components/form.js';

export interface GroupRowView {
  id: string;
  name: string;
  accountCount: number;
  administrators: { id: string; name: string; email: string }[];
}

type FormState = NameFormState;

/** Groups: system administrators create and manage them; group administrators see theirs, read-only. */
export function GroupsPage(props: {
  csrfToken: string;
  isSystemAdmin: boolean;
  groups: GroupRowView[];
  notice?: string | null;
  create?: FormState;
}) {
  const create = props.create ?? {};
  return (
    <>
      <h1>Groups</h1>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <p class="muted">
        {props.isSystemAdmin
          ? 'Every user account belongs to a group. Group administrators manage the accounts of the groups they are given.'
          : 'The groups you manage. Only a system administrator can create, rename or delete groups.'}
      </p>
      {props.groups.length === 0 ? (
        <p>{props.isSystemAdmin ? 'There are no groups yet. Create the first one below.' : 'You do not manage any group yet.'}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Groups</caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Accounts</th>
                <th scope="col">Group administrators</th>
                {props.isSystemAdmin ? (
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {props.groups.map((g) => (
                <tr>
                  <td>{g.name}</td>
                  <td>
                    <a href={`/accounts?groupId=${g.id}`}>{countOf(g.accountCount, 'account', 'accounts')}</a>
                  </td>
                  <td>{g.administrators.length ? g.administrators.map((a) => a.name).join(', ') : <span class="muted">None</span>}</td>
                  {props.isSystemAdmin ? (
                    <td>
                      <a href={`/groups/${g.id}`} aria-label={`Manage ${g.name}`}>
                        Manage
                      </a>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.isSystemAdmin ? (
        <NameForm
          action="/groups"
          heading="Create Group"
          label="Group name"
          button="Create Group"
          csrfToken={props.csrfToken}
          state={create}
        />
      ) : null}
    </>
  );
}

/** One group, for system administrators: rename it, choose its group administrators, or go to delete it. */
export function GroupPage(props: {
  csrfToken: string;
  group: GroupRowView;
  candidates: { id: string; name: string; email: string }[];
  notice?: string | null;
  rename?: FormState;
  administrators?: FormState;
}) {
  const rename = props.rename ?? {};
  const admins = props.administrators ?? {};
  const chosen = new Set(props.group.administrators.map((a) => a.id));
  return (
    <>
      <p>
        <a href="/groups">Back to Groups</a>
      </p>
      <h1>{props.group.name}</h1>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <p>
        <a href={`/accounts?groupId=${props.group.id}`}>{countOf(props.group.accountCount, 'account', 'accounts')}</a> in this group.
      </p>
      <NameForm
        action={`/groups/${props.group.id}/rename`}
        heading="Rename"
        label="Group name"
        button="Rename Group"
        csrfToken={props.csrfToken}
        state={rename}
        value={props.group.name}
      />
      <form method="post" action={`/groups/${props.group.id}/administrators`} class="card narrow">
        <h2>Group administrators</h2>
        <ErrorSummary message={admins.error ?? null} fields={admins.fields ?? {}} />
        <CsrfField token={props.csrfToken} />
        {props.candidates.length === 0 ? (
          <p>There are no administrators to choose yet. Create an administrator account first (Create Account, type Administrator).</p>
        ) : (
          <fieldset class="field" id="accountIds">
            <legend>Administrators who manage this group</legend>
            <span class="hint">System administrators manage every group and are not listed.</span>
            <div class="choices">
              {props.candidates.map((a) => (
                <label>
                  <input type="checkbox" name="accountIds" value={a.id} checked={chosen.has(a.id)} /> {a.name} ({a.email})
                </label>
              ))}
            </div>
          </fieldset>
        )}
        {props.candidates.length > 0 ? (
          <button class="btn" type="submit">
            Save Group Administrators
          </button>
        ) : null}
      </form>
      <div class="card narrow">
        <h2>Delete</h2>
        <p>Deleting a group never deletes its accounts: you choose where they go.</p>
        <a class="btn danger" href={`/groups/${props.group.id}/delete`}>
          Delete Group
        </a>
      </div>
    </>
  );
}

/** Asks what happens to the group's accounts before the group is deleted. */
export function DeleteGroupPage(props: {
  csrfToken: string;
  group: GroupRowView;
  otherGroups: { id: string; name: string }[];
  error?: string | null;
  fields?: Record<string, string>;
}) {
  const n = props.group.accountCount;
  return (
    <>
      <h1>Delete {props.group.name}?</h1>
      <ErrorSummary message={props.error ?? null} fields={props.fields ?? {}} />
      <form method="post" action={`/groups/${props.group.id}/delete`} class="card narrow">
        <CsrfField token={props.csrfToken} />
        {n === 0 ? (
          <p>This group has no accounts.</p>
        ) : (
          <>
            <p>
              This group has {countOf(n, 'account', 'accounts')}. No account is deleted with the group. What should happen to{' '}
              {n === 1 ? 'it' : 'them'}?
            </p>
            <SelectField
              name="moveToGroupId"
              label="Move its accounts to"
              options={props.otherGroups.map((g) => ({ value: g.id, label: g.name }))}
              emptyLabel="No group (leave them without a group)"
              error={props.fields?.moveToGroupId}
            />
          </>
        )}
        <div class="actions">
          <button class="btn danger" type="submit">
            Delete Group
          </button>
          <a href={`/groups/${props.group.id}`}>Cancel</a>
        </div>
      </form>
    </>
  );
}
