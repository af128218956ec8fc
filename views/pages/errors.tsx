export function NotFoundPage() {
  return (
    <div class="card narrow">
      <h1>Page not found</h1>
      <p>This page does not exist, or you do not have access to it. Check the address, or go back to the start page.</p>
      <p>
        <a class="btn" href="/">
          Go to the start page
        </a>
      </p>
    </div>
  );
}

export function ErrorPage({ title, message, requestId }: { title: string; message: string; requestId?: string }) {
  return (
    <div class="card narrow">
      <h1>{title}</h1>
      <p>{message}</p>
      {requestId ? (
        <p class="muted">
          Request id: <code>{requestId}</code>
        </p>
      ) : null}
      <p>
        <a class="btn secondary" href="/">
          Go to the start page
        </a>
      </p>
    </div>
  );
}

/**
 * A form or query the input layer refused (src/http/input/validate.ts): what is wrong with each
 * field, in the field's own words, and the way back to the form, where the browser kept what was typed.
 */
export function InputErrorPage({ problems, back, isForm }: { problems: string[]; back: string; isForm: boolean }) {
  return (
    <div class="card narrow">
      <h1>Check what you entered</h1>
      <p>
        {isForm
          ? 'Nothing was saved: the form holds something that cannot be used.'
          : 'This page was asked for with something that cannot be used.'}
      </p>
      <ul class="field-problems" role="alert">
        {problems.map((problem) => (
          <li>{problem}</li>
        ))}
      </ul>
      <p>
        <a class="btn" href={back}>
          {isForm ? 'Back to the form' : 'Open the page again'}
        </a>
      </p>
    </div>
  );
}
