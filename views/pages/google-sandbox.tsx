import type { SandboxOverview } from '../../src/classroom/sandbox/controls.js';
import { CsrfField, Notice } from '../components/form.js';

/** Pages of the built-in Google sandbox. Every one says plainly that it is not Google. */

const SCOPE_LABELS: Record<string, string> = {
  openid: 'Associate you with your personal info on Google',
  email: 'See your primary Google Account email address',
  profile: 'See your personal info, including any personal info you have made publicly available',
  'https://www.googleapis.com/auth/classroom.courses.readonly': 'View your Google Classroom classes',
  'https://www.googleapis.com/auth/classroom.rosters.readonly': 'View your Google Classroom class rosters',
  'https://www.googleapis.com/auth/classroom.profile.emails': 'View the email addresses of people in your classes',
};

export interface ConsentProps {
  csrfToken: string;
  params: Record<string, string>;
  accounts: { id: string; email: string; name: string; note: string | null }[];
  scopes: string[];
  clientName: string;
}

export function SandboxConsentPage(props: ConsentProps) {
  return (
    <div class="card narrow sandbox-consent">
      <p class="muted small">Google sandbox · Sign in with Google (simulated)</p>
      <h1>Choose an account</h1>
      <p>
        to continue to <b>{props.clientName}</b>
      </p>
      <form method="post" action="/google-sandbox/o/oauth2/v2/auth">
        <CsrfField token={props.csrfToken} />
        {Object.entries(props.params).map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <fieldset>
          <legend>Demo Google accounts</legend>
          <div class="choices">
            {props.accounts.map((a, i) => (
              <label>
                <input type="radio" name="account" value={a.id} checked={i === 0} />
                <span>
                  <b>{a.name}</b> · {a.email}
                  {a.note ? <span class="hint small"> ({a.note})</span> : null}
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <h2>{props.clientName} wants to access your Google Account</h2>
        <input type="hidden" name="scopeChoice" value="1" />
        <div class="choices">
          {props.scopes.map((s) =>
            s.includes('classroom') ? (
              <label>
                <input type="checkbox" name="granted" value={s} checked /> {SCOPE_LABELS[s] ?? s}
              </label>
            ) : (
              <span>· {SCOPE_LABELS[s] ?? s}</span>
            ),
          )}
        </div>
        <div class="actions">
          <button class="btn" type="submit" name="decision" value="allow">
            Allow
          </button>
          <button class="btn secondary" type="submit" name="decision" value="deny">
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}

export function SandboxErrorPage({ error, description }: { error: string; description: string }) {
  return (
    <div class="card narrow">
      <p class="muted small">Google sandbox</p>
      <h1>Access blocked: this request is invalid</h1>
      <p>
        Error 400: <code>{error}</code>
      </p>
      <p>{description}</p>
    </div>
  );
}

export function SandboxHomePage({
  csrfToken,
  overview,
  notice,
  appOrigin,
}: {
  csrfToken: string;
  overview: SandboxOverview;
  notice?: string | null;
  appOrigin: string;
}) {
  return (
    <>
      <h1>Google sandbox</h1>
      <p>
        This stands in for Google while <code>GOOGLE_CLIENT_ID</code> is not set: a simulated sign-in screen and the Google Classroom API
        Rosterbridge calls, over demo classes. Nothing here talks to Google. Change a roster below, then use <b>Sync now</b> on the course
        link in Rosterbridge to see the change arrive.
      </p>
      {notice ? <Notice kind="ok">{notice}</Notice> : null}
      <section class="card">
        <h2>Google API faults</h2>
        <p>
          {overview.apiDisabled
            ? 'The Classroom API answers 403 ClassroomApiDisabled.'
            : overview.fault
              ? `The Classroom API answers ${overview.fault.status} until ${overview.fault.until.toISOString().slice(11, 19)} UTC.`
              : 'The Classroom API answers normally.'}
        </p>
        <form method="post" action="/google-sandbox/controls/fault" class="filters">
          <CsrfField token={csrfToken} />
          <div class="field">
            <label for="fault-status">Answer</label>
            <select id="fault-status" name="status">
              <option value="429">429 Too Many Requests</option>
              <option value="503">503 Service Unavailable</option>
              <option value="500">500 Internal Error</option>
              <option value="none">Normally</option>
            </select>
          </div>
          <div class="field">
            <label for="fault-seconds">For (seconds)</label>
            <input id="fault-seconds" name="seconds" type="number" value="30" min="1" max="3600" />
          </div>
          <button class="btn secondary" type="submit">
            Apply
          </button>
        </form>
        <form method="post" action="/google-sandbox/controls/api-disabled">
          <CsrfField token={csrfToken} />
          <input type="hidden" name="disabled" value={overview.apiDisabled ? '0' : '1'} />
          <button class="btn secondary" type="submit">
            {overview.apiDisabled ? 'Turn the Classroom API back on' : 'Answer 403 ClassroomApiDisabled'}
          </button>
        </form>
      </section>
      <section class="card">
        <h2>Demo Google accounts</h2>
        <ul>
          {overview.accounts.map((a) => (
            <li>
              <b>{a.name}</b> · {a.email}
              {a.note ? <span class="muted small"> · {a.note}</span> : null}
            </li>
          ))}
        </ul>
      </section>
      {overview.courses.map((c) => (
        <section class="card" id={`course-${c.id}`}>
          <h2>
            {c.name}
            {c.section ? ` · ${c.section}` : ''} <span class="pill">{c.state}</span>
          </h2>
          <p class="muted small">
            Course {c.id} · teacher {c.ownerEmail} · {c.students.length} students ·{' '}
            <a href={`/google-sandbox/classroom/${c.id}/add-on`}>Open the Rosterbridge add-on in this class</a>
          </p>
          <details>
            <summary>Roster</summary>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Student</th>
                    <th>Email</th>
                    <th>Google id</th>
                    <th>
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {c.students.map((s) => (
                    <tr>
                      <td>{s.name}</td>
                      <td>{s.emailHidden ? <span class="muted">hidden from teachers ({s.email})</span> : s.email}</td>
                      <td>{s.id}</td>
                      <td>
                        <form method="post" action="/google-sandbox/controls/remove">
                          <CsrfField token={csrfToken} />
                          <input type="hidden" name="courseId" value={c.id} />
                          <input type="hidden" name="userId" value={s.id} />
                          <button class="btn secondary" type="submit" aria-label={`Remove ${s.name} from ${c.name}`}>
                            Remove
                          </button>
                        </form>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
          <form method="post" action="/google-sandbox/controls/add" class="filters">
            <CsrfField token={csrfToken} />
            <input type="hidden" name="courseId" value={c.id} />
            <div class="field">
              <label for={`add-given-${c.id}`}>First name</label>
              <input id={`add-given-${c.id}`} name="givenName" type="text" />
            </div>
            <div class="field">
              <label for={`add-family-${c.id}`}>Last name</label>
              <input id={`add-family-${c.id}`} name="familyName" type="text" />
            </div>
            <div class="field">
              <label for={`add-email-${c.id}`}>Email</label>
              <input id={`add-email-${c.id}`} name="email" type="email" />
            </div>
            <button class="btn secondary" type="submit">
              Add student to {c.name}
            </button>
          </form>
          <form method="post" action="/google-sandbox/controls/rename" class="filters">
            <CsrfField token={csrfToken} />
            <div class="field">
              <label for={`rename-user-${c.id}`}>Student</label>
              <select id={`rename-user-${c.id}`} name="userId">
                {c.students.map((s) => (
                  <option value={s.id}>{s.name}</option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={`rename-given-${c.id}`}>New first name</label>
              <input id={`rename-given-${c.id}`} name="givenName" type="text" />
            </div>
            <div class="field">
              <label for={`rename-family-${c.id}`}>New last name</label>
              <input id={`rename-family-${c.id}`} name="familyName" type="text" />
            </div>
            <button class="btn secondary" type="submit">
              Rename student
            </button>
          </form>
          <form method="post" action="/google-sandbox/controls/remove-many" class="filters">
            <CsrfField token={csrfToken} />
            <input type="hidden" name="courseId" value={c.id} />
            <div class="field">
              <label for={`remove-many-${c.id}`}>Remove this many students at once</label>
              <input id={`remove-many-${c.id}`} name="count" type="number" min="1" value="5" />
            </div>
            <button class="btn secondary" type="submit">
              Remove students
            </button>
          </form>
        </section>
      ))}
      <p class="muted small">Sandbox API root: {appOrigin}/google-sandbox/</p>
    </>
  );
}

/** Plays Classroom's add-on frame: Classroom opens the add-on's discovery URL in an iframe with these query parameters. */
export function SandboxAddOnFramePage(props: { courseName: string; frameUrl: string; teacherEmail: string }) {
  return (
    <>
      <h1>{props.courseName} · Classwork (simulated)</h1>
      <p class="muted">
        Google sandbox: this plays Google Classroom opening the Rosterbridge add-on for {props.teacherEmail}. The frame below loads{' '}
        <code>{props.frameUrl}</code>.
      </p>
      <iframe class="addon-frame" title="Rosterbridge add-on" src={props.frameUrl}></iframe>
    </>
  );
}
