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

export function ErrorPage({ title, message }: { title: string; message: string }) {
  return (
    <div class="card narrow">
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a class="btn secondary" href="/">
          Go to the start page
        </a>
      </p>
    </div>
  );
}
