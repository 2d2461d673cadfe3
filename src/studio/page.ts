/** The studio's one HTML page and its stylesheet (the app itself is web/app.ts, built to app.js). */

export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>agent-patterns studio</title>
<link rel="stylesheet" href="/assets/style.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<header class="top">
  <a class="brand" href="#/runs">agent-patterns studio</a>
  <nav><a href="#/runs" id="nav-runs">Runs</a><a href="#/approvals" id="nav-approvals">Approvals <span id="pending-count"></span></a></nav>
  <span id="live" class="live" title="live updates">●</span>
</header>
<main id="app"><p class="muted">Loading…</p></main>
</body>
</html>
`;

export const STYLE_CSS = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--ok:#1a7f37;--err:#cf222e;--warn:#9a6700;--accent:#0969da}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,sans-serif;color:var(--fg)}
.top{display:flex;gap:20px;align-items:center;padding:10px 20px;border-bottom:1px solid var(--line);background:var(--bg)}
.brand{font-weight:700;color:var(--fg);text-decoration:none}nav a{margin-right:14px;color:var(--accent);text-decoration:none}
.live{margin-left:auto;color:var(--muted)}.live.on{color:var(--ok)}
main{padding:16px 20px;max-width:1400px}h1{font-size:18px;margin:0 0 8px}h2{font-size:15px;margin:20px 0 8px}
.muted{color:var(--muted)}.small{font-size:12px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
tr.clickable{cursor:pointer}tr.clickable:hover{background:var(--bg)}
.status{font-weight:600}.status.completed{color:var(--ok)}.status.failed{color:var(--err)}.status.suspended{color:var(--warn)}.status.running{color:var(--accent)}
.filters{display:flex;gap:8px;margin:8px 0 12px;flex-wrap:wrap}input,select,textarea,button{font:inherit;padding:4px 8px;border:1px solid var(--line);border-radius:6px}
button{background:var(--bg);cursor:pointer}button.approve{background:#dafbe1;border-color:#4ac26b}button.reject{background:#ffebe9;border-color:#ff8182}
.pager{display:flex;gap:8px;align-items:center;margin-top:10px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0}.card{border:1px solid var(--line);border-radius:8px;padding:8px 12px;min-width:140px}.card b{display:block;font-size:16px}
.gauges{display:flex;gap:16px;flex-wrap:wrap}.gauge{width:200px}.gauge .bar{height:8px;background:var(--bg);border:1px solid var(--line);border-radius:4px;overflow:hidden}
.gauge .fill{height:100%;background:var(--accent)}.gauge .fill.high{background:var(--warn)}.gauge .fill.over{background:var(--err)}
.diagram{overflow:auto;padding:8px;border:1px solid var(--line);border-radius:8px;background:#fff}
.node{border:1px solid var(--line);border-radius:8px;padding:6px 8px;margin:4px;background:#fff;display:inline-flex;flex-direction:column;vertical-align:top}
.node.ran{border-color:var(--ok);box-shadow:0 0 0 1px var(--ok) inset}.node.failed{border-color:var(--err);box-shadow:0 0 0 1px var(--err) inset}.node.idle{opacity:.55}
.node>.label{display:flex;gap:6px;align-items:baseline;white-space:nowrap}.kind{font-size:11px;text-transform:uppercase;color:var(--muted);letter-spacing:.03em}
.role{font-size:11px;color:var(--accent)}.runs{font-size:11px;color:var(--ok)}.node.failed .runs{color:var(--err)}
.children{display:flex;gap:4px;align-items:flex-start}.children.row>.arrow{align-self:center;color:var(--muted)}.children.column{flex-direction:column}
.waterfall{border:1px solid var(--line);border-radius:8px;overflow:hidden}.wrow{display:grid;grid-template-columns:minmax(260px,34%) 1fr 70px;gap:8px;padding:2px 8px;border-bottom:1px solid var(--bg);cursor:pointer;align-items:center}
.wrow:hover,.wrow.selected{background:#ddf4ff}.wname{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.track{position:relative;height:14px}
.span-bar{position:absolute;top:2px;height:10px;border-radius:3px;background:var(--accent);min-width:2px}.span-bar.model{background:#8250df}.span-bar.tool{background:#bf8700}.span-bar.error{background:var(--err)}
.span-bar.decision,.span-bar.approval,.span-bar.event,.span-bar.budget{background:var(--muted);width:4px!important}
.dur{text-align:right;color:var(--muted);font-size:12px}
.detail{border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin-top:10px;background:var(--bg)}pre{white-space:pre-wrap;word-break:break-word;margin:4px 0;font-size:12px}
.approval{border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin-bottom:12px}.approval .actions{display:flex;gap:8px;margin-top:8px;flex-wrap:wrap}
.live-blocks{display:flex;gap:8px;flex-wrap:wrap}.live-block{flex:1 1 320px;border:1px solid var(--line);border-radius:6px;padding:6px 8px}.live-text{min-height:2em}.live-log{max-height:14em;overflow:auto}
.error-box{color:var(--err)}.notice{padding:8px 12px;border-radius:6px;background:#fff8c5;border:1px solid #d4a72c;margin:8px 0}
`;
