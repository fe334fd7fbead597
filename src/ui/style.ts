/** The UI's one stylesheet, served at /ui/static/app.css (a module, so the build ships it). */
export const STYLESHEET = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f7f9}
a{color:#0b57b0}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,[tabindex]:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:10}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;padding:8px 16px;background:#14213d;color:#fff}
.top a{color:#fff}.brand{font-weight:700;text-decoration:none;font-size:17px}
.top nav ul{display:flex;flex-wrap:wrap;gap:4px 12px;list-style:none;margin:0;padding:0}
.top nav a[aria-current=page]{text-decoration:underline;text-underline-offset:4px;font-weight:600}
.logout{margin-left:auto;display:flex;gap:8px;align-items:center}.who{font-size:13px}
main{padding:16px;max-width:1400px;margin:0 auto}main.narrow{max-width:420px}
h1{font-size:22px;margin:8px 0 16px}h2{font-size:18px;margin:24px 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px}
.card .big{font-size:26px;font-weight:700}
.scroll{overflow-x:auto;background:#fff;border:1px solid #d0d7de;border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:14px}
caption{text-align:left;padding:8px;font-weight:600}
th,td{padding:6px 8px;border-top:1px solid #e5e7eb;text-align:left;vertical-align:top}
th{background:#eef1f4;white-space:nowrap}.num{text-align:right}
td code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;word-break:break-all}
.table-tools{display:flex;justify-content:flex-end;margin:4px 0}
.sev{display:inline-block;padding:0 6px;border-radius:4px;font-size:12px;font-weight:600;color:#fff;background:#57606a}
.sev-critical{background:#8b0000}.sev-high{background:#b42318}.sev-medium{background:#8a5a00}.sev-low{background:#1f6feb}
.verdict-pass{color:#116329;font-weight:600}.verdict-fail{color:#a40e26;font-weight:600}.verdict-none{color:#57606a}
.kev{background:#6e40c9;color:#fff;border-radius:4px;padding:0 4px;font-size:12px}
form.stack{display:flex;flex-direction:column;gap:6px;max-width:640px}
form.inline{display:inline}
.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-bottom:8px}
.filters label{display:flex;flex-direction:column;font-size:13px}
input,select,textarea,button{font:inherit;padding:5px 8px;border:1px solid #8c959f;border-radius:4px;background:#fff;color:#1b1f24}
button{background:#0b57b0;color:#fff;border-color:#0b57b0;cursor:pointer}
button.secondary{background:#fff;color:#0b57b0}
textarea{width:100%;min-height:220px;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
.notice{padding:8px 12px;border-radius:6px;margin:8px 0}.notice.ok{background:#dafbe1}.notice.error{background:#ffebe9}
.errors li{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
.pager{display:flex;gap:12px;align-items:center;margin:8px 0}
.chart{background:#fff;border:1px solid #d0d7de;border-radius:6px;max-width:100%;height:auto}
.legend{display:flex;gap:12px;font-size:13px;flex-wrap:wrap}.legend span::before{content:"";display:inline-block;width:10px;height:10px;margin-right:4px}
.l-critical::before{background:#8b0000}.l-high::before{background:#b42318}.l-medium::before{background:#8a5a00}.l-low::before{background:#1f6feb}
details{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px;margin:6px 0}
fieldset{border:1px solid #d0d7de;border-radius:6px;display:flex;flex-direction:column;gap:4px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}dl.facts dt{font-weight:600}
@media (max-width:700px){.top{padding:8px}.logout{margin-left:0}main{padding:8px}th,td{padding:4px}.hide-narrow{display:none}}
`;
