/** The page shell: skip link, navigation, the logout form, one stylesheet, htmx. No inline script or style. */
import { html, type HtmlValue, type SafeHtml } from '../core/report/html/template.js';

export interface Viewer {
  username: string;
  accountName: string;
  admin: boolean;
  csrfToken: string;
}

const NAV: readonly { href: string; label: string; admin?: boolean }[] = [
  { href: '/', label: 'Overview' },
  { href: '/images', label: 'Images' },
  { href: '/search', label: 'Search' },
  { href: '/policies', label: 'Policies' },
  { href: '/exceptions', label: 'Exceptions' },
  { href: '/notifications', label: 'Notifications' },
  { href: '/admission', label: 'Admission' },
  { href: '/promotions', label: 'Promotions' },
  { href: '/api-keys', label: 'API keys' },
  { href: '/accounts', label: 'Accounts', admin: true },
];

export const csrfField = (viewer: Viewer): SafeHtml =>
  html`<input type="hidden" name="_csrf" value="${viewer.csrfToken}" />`;

function head(title: string): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          name="htmx-config"
          content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}'
        />
        <title>${title} · Portcullis</title>
        <link rel="stylesheet" href="/ui/static/app.css" />
        <script src="/ui/static/htmx.min.js" defer></script>
      </head>
    </html>`;
}

export function page(viewer: Viewer, current: string, title: string, body: HtmlValue): string {
  const active = (href: string) =>
    href === '/' ? current === '/' : current === href || current.startsWith(`${href}/`);
  const links = NAV.filter((n) => !n.admin || viewer.admin).map(
    (n) =>
      html`<li><a href="${n.href}" ${active(n.href) ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
  );
  return html`${head(title)}
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/">Portcullis</a>
  <nav aria-label="Main"><ul>${links}</ul></nav>
  <form class="logout" method="post" action="/logout">${csrfField(viewer)}
    <span class="who">${viewer.username} (${viewer.accountName})</span>
    <button type="submit">Log out</button>
  </form>
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`.value;
}

/** A page outside the session (login, errors before login). */
export function barePage(title: string, body: HtmlValue): string {
  return html`${head(title)}
<body>
<main id="main" class="narrow">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`.value;
}

export function notice(kind: 'ok' | 'error', text: HtmlValue): SafeHtml {
  return kind === 'error'
    ? html`<div class="notice error" role="alert">${text}</div>`
    : html`<div class="notice ok" role="status">${text}</div>`;
}
