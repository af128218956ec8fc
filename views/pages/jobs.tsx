import { formatTime } from '../format.js';
import type { OrganisationJob } from '../../src/job-queue/list.js';
import { CsrfField, Notice } from '../components/form.js';

function when(date: Date): string {
  return formatTime(date);
}

function JobRow({ job, csrfToken }: { job: OrganisationJob; csrfToken: string }) {
  return (
    <tr>
      <td>{job.kind}</td>
      <td>{job.href ? <a href={job.href}>{job.label}</a> : job.label}</td>
      <td>{job.state}</td>
      <td>
        {job.attempts} of {job.maxAttempts}
      </td>
      <td>{job.lastError ?? <span class="muted">None</span>}</td>
      <td>{job.state === 'retrying' || job.state === 'queued' ? `Next try ${when(job.runAt)}` : `Queued ${when(job.createdAt)}`}</td>
      <td>
        {job.state === 'failed for good' ? (
          <form method="post" action={`/jobs/${job.id}/retry`}>
            <CsrfField token={csrfToken} />
            <button class="btn secondary" type="submit">
              Retry
            </button>
          </form>
        ) : null}
      </td>
    </tr>
  );
}

/** The organisation's background work still in the queue, for system administrators. */
export function JobsPage(props: { jobs: OrganisationJob[]; csrfToken: string; notice?: string | null; error?: string | null }) {
  return (
    <>
      <h1>Jobs</h1>
      <p class="muted">
        Imports, mass assignments, Classroom syncs and emails of your organisation that are queued, running, being retried or that failed
        for good. Finished work leaves this list. A job that failed for good can be retried once the cause is fixed.
      </p>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      {props.error ? <Notice kind="bad">{props.error}</Notice> : null}
      {props.jobs.length === 0 ? (
        <p>No jobs are waiting, running or failed.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Kind</th>
              <th>About</th>
              <th>State</th>
              <th>Attempts</th>
              <th>Last error</th>
              <th>When</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.jobs.map((job) => (
              <JobRow job={job} csrfToken={props.csrfToken} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
