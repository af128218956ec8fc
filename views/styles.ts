/** The one stylesheet, served from our origin at /static/app.css. */
export const stylesheet = `
:root{--ink:#1d2433;--muted:#5b6474;--line:#d9dee7;--bg:#f6f7fb;--card:#fff;--brand:#1f5fbf;--brand-ink:#fff;--ok:#1d7a46;--warn:#9a5b00;--bad:#b3261e;--focus:#ffbf47;--radius:8px}
*{box-sizing:border-box}
html{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
body{margin:0;min-height:100vh;display:flex;flex-direction:column}
a{color:var(--brand)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip,.skip-to{position:absolute;left:-9999px}.skip-to:focus{position:static;display:inline-block;margin:.25rem 0;background:#fff;padding:.25rem .5rem}
.skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:10}
.topbar{background:#16325c;color:#fff}
.topbar .inner{max-width:1200px;margin:0 auto;display:flex;align-items:center;gap:1.5rem;padding:.6rem 1rem;flex-wrap:wrap}
.brand{font-weight:700;color:#fff;text-decoration:none;font-size:1.15rem}
.topbar nav{display:flex;gap:1rem;flex-wrap:wrap;flex:1}
.topbar nav a{color:#dfe8f7;text-decoration:none;padding:.2rem 0;border-bottom:2px solid transparent}
.topbar nav a[aria-current=page],.topbar nav a:hover{color:#fff;border-bottom-color:#fff}
.topbar .who{display:flex;gap:.75rem;align-items:center;font-size:.9rem}
.topbar .who button{background:none;border:1px solid #9fb3d6;color:#fff;border-radius:6px;padding:.2rem .6rem;cursor:pointer}
main{max-width:1200px;width:100%;margin:0 auto;padding:1.5rem 1rem 6rem;flex:1}
h1{font-size:1.6rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .6rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1.25rem;margin-bottom:1rem}
.narrow{max-width:480px}
.muted{color:var(--muted)}.small{font-size:.875rem}
.field{display:flex;flex-direction:column;gap:.25rem;margin-bottom:1rem}
.field label,.field legend{font-weight:600}
.field .hint{color:var(--muted);font-size:.875rem}
.field .error{color:var(--bad);font-weight:600;font-size:.9rem}
input[type=text],input[type=email],input[type=password],input[type=search],input[type=number],input[type=date],select,textarea{font:inherit;padding:.5rem .6rem;border:1px solid #aab3c2;border-radius:6px;background:#fff;min-width:0}
input[aria-invalid=true],select[aria-invalid=true]{border-color:var(--bad)}
fieldset{border:1px solid var(--line);border-radius:var(--radius);padding:.75rem 1rem;margin:0 0 1rem}
.choices{display:flex;flex-direction:column;gap:.35rem}
.choices label{font-weight:400;display:flex;gap:.5rem;align-items:center}
.btn,button{font:inherit;cursor:pointer}
.btn{display:inline-flex;align-items:center;gap:.4rem;padding:.5rem 1rem;border-radius:6px;border:1px solid var(--brand);background:var(--brand);color:var(--brand-ink);text-decoration:none;font-weight:600}
.btn.secondary{background:#fff;color:var(--brand)}
.btn.danger{background:var(--bad);border-color:var(--bad)}
.btn:disabled,.btn[aria-disabled=true]{opacity:.55;cursor:not-allowed}
.actions{display:flex;gap:.75rem;align-items:center;flex-wrap:wrap;margin-top:1rem}
.notice{border-left:4px solid var(--brand);background:#eef4fd;padding:.75rem 1rem;border-radius:4px;margin-bottom:1rem}
.notice.ok{border-color:var(--ok);background:#eaf6ef}.notice.warn{border-color:var(--warn);background:#fff6e5}.notice.bad{border-color:var(--bad);background:#fdeceb}
.error-summary{border:2px solid var(--bad);border-radius:var(--radius);padding:.75rem 1rem;margin-bottom:1rem;background:#fff}
.error-summary h2{margin:0 0 .4rem;font-size:1.05rem;color:var(--bad)}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.85rem;text-transform:uppercase;letter-spacing:.02em;color:var(--muted);background:#fafbfd}
tbody tr:hover{background:#f7f9fd}
td.check,th.check{width:2.5rem}
.table-wrap{position:relative;overflow-x:auto;border:1px solid var(--line);border-radius:var(--radius)}
.filters{display:flex;gap:.75rem;flex-wrap:wrap;align-items:flex-end;margin-bottom:1rem}
.filters .field{margin:0}
.pill{display:inline-block;background:#eef1f6;border-radius:999px;padding:0 .55rem;font-size:.8rem;margin:0 .25rem .15rem 0}
.pill.added{background:#e3f1e8;color:#14532d}
.pill.badge-deactivated{background:#fde8e6;color:#8a1c13;margin-left:.4rem}
label.check{display:block;margin:.2rem 0}
.pager{display:flex;gap:.5rem;align-items:center;justify-content:space-between;margin-top:.75rem;flex-wrap:wrap}
.pager nav{display:flex;gap:.35rem;flex-wrap:wrap}
.pager a,.pager span.current{padding:.25rem .6rem;border:1px solid var(--line);border-radius:6px;text-decoration:none;background:#fff}
.pager span.current{background:var(--brand);color:#fff;border-color:var(--brand)}
.toolbar{position:fixed;left:0;right:0;bottom:0;background:#16325c;color:#fff;padding:.75rem 1rem;box-shadow:0 -2px 10px rgba(0,0,0,.2);z-index:5}
.toolbar .inner{max-width:1200px;margin:0 auto;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
.toolbar a,.toolbar .linklike{color:#fff;background:none;border:0;text-decoration:underline;padding:0}
.toolbar .btn{background:#fff;color:#16325c;border-color:#fff}
[hidden]{display:none!important}
.progress{width:100%;height:1rem;accent-color:var(--brand)}
.stat{display:inline-block;margin-right:1.5rem}.stat b{font-size:1.4rem;display:block}
.status-ok{color:var(--ok);font-weight:600}.status-bad{color:var(--bad);font-weight:600}.status-warn{color:var(--warn);font-weight:600}
.sandbox-banner{background:#7a3db8;color:#fff;text-align:center;padding:.35rem;font-weight:700}
.dropzone{border:2px dashed #9aa7bd;border-radius:var(--radius);padding:2rem;text-align:center;background:#fff}
.dropzone input[type=file]{position:absolute;width:1px;height:1px;opacity:0;overflow:hidden}
.dropzone{position:relative}.dropzone:focus-within{outline:3px solid var(--focus);outline-offset:2px}
.dropzone.over{border-color:var(--brand);background:#eef4fd}
pre.sample{background:#fff;border:1px solid var(--line);padding:.75rem;border-radius:6px;overflow-x:auto}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.enter-submits{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);border:0;padding:0;margin:-1px}
footer{color:var(--muted);font-size:.8rem;text-align:center;padding:1rem}
.page-head{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}
td.check,th.check{width:2.5rem}
tbody th[scope=row]{font-weight:600;text-align:left;text-transform:none;letter-spacing:normal;background:none;color:inherit;font-size:inherit}th[scope=row] label{cursor:pointer}
.mail-list td,.mail-list th{vertical-align:top}
pre.mail{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid var(--line);padding:1rem;border-radius:6px}
.addon-frame{width:100%;height:460px;border:1px solid var(--line);border-radius:var(--radius);background:#fff}
.addon h1{font-size:1.25rem}
.choice-cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:1rem}
.wizard-steps{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;list-style:none;padding:0;margin:0 0 1rem;counter-reset:step;font-size:.9rem;color:var(--muted)}
.wizard-steps li{counter-increment:step}.wizard-steps li::before{content:counter(step) ". "}
.wizard-steps li[aria-current=step]{color:var(--ink);font-weight:700}.wizard-steps li.done{color:var(--ok)}
.counts{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;list-style:none;padding:0;margin:0 0 1rem}
.linklike{color:var(--brand);text-decoration:underline;cursor:pointer;font-weight:600}
label.inline{display:flex;gap:.5rem;align-items:center;font-weight:400}
.filters .pill[aria-current=page]{background:var(--brand);color:#fff}
.classroom-form legend{font-weight:600}
body.addon-body main{padding:1rem}
.item-builder fieldset.item legend{font-weight:700;padding:0 .25rem}
.item-builder .sub{margin:.25rem 0 .5rem 1.75rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.item-builder .sub.choices{flex-direction:column;align-items:flex-start}
.choices.inline{flex-direction:row;gap:1.25rem}
.field .label{font-weight:600}
.inline-controls{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
.preset-choice{align-items:flex-start}
ul.plain{list-style:none;margin:0;padding:0}
/* Phones: with our script the navigation folds behind Menu; without it, it stays open. */
.menu-toggle{display:none;margin-left:auto;background:none;border:1px solid #9fb3d6;color:#fff;border-radius:6px;padding:.35rem .8rem;font-weight:600}
@media (max-width:640px){
html.js .menu-toggle{display:inline-block}
html.js .topbar:not(.open) nav,html.js .topbar:not(.open) .who{display:none}
.topbar .inner{gap:.5rem 1rem}
.topbar nav{flex-direction:column;gap:.25rem;flex-basis:100%}
main{padding:1rem .75rem 7rem}
.toolbar{padding:.5rem .75rem}.toolbar .inner{gap:.4rem .5rem}.toolbar .btn{padding:.3rem .6rem;font-size:.9rem}
.dropzone{padding:1rem}
}
@media (max-width:640px){
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.stack,table.stack tbody,table.stack tr,table.stack td,table.stack tbody th{display:block;width:100%}
table.stack tr{border-bottom:1px solid var(--line);padding:.4rem 0}
table.stack td,table.stack tbody th{border:0;padding:.1rem .75rem}
table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:var(--muted)}
table.stack td:empty{display:none}
}
fieldset.plain-fieldset{border:0;padding:0;margin:0 0 1rem;min-width:0}
fieldset.plain-fieldset legend{padding:0;font-weight:600}
`;
