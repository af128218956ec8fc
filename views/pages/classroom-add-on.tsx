import type { Child } from 'hono/jsx';
import type { AddOnLaunch, AddOnState } from '../../src/classroom/add-on.js';
import { CsrfField, Notice } from '../components/form.js';
import { SyncState } from './classroom.js';

/**
 * The add-on's attachment-discovery page, shown inside Google Classroom's iframe. Links that
 * leave the frame open a new tab: Google's sign-in and our other pages refuse to be framed.
 * Sign-in happens in a popup (/static/add-on.js opens it and takes the hand-off), so it works
 * where the browser blocks third-party cookies; without the script the link opens a tab.
 */
export function AddOnDiscoveryPage(props: { csrfToken: string; state: AddOnState; launch: AddOnLaunch; here: string }) {
  const { state, launch } = props;
  const connectUrl = `/classroom/connect?${new URLSearchParams({ returnTo: props.here, ...(launch.login_hint ? { login_hint: launch.login_hint } : {}) })}`;
  return (
    <div class="card addon">
      <h1>Rosterbridge for Google Classroom</h1>
      {state.kind === 'sign-in' ? (
        <>
          <p>Sign in to see this class’s accounts in Rosterbridge, import its students or keep them in sync.</p>
          <a
            class="btn"
            href={`/classroom-add-on/popup?${new URLSearchParams(launchParams(launch))}`}
            target="_blank"
            rel="opener"
            data-add-on-popup
          >
            Sign in with Google
          </a>
          <p class="muted small" data-add-on-status role="status"></p>
          <p class="muted small">
            Opens in a small window. First time here?{' '}
            <a href={`/sign-in?next=${encodeURIComponent(connectUrl)}`} target="_blank" rel="opener">
              Sign in with your email and password
            </a>{' '}
            and connect Google Classroom once.
          </p>
        </>
      ) : state.kind === 'connect' ? (
        <>
          <p>
            {state.reconnect
              ? 'Google no longer accepts your connection.'
              : 'Your Rosterbridge account is not connected to Google Classroom yet.'}
          </p>
          <a class="btn" href={connectUrl} target="_blank" rel="opener">
            Sign in with Google
          </a>
        </>
      ) : state.kind === 'other-account' ? (
        <>
          <Notice kind="warn">
            Classroom opened this as a different Google account from the one connected to your Rosterbridge account ({state.googleEmail}).
          </Notice>
          <a class="btn" href={connectUrl} target="_blank" rel="opener">
            Sign in with Google
          </a>
        </>
      ) : state.kind === 'linked' ? (
        <>
          <p>
            <b>{state.link.courseName}</b> is in Rosterbridge: {state.link.members} students in {state.link.groupName ?? 'no group'} ·{' '}
            <SyncState link={state.link} />
          </p>
          <div class="actions">
            <form method="post" action={`/classroom-add-on/sync?${new URLSearchParams(launchParams(launch))}`}>
              <CsrfField token={props.csrfToken} />
              <button class="btn" type="submit">
                Sync now
              </button>
            </form>
            <a href={`/classroom/links/${state.link.id}`} target="_blank" rel="noopener">
              Open in Rosterbridge
            </a>
          </div>
        </>
      ) : (
        <>
          <p>This class is not in Rosterbridge yet.</p>
          <a class="btn" href={`/classroom/import?courseId=${encodeURIComponent(launch.courseId)}`} target="_blank" rel="noopener">
            Import
          </a>
        </>
      )}
    </div>
  );
}

/**
 * The popup's last page: hands the frame a single-use token (by postMessage, to our own origin
 * only) and closes. Opened without a frame to talk to, it says what to do instead.
 */
export function AddOnHandoffPage(props: { token: string; origin: string }) {
  return (
    <div class="card addon" data-add-on-handoff data-token={props.token} data-origin={props.origin}>
      <h1>You are signed in</h1>
      <p>Go back to Google Classroom; the Rosterbridge add-on shows your class now. If it does not, reload it there.</p>
    </div>
  );
}

export function launchParams(launch: AddOnLaunch): Record<string, string> {
  const out: Record<string, string> = { courseId: launch.courseId };
  if (launch.itemId) out.itemId = launch.itemId;
  if (launch.addOnToken) out.addOnToken = launch.addOnToken;
  if (launch.login_hint) out.login_hint = launch.login_hint;
  return out;
}

/**
 * The add-on's own document: Classroom's frame is small and has its own chrome, so no site
 * navigation; the same stylesheet and the CSRF header for htmx.
 */
export function AddOnDocument(props: { title: string; csrfToken: string; sandbox: boolean; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Rosterbridge`}</title>
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/add-on.js" defer></script>
      </head>
      <body class="addon-body" hx-headers={JSON.stringify({ 'X-CSRF-Token': props.csrfToken })}>
        {props.sandbox ? <div class="sandbox-banner">Google sandbox: demo data, not Google</div> : null}
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}
