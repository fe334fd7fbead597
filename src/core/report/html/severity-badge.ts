/** A severity as a badge: the word is always written out, so colour is never the only cue. */
import type { NormalizedSeverity } from '../../matching/types.js';
import { html, type SafeHtml } from './template.js';

export function severityBadge(severity: NormalizedSeverity): SafeHtml {
  return html`<span class="badge sev-${severity.toLowerCase()}">${severity}</span>`;
}

/** PASS / FAIL with the policy's final action (GO, WARN, STOP). */
export function verdictBadge(status: 'pass' | 'fail', finalAction: string): SafeHtml {
  return html`<span class="badge verdict-${status}">${status.toUpperCase()}</span>
    <span class="action">final action ${finalAction}</span>`;
}
