import { CsrfField, ErrorSummary, Field, Notice } from '../components/form.js';

export interface CreateAccountPageProps {
  csrfToken: string;
  isSystemAdmin: boolean;
  groups: { id: string; name: string }[];
  tags: { id: string; name: string }[];
  welcomeEmailEnabled: boolean;
  values: {
    firstName: string;
    lastName: string;
    email: string;
    kind: string;
    isSystemAdmin: boolean;
    groupId: string;
    managedGroupIds: string[];
    tagIds: string[];
    mustChangePassword: boolean;
    sendWelcomeEmail: boolean;
  };
  error?: string | null;
  fields?: Record<string, string>;
  created?: { name: string; email: string } | null;
}

export const EMPTY_CREATE_ACCOUNT_VALUES: CreateAccountPageProps['values'] = {
  firstName: '',
  lastName: '',
  email: '',
  kind: 'user',
  isSystemAdmin: false,
  groupId: '',
  managedGroupIds: [],
  tagIds: [],
  mustChangePassword: true,
  sendWelcomeEmail: true,
};

function FieldError({ name, fields }: { name: string; fields: Record<string, string> }) {
  return fields[name] ? (
    <span class="error" id={`${name}-error`}>
      {fields[name]}
    </span>
  ) : null;
}

export function CreateAccountPage(props: CreateAccountPageProps) {
  const fields = props.fields ?? {};
  const v = props.values;
  return (
    <>
      <div class="page-head">
        <h1>Create Account</h1>
        <a class="btn secondary" href="/imports">
          Use Batch Import
        </a>
      </div>
      <p class="muted">
        Create one account here. To create many accounts at once from a CSV file or from Google Classroom, choose <b>Use Batch Import</b>.
      </p>
      {props.created ? (
        <Notice kind="ok">
          The account for {props.created.name} ({props.created.email}) was created. Create another below, or go to{' '}
          <a href="/accounts">View Accounts</a>.
        </Notice>
      ) : null}
      <div class="card narrow">
        <ErrorSummary message={props.error ?? null} fields={fields} />
        <form method="post" action="/accounts/new" novalidate>
          <CsrfField token={props.csrfToken} />
          <Field
            name="firstName"
            label="First name"
            value={v.firstName}
            error={fields.firstName}
            autocomplete="off"
            maxlength={100}
            required
          />
          <Field name="lastName" label="Last name" value={v.lastName} error={fields.lastName} autocomplete="off" maxlength={100} required />
          <Field name="email" label="Email" type="email" value={v.email} error={fields.email} autocomplete="off" maxlength={254} required />

          {props.isSystemAdmin ? (
            <fieldset class="field" id="kind">
              <legend>Account Type</legend>
              <FieldError name="kind" fields={fields} />
              <div class="choices">
                <label>
                  <input type="radio" name="kind" value="user" checked={v.kind !== 'administrator'} /> User
                </label>
                <label>
                  <input type="radio" name="kind" value="administrator" checked={v.kind === 'administrator'} /> Administrator
                </label>
                <label class="small">
                  <input type="checkbox" name="isSystemAdmin" value="1" checked={v.isSystemAdmin} /> Make this administrator a system
                  administrator (manages the whole organisation)
                </label>
              </div>
            </fieldset>
          ) : (
            <input type="hidden" name="kind" value="user" />
          )}

          <div class="field">
            <label for="groupId">Group</label>
            <span class="hint">{props.isSystemAdmin ? 'Required for users.' : 'One of the groups you manage.'}</span>
            <FieldError name="groupId" fields={fields} />
            <select id="groupId" name="groupId" aria-invalid={fields.groupId ? 'true' : undefined}>
              <option value="">{props.isSystemAdmin ? 'No group' : 'Choose a group'}</option>
              {props.groups.map((g) => (
                <option value={g.id} selected={g.id === v.groupId}>
                  {g.name}
                </option>
              ))}
            </select>
          </div>

          {props.isSystemAdmin ? (
            <fieldset class="field" id="managedGroupIds">
              <legend>Groups this administrator manages</legend>
              <span class="hint">Only for administrators who are not system administrators.</span>
              <FieldError name="managedGroupIds" fields={fields} />
              <div class="choices">
                {props.groups.map((g) => (
                  <label>
                    <input type="checkbox" name="managedGroupIds" value={g.id} checked={v.managedGroupIds.includes(g.id)} /> {g.name}
                  </label>
                ))}
              </div>
            </fieldset>
          ) : null}

          {props.tags.length > 0 ? (
            <fieldset class="field">
              <legend>Tags</legend>
              <div class="choices">
                {props.tags.map((t) => (
                  <label>
                    <input type="checkbox" name="tagIds" value={t.id} checked={v.tagIds.includes(t.id)} /> {t.name}
                  </label>
                ))}
              </div>
            </fieldset>
          ) : null}

          <Field
            name="password"
            label="Password"
            type="password"
            error={fields.password}
            autocomplete="new-password"
            hint="At least 8 characters."
            required
          />
          <Field
            name="confirmPassword"
            label="Type the password again"
            type="password"
            error={fields.confirmPassword}
            autocomplete="new-password"
            required
          />
          <div class="field">
            <label class="inline">
              <input type="checkbox" name="mustChangePassword" value="1" checked={v.mustChangePassword} /> Ask for a new password at first
              sign-in
            </label>
          </div>
          <div class="field">
            {props.welcomeEmailEnabled ? (
              <label class="inline">
                <input type="checkbox" name="sendWelcomeEmail" value="1" checked={v.sendWelcomeEmail} /> Send Welcome Email
              </label>
            ) : (
              <p class="muted small" id="welcome-unavailable">
                Send Welcome Email is not available: welcome emails are turned off for your organisation.
              </p>
            )}
          </div>
          <div class="actions">
            <button class="btn" type="submit">
              Create Account
            </button>
            <a href="/accounts">Cancel</a>
          </div>
        </form>
      </div>
    </>
  );
}
