import { CsrfField, Notice } from '../components/form.js';

/** Connecting to Google Classroom: the connect button, the email-match page, a failed consent. */

export function ConnectButton({
  csrfToken,
  returnTo,
  label = 'Connect to Google Classroom',
}: {
  csrfToken: string;
  returnTo?: string;
  label?: string;
}) {
  return (
    <form method="post" action="/classroom/connect">
      <CsrfField token={csrfToken} />
      {returnTo ? <input type="hidden" name="returnTo" value={returnTo} /> : null}
      <button class="btn" type="submit">
        {label}
      </button>
    </form>
  );
}

/** The article's first step: give access, with the email rule stated before anyone clicks. */
export function ConnectPage(props: { csrfToken: string; email: string; sandbox: boolean; reconnect: boolean; message?: string | null }) {
  return (
    <>
      <h1>Batch import using Google Classroom</h1>
      {props.reconnect ? (
        <Notice kind="warn">
          {props.message ?? 'Google no longer accepts your connection. Connect again to keep importing and syncing your classes.'}
        </Notice>
      ) : null}
      <div class="card narrow">
        <p>To import from Google Classroom, you need to give Rosterbridge access to your Google Classroom.</p>
        <p>
          Your email address in Rosterbridge must match the email address you use to access Google Classroom. Yours is <b>{props.email}</b>.{' '}
          <a href="/account#change-email">Change your email address on Your Account</a> if you use a different one in Google Classroom.
        </p>
        <p class="muted small">
          Rosterbridge asks to view your classes, their rosters and your students’ email addresses. It never changes anything in Google
          Classroom. You can disconnect at any time.
        </p>
        {props.sandbox ? (
          <p class="muted small">
            This server has no Google client configured, so the built-in <a href="/google-sandbox">Google sandbox</a> plays Google.
          </p>
        ) : null}
        <ConnectButton
          csrfToken={props.csrfToken}
          returnTo="/classroom/import"
          label={props.reconnect ? 'Connect to Google Classroom again' : 'Connect to Google Classroom'}
        />
      </div>
    </>
  );
}

/** The Google account's email is not the Rosterbridge one: what the article's troubleshooting steps say to do. */
export function EmailMismatchPage(props: { csrfToken: string; googleEmail: string; email: string }) {
  return (
    <>
      <h1>Your email addresses do not match</h1>
      <div class="card">
        <p>
          To import from Google Classroom, your email address in Rosterbridge must match the email address you use to access Google
          Classroom.
        </p>
        <p>
          You allowed access as <b>{props.googleEmail}</b>, but your Rosterbridge email is <b>{props.email}</b>. Nothing was connected.
        </p>
        <h2>Try these steps</h2>
        <ol>
          <li>
            Change your email address in Rosterbridge to <b>{props.googleEmail}</b> on <a href="/account#change-email">Your Account</a>,
            then connect again. Or connect again and choose the Google account whose email is <b>{props.email}</b>.
            <div class="actions">
              <ConnectButton csrfToken={props.csrfToken} returnTo="/classroom/import" label="Connect to Google Classroom again" />
            </div>
          </li>
          <li>
            If all else fails, export your users from Google Classroom as a CSV file and import them with{' '}
            <a href="/imports/csv">Import from CSV</a>.
          </li>
        </ol>
      </div>
    </>
  );
}

export function ConsentProblemPage(props: { csrfToken: string; message: string }) {
  return (
    <>
      <h1>Google Classroom was not connected</h1>
      <div class="card narrow">
        <Notice kind="bad">{props.message}</Notice>
        <ConnectButton csrfToken={props.csrfToken} returnTo="/classroom/import" />
      </div>
    </>
  );
}

export function GoogleSignInProblemPage({ message }: { message: string }) {
  return (
    <>
      <h1>Sign in with Google</h1>
      <div class="card narrow">
        <Notice kind="warn">{message}</Notice>
        <p>
          <a class="btn" href="/sign-in">
            Sign in with email and password
          </a>
        </p>
      </div>
    </>
  );
}
