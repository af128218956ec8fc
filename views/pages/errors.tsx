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
