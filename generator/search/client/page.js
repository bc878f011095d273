// The search page (templates/search.html): a classic script, so it also runs from file://.
// State lives in the URL (?q=&sort=&form=&year=...): replaceState while typing, pushState when a
// facet, the sort or Enter commits, popstate restores. Searches run after a short pause and
// stale answers are dropped, so typing never waits for the index.
(function () {
  'use strict';
  var FS = window.FilingSearch;
  var root = document.currentScript.getAttribute('data-root') || '../';
  var FACETS = [['form', 'Form'], ['year', 'Year'], ['company', 'Company'], ['state', 'State'], ['exhibit', 'Exhibit type']];
  var PAGE = 20, DELAY = 120, SHOW_VALUES = 8;
  // EDGAR's codes for places abroad, named ("E9" -> "Cayman Islands"), from the page itself
  var PLACES = (function () {
    var data = document.getElementById('search-place-names');
    try { return data ? JSON.parse(data.textContent) : {}; } catch (e) { return {}; }
  })();
  var input = document.getElementById('search-q');
  var sortSel = document.getElementById('search-sort');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var facetsEl = document.getElementById('search-facets');
  var more = document.getElementById('search-more');
  var state = readUrl(), seq = 0, timer = null, limit = PAGE, selected = -1, rows = [];

  function readUrl() {
    var p = new URLSearchParams(location.search), filters = {};
    FACETS.forEach(function (f) { var v = p.getAll(f[0]); if (v.length) filters[f[0]] = v; });
    return { q: p.get('q') || '', sort: p.get('sort') === 'date' ? 'date' : 'relevance', filters: filters };
  }

  function writeUrl(push) {
    var p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    if (state.sort === 'date') p.set('sort', 'date');
    FACETS.forEach(function (f) { (state.filters[f[0]] || []).forEach(function (v) { p.append(f[0], v); }); });
    var url = location.pathname + (p.toString() ? '?' + p.toString() : '');
    if (url === location.pathname + location.search) return;
    try { history[push ? 'pushState' : 'replaceState'](null, '', url); } catch (e) { /* some file:// setups */ }
  }

  function run() {
    var mine = ++seq;
    status.textContent = 'Searching…';
    facetsEl.setAttribute('aria-busy', 'true'); // the counts below are of the previous search
    var opts = { filters: state.filters, sort: state.sort, limit: limit, facets: false };
    // Results first; the facet columns load afterwards, so they never delay the first answer.
    FS.search(state.q, opts)
      .then(function (res) {
        if (mine !== seq) return null;
        render(res);
        // the same search, for its facet counts only: with the same limit, a phrase's candidates
        // are verified as far as the results were (limit 0 verified none, and counted every
        // candidate: facets for a phrase that no filing holds)
        opts.facets = true;
        opts.rows = false;
        return FS.search(state.q, opts);
      })
      .then(function (res) { if (res && mine === seq) renderFacets(res.facets); })
      .catch(function (err) {
        if (mine !== seq) return;
        status.textContent = 'Search failed: ' + err.message;
        facetsEl.removeAttribute('aria-busy');
      });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () { limit = PAGE; run(); }, DELAY);
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // The page of the document that matched, with the query (?q=, highlighted there by
  // static/highlight.js) and the words the snippet was cut around (&at=, from the engine's text
  // fragment: highlight.js scrolls to their first occurrence). Relative to the site root.
  function resultHref(r) {
    var page = r.passage || r.url, cut = page.indexOf('#:~:text='), p = new URLSearchParams();
    var at = '';
    try { at = cut >= 0 ? decodeURIComponent(page.slice(cut + 9)) : ''; } catch (e) { /* not a text fragment */ }
    if (cut >= 0) page = page.slice(0, cut);
    if (state.q.trim()) p.set('q', state.q.trim());
    if (at && state.q.trim()) p.set('at', at);
    return root + page + (p.toString() ? '?' + p.toString() : '');
  }

  function render(res) {
    var what = state.q.trim() ? 'matching' : 'in the archive';
    // a phrase of common words is verified only up to the shown page: the total is then an estimate
    var count = res.totalExact === false ? 'About ' + res.total : String(res.total);
    status.textContent = res.total === 1 && res.totalExact !== false ? '1 filing ' + what + '.' : count + ' filings ' + what + '.';
    list.textContent = '';
    rows = res.results;
    rows.forEach(function (r, i) {
      var li = el('li', { id: 'result-' + i, role: 'option', 'aria-selected': 'false' });
      var h = el('h2', { class: 'result-title' });
      h.appendChild(el('a', { href: resultHref(r), 'data-filing': r.url }, r.title));
      li.appendChild(h);
      li.appendChild(el('p', { class: 'meta' }, [r.company, r.form, r.filed || 'no filing date'].join(' · ')));
      var snip = el('p', { class: 'snippet' });
      snip.innerHTML = r.snippet; // built by the engine from escaped text and <mark> only
      li.appendChild(snip);
      list.appendChild(li);
    });
    more.hidden = res.totalExact !== false && res.total <= rows.length;
    select(-1);
  }

  function renderFacets(facets) {
    facetsEl.textContent = '';
    facetsEl.removeAttribute('aria-busy');
    FACETS.forEach(function (f) {
      var chosen = state.filters[f[0]] || [], values = (facets[f[0]] || []).slice();
      chosen.forEach(function (v) { if (!values.some(function (x) { return x.value === v; })) values.push({ value: v, count: 0 }); });
      values = values.filter(function (x, i) { return i < SHOW_VALUES || chosen.indexOf(x.value) >= 0; });
      if (!values.length) return;
      facetsEl.appendChild(el('h2', {}, f[1]));
      var ul = el('ul', { 'data-facet': f[0] });
      values.forEach(function (x) {
        var li = el('li'), label = el('label'), box = el('input', { type: 'checkbox', value: x.value });
        box.checked = chosen.indexOf(x.value) >= 0;
        box.addEventListener('change', function () { toggle(f[0], x.value, box.checked); });
        label.appendChild(box);
        var named = f[0] === 'state' && Object.prototype.hasOwnProperty.call(PLACES, x.value);
        label.appendChild(el('span', {}, named ? x.value + ' ' + PLACES[x.value] : x.value));
        label.appendChild(el('span', { class: 'count' }, String(x.count)));
        li.appendChild(label);
        ul.appendChild(li);
      });
      facetsEl.appendChild(ul);
    });
  }

  function toggle(facet, value, on) {
    var vals = (state.filters[facet] || []).filter(function (v) { return v !== value; });
    if (on) vals.push(value);
    if (vals.length) state.filters[facet] = vals; else delete state.filters[facet];
    writeUrl(true);
    limit = PAGE;
    run();
  }

  function select(i) {
    var items = list.children;
    if (selected >= 0 && items[selected]) items[selected].setAttribute('aria-selected', 'false');
    selected = i;
    if (i >= 0 && items[i]) {
      items[i].setAttribute('aria-selected', 'true');
      items[i].scrollIntoView({ block: 'nearest' });
      input.setAttribute('aria-activedescendant', items[i].id);
    } else input.removeAttribute('aria-activedescendant');
  }

  function onKey(e) {
    var n = list.children.length;
    if (e.key === 'ArrowDown' && n) { e.preventDefault(); select(Math.min(n - 1, selected + 1)); }
    else if (e.key === 'ArrowUp' && n) { e.preventDefault(); select(Math.max(-1, selected - 1)); }
    else if (e.key === 'Escape') select(-1);
    else if (e.key === 'Enter') {
      e.preventDefault();
      if (selected >= 0) { list.children[selected].querySelector('a').click(); return; }
      clearTimeout(timer);
      writeUrl(true);
      limit = PAGE;
      run();
    }
  }

  input.addEventListener('input', function () { state.q = input.value; writeUrl(false); schedule(); });
  input.addEventListener('keydown', onKey);
  sortSel.addEventListener('change', function () { state.sort = sortSel.value; writeUrl(true); run(); });
  more.addEventListener('click', function () { limit += PAGE; run(); });
  window.addEventListener('popstate', function () { state = readUrl(); sync(); run(); });

  function sync() { input.value = state.q; sortSel.value = state.sort; }
  sync();
  run();
}());
