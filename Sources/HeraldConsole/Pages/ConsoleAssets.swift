/// The console's stylesheet and script, embedded in the binary (no build step, no CDN) and
/// served from `/static/`, so that the Content-Security-Policy can forbid every inline script
/// and style and every other origin.
package enum ConsoleAssets {
    package static let css = """
        :root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de;
          --accent: #0550ae; --ok: #116329; --bad: #a40e26; --warn: #7d4e00; --panel: #f6f8fa; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9da7b3;
          --line: #30363d; --accent: #79c0ff; --ok: #56d364; --bad: #ff7b72; --warn: #e3b341; --panel: #161b22; } }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
        header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .5rem 1rem;
          border-bottom: 1px solid var(--line); background: var(--panel); }
        header strong { font-size: 1.1rem; margin-right: .5rem; }
        nav { display: flex; flex-wrap: wrap; gap: .25rem .75rem; }
        nav a { color: var(--accent); white-space: nowrap; }
        nav a[aria-current] { font-weight: 700; text-decoration: none; }
        main { padding: 1rem; max-width: 72rem; }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid var(--accent); outline-offset: 2px; }
        table { border-collapse: collapse; width: 100%; display: block; overflow-x: auto; }
        th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        pre { background: var(--panel); border: 1px solid var(--line); padding: .75rem; overflow-x: auto; white-space: pre-wrap; }
        form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin-bottom: 1rem; }
        label { display: block; font-size: .9rem; color: var(--muted); }
        input, select, textarea, button { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line);
          border-radius: 4px; padding: .3rem .5rem; }
        textarea { width: 100%; min-height: 12rem; font-family: ui-monospace, monospace; }
        button { cursor: pointer; background: var(--panel); }
        button.danger { color: var(--bad); border-color: var(--bad); }
        .ok { color: var(--ok); } .bad { color: var(--bad); } .warn { color: var(--warn); } .muted { color: var(--muted); }
        .notice { border-left: 4px solid var(--accent); padding: .5rem 1rem; background: var(--panel); }
        .error { border-left: 4px solid var(--bad); padding: .5rem 1rem; background: var(--panel); }
        .cards { display: flex; flex-wrap: wrap; gap: 1rem; }
        .card { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; flex: 1 1 9rem; max-width: 16rem; }
        .card b { display: block; font-size: 1.6rem; }
        svg.chart { width: 100%; height: auto; max-height: 14rem; border: 1px solid var(--line); }
        svg.chart .events { fill: var(--accent); } svg.chart .delivered { fill: var(--ok); } svg.chart .failed { fill: var(--bad); }
        svg.chart text { fill: var(--muted); font-size: 10px; }
        .legend span { margin-right: 1rem; } .legend .events { color: var(--accent); }
        .inline { display: inline; }
        """

    /// Refreshes the overview's chart and counters 10 s after the last refresh ended (never two
    /// at once, however slow the store); stops once the session is gone (the answer is then the
    /// login page). Every page works without it.
    package static let javascript = """
        "use strict";
        (function () {
          var live = document.getElementById("live");
          if (!live) { return; }
          function refresh() {
            fetch("/overview/live", { credentials: "same-origin", cache: "no-store", redirect: "manual" })
              .then(function (response) {
                if (response.type === "opaqueredirect") { return null; }
                return response.ok ? response.text() : "";
              })
              .then(function (html) {
                if (html === null) { return; }
                if (html) { live.innerHTML = html; }
                setTimeout(refresh, 10000);
              })
              .catch(function () { setTimeout(refresh, 10000); });
          }
          setTimeout(refresh, 10000);
        })();
        """

    /// The policy on every answer: this origin's stylesheet and script only, no frames, forms
    /// that post only here, no other origin for anything.
    package static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}
