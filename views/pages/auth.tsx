import { CsrfField, ErrorSummary, Field, NewPasswordFields } from '../components/form.js';

export function SignInPage(props: { csrfToken: string; email?: string; next?: string; error?: string | null }) {
  return (
    <div class="card narrow">
      <h1>Sign in</h1>
      <ErrorSummary message={props.error ?? null} />
      <form method="post" action="/sign-in">
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="next" value={props.next ?? ''} />
        <Field name="email" label="Email" type="email" value={props.email} autocomplete="username" required />
        <Field name="password" label="Password" type="password" autocomplete="current-password" required />
        <div class="actions">
          <button class="btn" type="submit">
            Sign in
          </button>
        </div>
      </form>
    </div>
  );
}

export function ChangePasswordPage(props: { csrfToken: string; forced: boolean; error?: string | null; fields?: Record<string, string> }) {
  const fields = props.fields ?? {};
  return (
    <div class="card narrow">
      <h1>Create a new password</h1>
      {props.forced ? <p>Your administrator asks you to choose a new password before you continue.</p> : null}
      <ErrorSummary message={props.error ?? null} fields={fields} />
      <form method="post" action="/change-password">
        <CsrfField token={props.csrfToken} />
        <NewPasswordFields fields={fields} />
        <div class="actions">
          <button class="btn" type="submit">
            Save password
          </button>
        </div>
      </form>
    </div>
  );
}

/** The page a one-time sign-in link opens: the person chooses their password, then is signed in. */
export function SignInLinkPage(props: {
  csrfToken: string;
  action: string;
  email: string | null;
  error?: string | null;
  fields?: Record<string, string>;
}) {
  const fields = props.fields ?? {};
  if (props.email === null) {
    return (
      <div class="card narrow">
        <h1>This link does not work any more</h1>
        <p>{props.error ?? 'This sign-in link has expired or was already used. Ask whoever sent it for a new one.'}</p>
        <p>
          <a href="/sign-in">Go to Sign in</a>
        </p>
      </div>
    );
  }
  return (
    <div class="card narrow">
      <h1>Choose your password</h1>
      <p>You are signing in as {props.email}. Choose a password; this link then stops working.</p>
      <ErrorSummary message={props.error ?? null} fields={fields} />
      <form method="post" action={props.action}>
        <CsrfField token={props.csrfToken} />
        <NewPasswordFields fields={fields} />
        <div class="actions">
          <button class="btn" type="submit">
            Save password and sign in
          </button>
        </div>
      </form>
    </div>
  );
}
