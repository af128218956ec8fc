import { CsrfField, ErrorSummary, Field, NewPasswordFields, Notice } from '../components/form.js';

export interface YourAccountProps {
  csrfToken: string;
  name: string;
  email: string;
  kind: 'user' | 'administrator';
  isSystemAdmin: boolean;
  groupName: string | null;
  notice?: string | null;
  passwordError?: string | null;
  emailError?: string | null;
  fields?: Record<string, string>;
  emailValue?: string;
}

export function YourAccountPage(props: YourAccountProps) {
  const fields = props.fields ?? {};
  const role = props.isSystemAdmin ? 'System administrator' : props.kind === 'administrator' ? 'Administrator' : 'User';
  return (
    <>
      <h1>Your Account</h1>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <div class="card">
        <dl>
          <dt class="muted small">Name</dt>
          <dd>{props.name}</dd>
          <dt class="muted small">Email</dt>
          <dd>{props.email}</dd>
          <dt class="muted small">Account type</dt>
          <dd>{role}</dd>
          {props.groupName ? (
            <>
              <dt class="muted small">Group</dt>
              <dd>{props.groupName}</dd>
            </>
          ) : null}
        </dl>
      </div>
      <div class="card narrow">
        <h2 id="change-email">Change your email</h2>
        <p class="muted small">To import from Google Classroom, this must be the email address you use to sign in to Google Classroom.</p>
        <ErrorSummary message={props.emailError ?? null} fields={pick(fields, ['email', 'emailCurrentPassword'])} />
        <form method="post" action="/account/email">
          <CsrfField token={props.csrfToken} />
          <Field
            name="email"
            label="New email"
            type="email"
            value={props.emailValue ?? props.email}
            autocomplete="email"
            error={fields.email}
            required
          />
          <Field
            name="emailCurrentPassword"
            label="Current password"
            type="password"
            autocomplete="current-password"
            error={fields.emailCurrentPassword}
            required
          />
          <button class="btn" type="submit">
            Change email
          </button>
        </form>
      </div>
      <div class="card narrow">
        <h2 id="change-password">Change your password</h2>
        <ErrorSummary message={props.passwordError ?? null} fields={pick(fields, ['currentPassword', 'newPassword', 'confirmPassword'])} />
        <form method="post" action="/account/password">
          <CsrfField token={props.csrfToken} />
          <Field
            name="currentPassword"
            label="Current password"
            type="password"
            autocomplete="current-password"
            error={fields.currentPassword}
            required
          />
          <NewPasswordFields fields={fields} />
          <button class="btn" type="submit">
            Change password
          </button>
        </form>
      </div>
    </>
  );
}

function pick(fields: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => keys.includes(k)));
}
