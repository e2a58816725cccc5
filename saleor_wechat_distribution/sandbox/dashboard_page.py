"""The fake dashboard's HTML and its AppBridge side (the dashboard's half of the protocol, as Saleor's
dashboard implements it: ``src/extensions/…/useAppActions``). ``str.format`` fields: nonce, theme, nav,
users, locales, themes, page, state (JSON)."""

PAGE_TEMPLATE = """<!doctype html>
<html lang="en" data-theme="{theme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox dashboard (Saleor stand-in)</title>
<style>
  :root {{ color-scheme: light; --bg: #fff; --side: #f4f4f5; --fg: #25262a; --muted: #6b6d74;
    --line: #e4e4e7; }}
  [data-theme=dark] {{ color-scheme: dark; --bg: #18181b; --side: #111113; --fg: #f4f4f5; --muted: #a1a1aa;
    --line: #2e2e33; }}
  html, body {{ margin: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif; background: var(--bg);
    color: var(--fg); }}
  .layout {{ display: grid; grid-template-columns: 220px 1fr; grid-template-rows: auto 1fr; height: 100%; }}
  header {{ grid-column: 1 / 3; display: flex; gap: 16px; align-items: center; padding: 8px 16px;
    border-bottom: 1px solid var(--line); flex-wrap: wrap; }}
  header strong {{ margin-right: auto; }}
  nav {{ background: var(--side); padding: 16px 8px; display: flex; flex-direction: column; gap: 4px; }}
  nav small {{ color: var(--muted); padding: 4px 8px; }}
  nav a {{ color: var(--fg); text-decoration: none; padding: 6px 8px; border-radius: 6px; }}
  nav a[aria-current=page] {{ background: var(--line); font-weight: 600; }}
  iframe {{ border: 0; width: 100%; height: 100%; display: block; }}
  #toasts {{ position: fixed; right: 16px; bottom: 16px; display: flex; flex-direction: column; gap: 8px; }}
  .toast {{ background: var(--fg); color: var(--bg); padding: 10px 14px; border-radius: 8px;
    max-width: 360px; }}
  @media (max-width: 900px) {{ .layout {{ grid-template-columns: 1fr; }} nav {{ display: none; }} }}
</style>
</head>
<body>
<div class="layout">
  <header>
    <strong>Sandbox dashboard <small>(a stand-in for Saleor's)</small></strong>
    <label>User <select id="user">{users}</select></label>
    <label>Language <select id="locale">{locales}</select></label>
    <label>Theme <select id="theme">{themes}</select></label>
  </header>
  <nav><small>Apps and extensions</small>{nav}</nav>
  <main><iframe id="app" title="WeChat distribution" data-page="{page}"></iframe></main>
</div>
<div id="toasts" aria-live="polite"></div>
<script nonce="{nonce}">
const state = {state};
const frame = document.getElementById("app");
const origin = window.location.origin;
// what the page received, for tests and for the curious: window.appBridgeLog
window.appBridgeLog = [];
function post(type, payload) {{
  window.appBridgeLog.push({{direction: "to-app", type, payload}});
  frame.contentWindow.postMessage({{type, payload}}, origin);
}}
function toast(text) {{
  const item = document.createElement("div");
  item.className = "toast";
  item.setAttribute("data-testid", "dashboard-toast");
  item.textContent = text;
  document.getElementById("toasts").appendChild(item);
  setTimeout(() => item.remove(), 6000);
}}
window.addEventListener("message", (event) => {{
  if (event.source !== frame.contentWindow || event.origin !== origin) return;
  const {{type, payload}} = event.data || {{}};
  window.appBridgeLog.push({{direction: "from-app", type, payload}});
  const actionId = payload && payload.actionId;
  let ok = true;
  if (type === "notifyReady") {{
    const versions = {{saleorVersion: "sandbox", dashboardVersion: "sandbox"}};
    post("handshake", {{token: state.token, version: 1, ...versions}});
    post("theme", {{theme: state.theme}});
    post("localeChanged", {{locale: state.locale}});
  }} else if (type === "notification") {{
    toast([payload.title, payload.text].filter(Boolean).join(": "));
  }} else if (type !== "updateRouting" && type !== "redirect") {{
    ok = false;
  }}
  if (actionId) post("response", {{actionId, ok}});
}});
function reloadWith(name, value) {{
  const url = new URL(window.location.href);
  url.searchParams.set(name, value);
  window.location.href = url.toString();
}}
document.getElementById("user").addEventListener("change", (e) => reloadWith("user", e.target.value));
document.getElementById("locale").addEventListener("change", (e) => {{
  state.locale = e.target.value;
  post("localeChanged", {{locale: state.locale}});
  history.replaceState(null, "", "?" + new URLSearchParams({{...Object.fromEntries(new URL(location.href)
    .searchParams), locale: state.locale}}));
}});
document.getElementById("theme").addEventListener("change", (e) => {{
  state.theme = e.target.value;
  document.documentElement.dataset.theme = state.theme;
  post("theme", {{theme: state.theme}});
  history.replaceState(null, "", "?" + new URLSearchParams({{...Object.fromEntries(new URL(location.href)
    .searchParams), theme: state.theme}}));
}});
const src = new URL(state.frameUrl, origin);
src.searchParams.set("theme", state.theme);
src.searchParams.set("locale", state.locale);
src.hash = window.location.hash;  // a view inside the page (e.g. #/network)
frame.src = src.toString();
</script>
</body>
</html>
"""
