// Search highlighting on a filing or document page (issue 4): a link from the search page carries
// the query (?q=) and the words of the matched passage (&at=); this script marks the query's words
// in the document text, scrolls to the passage and shows a small bar to step through the matches.
//
// A classic script (the pages' CSP is script-src 'self'; it works from file:// too). Without ?q=
// it does nothing. Words are analysed by the search client itself (search/search.classic.js,
// loaded on demand: the same tokenizer and Porter2 stemmer as the index), so "releases" marks
// "released". The query is untrusted: it only ever reaches the page as text nodes.
(function () {
  'use strict';
  var script = document.currentScript;
  var params = new URLSearchParams(location.search);
  var query = (params.get('q') || '').trim();
  if (!query || !script) return;
  var passage = params.get('at') || '';
  var clientSrc = script.getAttribute('data-search');
  var CAP = 2000; // marks at most; a huge document still answers at once
  var SKIP = /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE|TEXTAREA|SELECT|OPTION|SVG|MATH|IFRAME|OBJECT)$/;
  var INLINE = /^(A|ABBR|B|BDI|BDO|BIG|CITE|CODE|DATA|DEL|DFN|EM|FONT|I|INS|KBD|MARK|NOBR|Q|S|SAMP|SMALL|SPAN|STRIKE|STRONG|SUB|SUP|TIME|TT|U|VAR|WBR)$/;
  // The search index's token rule (docs/search.md, "Tokens"); each token's terms come from the
  // client's own tokens(), cached per distinct token, so stemming runs once per word, not per use.
  var W = 'A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f';
  var TOKEN = new RegExp('[' + W + ']+(?:[.\\-/\'\u2019][' + W + ']+)*', 'g');

  // ---- analysis: the search client when it loads, a plain lower-case fallback otherwise
  function analyser(FS) {
    var memo = new Map();
    var partsOf = FS ? function (raw) { return FS.tokens(raw); } : function (raw) {
      var out = [], re = /[A-Za-z0-9\u00c0-\u024f]+/g, m;
      while ((m = re.exec(raw)) !== null) out.push({ term: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length });
      return out;
    };
    return {
      parse: FS ? FS.parseQuery : fallbackParse,
      // every term of text as parallel arrays (terms, starts, ends), offsets into text
      scan: function (text, into) {
        var m, parts, i;
        TOKEN.lastIndex = 0;
        while ((m = TOKEN.exec(text)) !== null) {
          parts = memo.get(m[0]);
          if (parts === undefined) { parts = partsOf(m[0]); memo.set(m[0], parts); }
          for (i = 0; i < parts.length; i++) {
            into.terms.push(parts[i].term);
            into.starts.push(m.index + parts[i].start);
            into.ends.push(m.index + parts[i].end);
          }
        }
        return into;
      },
    };
  }

  function fallbackParse(q) {
    var must = [], re = /(-?)(?:[A-Za-z]+:)?(?:"([^"]*)"?|(\S+))/g, m;
    while ((m = re.exec(q)) !== null) {
      if (m[1] || /^[A-Za-z]+:/.test(m[0]) || m[0] === 'OR') continue;
      var words = (m[2] !== undefined ? m[2] : m[3]).toLowerCase().match(/[a-z0-9\u00c0-\u024f]+/g) || [];
      if (words.length) must.push(words.length === 1 ? { term: words[0] } : { phrase: words });
    }
    return { must: must, not: [], filters: [] };
  }

  function loadAnalyser(done) {
    if (window.FilingSearch) { done(analyser(window.FilingSearch)); return; }
    if (!clientSrc) { done(analyser(null)); return; }
    var s = document.createElement('script');
    s.src = clientSrc;
    s.onload = function () { done(analyser(window.FilingSearch || null)); };
    s.onerror = function () { done(analyser(null)); };
    document.head.appendChild(s);
  }

  // ---- what to mark: term sequences (a word is a sequence of one) and prefixes
  function wanted(tree) {
    var seqs = [], prefixes = [];
    (function add(clauses) {
      clauses.forEach(function (c) {
        if (c.term !== undefined) seqs.push([c.term]);
        else if (c.phrase) seqs.push(c.phrase);
        else if (c.prefix) prefixes.push.apply(prefixes, c.prefix);
        else if (c.or) add(c.or);
      });
    }(tree.must || []));
    seqs.sort(function (a, b) { return b.length - a.length; }); // the longest match wins
    return { seqs: seqs, prefixes: prefixes };
  }

  // ---- the text of the containers, walked once: text nodes and their offsets in one string
  function collect(containers) {
    var nodes = [], offsets = [], chunks = [], length = 0;
    containers.forEach(function (root) {
      var walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
        acceptNode: function (n) {
          if (n.nodeType === 1 && (SKIP.test(n.nodeName.toUpperCase()) || n.classList.contains('pb'))) return NodeFilter.FILTER_REJECT;
          return NodeFilter.FILTER_ACCEPT;
        },
      });
      for (var n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.nodeType === 1) { // a block starts: its words never run into the previous text
          if (!INLINE.test(n.nodeName.toUpperCase())) { chunks.push('\n'); length += 1; }
          continue;
        }
        nodes.push(n);
        offsets.push(length);
        chunks.push(n.data);
        length += n.data.length;
      }
      chunks.push('\n');
      length += 1;
    });
    return { nodes: nodes, offsets: offsets, text: chunks.join('') };
  }

  function findMatches(toks, want) {
    var out = [], terms = toks.terms, n = terms.length, i, j, k, s, len;
    var first = new Map();
    want.seqs.forEach(function (s) { if (!first.has(s[0])) first.set(s[0], []); first.get(s[0]).push(s); });
    for (i = 0; i < n; i++) {
      len = 0;
      var cands = first.get(terms[i]);
      if (cands) {
        for (k = 0; k < cands.length && !len; k++) {
          s = cands[k];
          for (j = 1; j < s.length && i + j < n && terms[i + j] === s[j]; j++);
          if (j === s.length) len = s.length;
        }
      }
      for (k = 0; !len && k < want.prefixes.length; k++) if (terms[i].lastIndexOf(want.prefixes[k], 0) === 0) len = 1;
      if (len) { out.push([toks.starts[i], toks.ends[i + len - 1]]); i += len - 1; }
    }
    return out;
  }

  // Offset in the text where the passage (&at=, words the search result's snippet was cut around)
  // starts: its full term sequence, else its first term; -1 when absent.
  function passageOffset(an, toks) {
    if (!passage) return -1;
    var want = an.scan(passage, { terms: [], starts: [], ends: [] }).terms.slice(0, 8);
    for (var len = want.length; len > 0; len = len > 1 ? 1 : 0) {
      var found = findMatches(toks, { seqs: [want.slice(0, len)], prefixes: [] });
      if (found.length) return found[0][0];
    }
    return -1;
  }

  // ---- marking: ranges are wrapped last to first, so earlier offsets stay valid while splitting
  function wrap(flat, ranges) {
    var groups = new Array(ranges.length);
    for (var r = ranges.length - 1; r >= 0; r--) {
      var s = ranges[r][0], e = ranges[r][1], k = nodeAt(flat.offsets, e - 1), pieces = [];
      for (; k >= 0 && flat.offsets[k] + flat.nodes[k].data.length > s; k--) {
        var node = flat.nodes[k], base = flat.offsets[k];
        var a = Math.max(s - base, 0), b = Math.min(e - base, node.data.length);
        if (a >= b || !/\S/.test(node.data.slice(a, b))) continue;
        if (b < node.data.length) node.splitText(b);
        var mid = a > 0 ? node.splitText(a) : node;
        var mark = document.createElement('mark');
        mark.className = 'hl';
        mid.parentNode.replaceChild(mark, mid);
        mark.appendChild(mid);
        pieces.unshift(mark);
      }
      groups[r] = pieces;
    }
    return groups.filter(function (g) { return g.length; });
  }

  function nodeAt(offsets, pos) {
    var lo = 0, hi = offsets.length - 1, k = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (offsets[mid] <= pos) { k = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return k;
  }

  // ---- the bar: "N matches for “q” · previous · next · clear"
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function highlight(an, containers) {
    var want = wanted(an.parse(query));
    if (!want.seqs.length && !want.prefixes.length) return; // only filters: nothing to mark
    var flat = collect(containers);
    var toks = an.scan(flat.text, { terms: [], starts: [], ends: [] });
    var all = findMatches(toks, want);
    var at = passageOffset(an, toks), first = 0;
    if (at >= 0) while (first < all.length && all[first][1] <= at) first++;
    if (first >= all.length) first = 0;
    var begin = Math.max(0, Math.min(first - CAP / 2, all.length - CAP));
    var groups = wrap(flat, all.slice(begin, begin + CAP));
    var current = Math.min(first - begin, groups.length - 1);
    if (at < 0 && location.hash.length > 1) current = afterAnchor(groups, current);

    var shown = query.length > 80 ? query.slice(0, 79) + '…' : query;
    shown = /^".*"$/.test(shown) ? shown : '“' + shown + '”'; // a quoted phrase keeps its own quotes
    var bar = el('div', { class: 'hl-bar', role: 'region', 'aria-label': 'Search matches' });
    var status = el('p', { class: 'hl-status', role: 'status' });
    var prev = el('button', { type: 'button', 'aria-label': 'Previous match' }, '↑ Previous');
    var next = el('button', { type: 'button', 'aria-label': 'Next match' }, '↓ Next');
    var clear = el('button', { type: 'button', 'aria-label': 'Clear highlighting' }, 'Clear');
    bar.appendChild(status);
    if (groups.length > 1) { bar.appendChild(prev); bar.appendChild(next); }
    bar.appendChild(clear);
    containers[0].parentNode.insertBefore(bar, containers[0]);

    function say() {
      var count = all.length === 1 ? '1 match' : all.length.toLocaleString('en-US') + ' matches';
      var text = all.length ? count + ' for ' + shown : 'No matches for ' + shown + ' in this document';
      if (groups.length > 1) text += ' · ' + (current + 1) + ' of ' + groups.length + (groups.length < all.length ? ' shown' : '');
      status.textContent = text;
    }

    function go(i, scroll) {
      if (!groups.length) return;
      groups[current].forEach(function (m) { m.classList.remove('hl-current'); });
      current = (i + groups.length) % groups.length;
      groups[current].forEach(function (m) { m.classList.add('hl-current'); });
      if (scroll) groups[current][0].scrollIntoView({ block: 'center' });
      say();
    }

    prev.addEventListener('click', function () { go(current - 1, true); });
    next.addEventListener('click', function () { go(current + 1, true); });
    clear.addEventListener('click', function () {
      var parents = new Set();
      groups.forEach(function (g) {
        g.forEach(function (m) { parents.add(m.parentNode); m.parentNode.replaceChild(m.firstChild, m); });
      });
      parents.forEach(function (p) { p.normalize(); });
      bar.remove();
      params.delete('q');
      params.delete('at');
      var rest = params.toString();
      try { history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash); } catch (e) { /* file:// */ }
    });
    bar.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { e.preventDefault(); clear.click(); }
    });

    say();
    if (groups.length) {
      go(current, true);
      lineInUrl(groups[current][0]);
    }
  }

  // The first match at or after the element the URL's #fragment names (#L120, #page-3).
  function afterAnchor(groups, fallback) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return fallback;
    for (var i = 0; i < groups.length; i++) {
      var rel = target.compareDocumentPosition(groups[i][0]);
      if (rel & (Node.DOCUMENT_POSITION_FOLLOWING | Node.DOCUMENT_POSITION_CONTAINED_BY)) return i;
    }
    return fallback;
  }

  // A plain-text document names its lines (#L120): put the passage's line in the address bar,
  // so a copied link opens there even without this script.
  function lineInUrl(mark) {
    if (location.hash) return;
    var line = mark.closest('[id^="L"]');
    if (!line || !/^L\d+$/.test(line.id)) return;
    try { history.replaceState(null, '', location.pathname + location.search + '#' + line.id); } catch (e) { /* file:// */ }
  }

  function start() {
    var containers = [].slice.call(document.querySelectorAll('main .document'));
    if (!containers.length) return;
    loadAnalyser(function (an) {
      // after first paint: the page is readable at once, marks follow
      requestAnimationFrame(function () { setTimeout(function () { highlight(an, containers); }, 0); });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}());
