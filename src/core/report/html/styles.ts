/**
 * The report's stylesheet, inlined so the page is self-contained (no fetch when opened from a
 * file or printed). Colours keep a contrast of at least 4.5:1 for text; badges always carry a
 * word, never colour alone. The web UI serves the same rules from its own stylesheet.
 */
export const REPORT_CSS = `
:root { color: #1a1a1a; background: #ffffff; font: 14px/1.45 system-ui, "DejaVu Sans", sans-serif; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #1a1a1a; padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .4rem; }
a { color: #0b4f9c; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid #8a8a8a; padding: .25rem .45rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #e8e8e8; }
tbody th { font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: .25rem; font-weight: 700; color: #ffffff; white-space: nowrap; }
.sev-critical { background: #7a0010; }
.sev-high { background: #a3240c; }
.sev-medium { background: #6b4f00; }
.sev-low { background: #1f4f8a; }
.sev-negligible, .sev-unknown { background: #4d4d4d; }
.verdict-pass { background: #1d6b2f; font-size: 1.2rem; }
.verdict-fail { background: #a3001b; font-size: 1.2rem; }
.action { margin-left: .5rem; font-weight: 600; }
.notice { border-left: 4px solid #a3240c; padding: .3rem .7rem; background: #fff4f0; }
.empty { font-style: italic; }
footer { margin-top: 2rem; color: #4d4d4d; font-size: .9rem; }
@media print {
  body { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;
