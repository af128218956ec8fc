import type { Child } from 'hono/jsx';

export interface LayoutUser {
  name: string;
  email: string;
  kind: 'user' | 'administrator';
  isSystemAdmin: boolean;
}

export interface LayoutProps {
  title: string;
  /** Path of the page, to mark the current navigation link. */
  path: string;
  user: LayoutUser | null;
  csrfToken: string;
  devMailbox: boolean;
  /** Pages served by the Google sandbox carry a banner so nobody mistakes them for Google. */
  sandboxBanner?: boolean;
  children?: Child;
}

interface NavItem {
  href: string;
  label: string;
}

function navFor(user: LayoutUser): NavItem[] {
  if (user.kind !== 'administrator') return [{ href: '/account', label: 'Your Account' }];
  const items: NavItem[] = [
    { href: '/accounts', label: 'View Accounts' },
    { href: '/accounts/new', label: 'Create Account' },
    { href: '/groups', label: 'Groups' },
    { href: '/tags', label: 'Tags' },
    { href: '/imports', label: 'Batch Import' },
    { href: '/assignments/presets', label: 'Preset Assignments' },
    { href: '/assignments/requests', label: 'Assignments' },
    { href: '/classroom', label: 'Google Classroom' },
  ];
  if (user.isSystemAdmin) items.push({ href: '/organisation', label: 'Organisation' }, { href: '/jobs', label: 'Jobs' });
  items.push({ href: '/account', label: 'Your Account' });
  return items;
}

function isCurrent(path: string, href: string): boolean {
  return path === href || (href !== '/' && path.startsWith(`${href}/`) && !(href === '/accounts' && path === '/accounts/new'));
}

/** The one page frame. htmx sends the CSRF token as a header on every request it makes. */
export function Layout(props: LayoutProps) {
  const hxHeaders = JSON.stringify({ 'X-CSRF-Token': props.csrfToken });
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}' />
        <title>{`${props.title} · Rosterbridge`}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/htmx.min.js" defer></script>
        <script src="/static/app.js" defer></script>
      </head>
      <body hx-headers={hxHeaders}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        {props.sandboxBanner ? <div class="sandbox-banner">Google sandbox: demo data, not Google</div> : null}
        <header class="topbar">
          <div class="inner">
            <a class="brand" href="/">
              Rosterbridge
            </a>
            {props.user ? (
              <button type="button" class="menu-toggle" aria-expanded="false" aria-controls="main-nav" data-menu-toggle>
                Menu
              </button>
            ) : null}
            {props.user ? (
              <nav aria-label="Main" id="main-nav">
                {navFor(props.user).map((item) => (
                  <a href={item.href} aria-current={isCurrent(props.path, item.href) ? 'page' : undefined}>
                    {item.label}
                  </a>
                ))}
                {props.devMailbox ? (
                  <a href="/dev/mailbox" aria-current={props.path.startsWith('/dev/mailbox') ? 'page' : undefined}>
                    Mailbox (dev)
                  </a>
                ) : null}
              </nav>
            ) : (
              <nav aria-label="Main"></nav>
            )}
            {props.user ? (
              <div class="who">
                <span>{props.user.name}</span>
                <form method="post" action="/sign-out">
                  <input type="hidden" name="_csrf" value={props.csrfToken} />
                  <button type="submit">Sign out</button>
                </form>
              </div>
            ) : null}
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
        <footer>Rosterbridge</footer>
      </body>
    </html>
  );
}
