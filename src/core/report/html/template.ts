/**
 * Typed HTML templates: tagged template literals that escape every interpolated value unless it
 * is already a {@link SafeHtml} fragment. The HTML report and the web UI share them, so a
 * template is a plain TypeScript function whose data `tsc` checks, with no build step and no
 * template language to learn (ADR 0013).
 */

/** A fragment of HTML that is already escaped (or trusted markup): embedded as it is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template may interpolate. Arrays are joined; null, undefined and false render nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for an element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => ESCAPES[char] ?? char);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<td>${name}</td>\`` — every `${…}` is escaped unless it is SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Trusted markup written by us (inline CSS, an SVG built from numbers). Never user data. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

const SAFE_URL = /^(?:https?:\/\/|\/(?!\/)|\.{1,2}\/|#|\?|mailto:)/i;

/**
 * A URL for href/src from data we do not control (advisory links): only http(s), relative and
 * fragment URLs pass; `javascript:` and friends become `#`, since escaping alone cannot stop them.
 */
export function safeUrl(url: string): string {
  return SAFE_URL.test(url.trim()) ? url.trim() : '#';
}
