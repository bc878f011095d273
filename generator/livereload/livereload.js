// Live reload for `filing-archive serve --watch` (served at /__filing_archive/livereload.js).
//
// The preview server adds this script to HTML responses only; it is never written into the site.
// It is an external same-origin script because the site's CSP is `script-src 'self'`.
//
// Protocol (docs/watch.md): an EventSource on /__filing_archive/events gets `hello` with the
// server's current state on every (re)connection, then `build` after each build, which reloads
// the page unless the build wrote nothing. A state is
// {build, server, ok, error, failures: [{path, reason}], ...}. The page was served at the build
// and server named in this script's own URL: if the hello names a newer build or another server,
// the page missed an event and reloads at once.
//
// Failed input files are listed in an overlay built with DOM APIs and textContent only: file
// names and reasons come from untrusted filings and folders and must never be parsed as HTML.
(function () {
  "use strict";
  if (!window.EventSource) return;
  var me = document.currentScript;
  var params = me ? new URL(me.src, location.href).searchParams : new URLSearchParams();
  var servedBuild = Number(params.get("build") || "0");
  var servedBy = params.get("server") || "";
  var OVERLAY_ID = "filing-archive-overlay";
  var DISMISSED = "filing-archive-dismissed-build";

  function el(tag, text, style) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (style) Object.assign(node.style, style);
    return node;
  }

  function removeOverlay() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) old.remove();
  }

  function showOverlay(state) {
    removeOverlay();
    var failures = state.failures || [];
    if (state.ok || (!failures.length && !state.error)) return;
    try {
      if (sessionStorage.getItem(DISMISSED) === String(state.build)) return;
    } catch (e) { /* storage may be disabled: show it */ }
    var box = el("div", "", {
      position: "fixed", left: "1rem", right: "1rem", bottom: "1rem", zIndex: "2147483647",
      maxHeight: "50vh", overflow: "auto", background: "#fff4f4", color: "#5a0000",
      border: "2px solid #b00020", borderRadius: "6px", padding: "0.75rem 1rem",
      font: "14px/1.4 system-ui, sans-serif", boxShadow: "0 4px 16px rgba(0,0,0,.25)",
    });
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    var head = el("div", "", { display: "flex", justifyContent: "space-between", gap: "1rem" });
    var n = failures.length;
    var title = state.error
      ? "The last build failed: " + state.error
      : "Build " + state.build + ": " + n + " file" + (n === 1 ? "" : "s") + " could not be built";
    head.appendChild(el("strong", title));
    var close = el("button", "Dismiss");
    close.type = "button";
    close.addEventListener("click", function () {
      try { sessionStorage.setItem(DISMISSED, String(state.build)); } catch (e) { /* ignore */ }
      removeOverlay();
    });
    head.appendChild(close);
    box.appendChild(head);
    var list = el("ul", "", { margin: "0.5rem 0 0", paddingLeft: "1.25rem" });
    failures.forEach(function (f) {
      var item = el("li");
      item.appendChild(el("code", f.path));
      item.appendChild(document.createTextNode(": " + f.reason));
      list.appendChild(item);
    });
    box.appendChild(list);
    box.appendChild(el("p", "The site keeps the last good pages of these files. Fix them and save: the page reloads.",
      { margin: "0.5rem 0 0", fontSize: "12px" }));
    (document.body || document.documentElement).appendChild(box);
  }

  var source = new EventSource("/__filing_archive/events");
  source.addEventListener("hello", function (event) {
    var state = JSON.parse(event.data);
    if (state.build > servedBuild || (servedBy && state.server !== servedBy)) {
      location.reload();
      return;
    }
    showOverlay(state);
  });
  source.addEventListener("build", function (event) {
    var state = JSON.parse(event.data);
    if (state.written === 0 && !state.error) {
      // Nothing on disk changed (a file touched, saved unchanged): keep the page and its scroll
      // position; only the failures may differ.
      servedBuild = state.build;
      showOverlay(state);
      return;
    }
    location.reload();
  });
})();
