// search(query, options) over the static index in search/ (format 3: docs/search.md).
// Loads the manifest and each live segment's meta once, then only the shards of the query's
// terms in every segment, the columns its filters and facets need, and one row and one text
// chunk per shown result. Scores are BM25F computed here from integer term frequencies and the
// statistics of all segments, so a document ranks the same whichever segment holds it.
import { tokens } from './analysis.mjs';
import { parseQuery } from './query.mjs';

export const FORMAT_VERSION = 3;
const FIELDS = ['company', 'form', 'body'];
const TIE_WINDOW = 32;
const MAX_PREFIX_TERMS = 50;
const BLOCK_BATCH = 16;
const MAX_VERIFY_BATCH = 256;
const FACETS = ['form', 'year', 'company', 'state', 'exhibit'];
let defaultBase = '';
export function setDefaultBase(base) { defaultBase = base; }

// ---- loading: fetch over http(s), script tags on file:// (Chrome allows nothing else there)
const registered = new Map();
const indexes = new Map();

export function parseDataFile(text) {
  return JSON.parse(text.slice(text.indexOf(',') + 1, text.lastIndexOf(')')));
}

function scriptLoader(base) {
  globalThis.__filingSearch = (name, value) => registered.set(name, value);
  return (name) => new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = base + name + '.js';
    s.onload = () => {
      s.remove();
      if (registered.has(name)) { resolve(registered.get(name)); registered.delete(name); }
      else reject(new Error(`search index file ${name} did not register`));
    };
    s.onerror = () => { s.remove(); reject(new Error(`could not load ${s.src}`)); };
    document.head.appendChild(s);
  });
}

function fetchLoader(base) {
  return async (name) => {
    const r = await fetch(base + name + '.js');
    if (!r.ok) throw new Error(`could not load ${base}${name}.js: HTTP ${r.status}`);
    return parseDataFile(await r.text());
  };
}

function indexFor(options) {
  const base = options.base ?? defaultBase;
  const key = options.loader || base;
  if (!indexes.has(key)) {
    const useScripts = base.startsWith('file:') || typeof fetch !== 'function';
    const loader = options.loader || (useScripts ? scriptLoader(base) : fetchLoader(base));
    const cache = new Map();
    const load = (name) => {
      if (!cache.has(name)) {
        const p = loader(name);
        cache.set(name, p);
        p.catch(() => cache.delete(name));
      }
      return cache.get(name);
    };
    const manifest = load('manifest').then(checkManifest);
    indexes.set(key, { load, manifest, ctx: manifest.then((m) => openSegments(load, m)) });
  }
  return indexes.get(key);
}

function checkManifest(m) {
  if (m.format !== FORMAT_VERSION) {
    throw new Error(`search index format ${m.format}, this client reads ${FORMAT_VERSION}: rebuild the site`);
  }
  return m;
}

export function loadManifest(options = {}) { return indexFor(options).manifest; }

// ---- segments: one global document number per (segment, document): base + local number
async function openSegments(load, m) {
  let base = 0;
  const segs = m.segments.map((s, i) => {
    const seg = { i, name: s.name, base, docs: s.docs, deleted: new Set(undelta(s.deleted)) };
    base += s.docs;
    return seg;
  });
  await Promise.all(segs.map(async (s) => { s.meta = await load(`seg/${s.name}/meta`); }));
  const days = new Int32Array(base).fill(-1); // filing day per document, -1 undated
  const live = [];
  for (const s of segs) {
    undelta(s.meta.days).forEach((d, i) => { days[s.base + s.meta.undated + i] = d; });
    for (let n = 0; n < s.docs; n++) if (!s.deleted.has(n)) live.push(s.base + n);
  }
  const avg = m.lengths.map((l) => Math.max(1e-9, l / Math.max(1, m.docs)));
  const starts = segs.map((s) => s.base);
  const segOf = (g) => { let lo = 0, hi = starts.length - 1; while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= g) lo = mid; else hi = mid - 1; } return segs[lo]; };
  return { m, segs, days, live, avg, segOf, weights: FIELDS.map((f) => m.weights[f]) };
}

// ---- terms and postings
function shardOf(shards, term) {
  let lo = 0, hi = shards.length - 1, k = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (shards[mid] <= term) { k = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return k;
}

function undelta(gaps) {
  const out = new Array(gaps.length);
  let t = 0;
  for (let i = 0; i < gaps.length; i++) { t += gaps[i]; out[i] = t; }
  return out;
}

// a segment's field lengths (3 per document), loaded once, alongside the query's first shard
function lengthsOf(idx, seg) {
  if (!seg.lengths) {
    seg.lengths = idx.load(`seg/${seg.name}/len`);
    seg.lengths.catch(() => { seg.lengths = null; }); // retried by the next query; the error reaches the awaiting one
  }
  return seg.lengths;
}

async function entryIn(idx, seg, term) {
  if (!seg.meta.shards.length) return null;
  const len = lengthsOf(idx, seg);
  const k = shardOf(seg.meta.shards, term);
  const shard = await idx.load(`seg/${seg.name}/t/${k}`);
  return shard[term] ? { e: shard[term], k, len: await len } : null;
}

// BM25F of one term in one document, in hundredths (whoosh's formula, as the command line's)
function impact(ctx, idf, len, n, tf) {
  const { m, avg, weights } = ctx;
  let score = 0;
  for (let f = 0; f < 3; f++) {
    if (!tf[f]) continue;
    const norm = m.k1 * ((1 - m.b) + m.b * len[3 * n + f] / avg[f]);
    score += weights[f] * idf[f] * tf[f] * (m.k1 + 1) / (tf[f] + norm);
  }
  return Math.max(1, Math.round(score * 100));
}

// A segment entry's per field document frequencies without its deleted documents, so that
// statistics equal a fresh build's. A deleted document in a capped term's tail (its frequencies
// are not in the entry) counts as a body occurrence: the term is in over `cap` documents there.
function liveDf(e, deleted) {
  const n = [...e.n];
  if (!deleted.size) return n;
  const kept = new Map(undelta(e.d).map((d, j) => [d, j]));
  for (const d of undelta(e.a || e.d)) {
    if (!deleted.has(d)) continue;
    const j = kept.get(d);
    if (j === undefined) n[n[2] ? 2 : n[1] ? 1 : 0]--;
    else for (let f = 0; f < 3; f++) if (e.s[f].length && e.s[f][j]) n[f]--;
  }
  return n;
}

// term -> {docs: Map(doc -> impact), anchor: Map(doc -> first body position), parts: per segment}
async function postings(idx, ctx, term, memo) {
  if (!memo.has(term)) {
    memo.set(term, Promise.all(ctx.segs.map((s) => entryIn(idx, s, term))).then((found) => {
      const df = [0, 0, 0];
      found.forEach((x, i) => { if (x) liveDf(x.e, ctx.segs[i].deleted).forEach((v, f) => { df[f] += v; }); });
      const idf = df.map((v) => Math.log(ctx.m.docs / (v + 1)) + 1);
      const docs = new Map(), anchor = new Map(), parts = [];
      found.forEach((x, i) => {
        if (!x) return;
        const seg = ctx.segs[i], e = x.e, top = undelta(e.d), all = e.a ? undelta(e.a) : top;
        // documents beyond a capped term's top: the mean of their tf parts (estimated score)
        const rest = e.r ? Math.max(1, Math.round(e.r.reduce((t, r, f) => t + ctx.weights[f] * idf[f] * r, 0))) : 0;
        for (const n of all) if (!seg.deleted.has(n)) docs.set(seg.base + n, rest);
        top.forEach((n, j) => {
          if (seg.deleted.has(n)) return;
          docs.set(seg.base + n, impact(ctx, idf, x.len, n, e.s.map((col) => (col.length ? col[j] : 0))));
          if (e.f[j] >= 0) anchor.set(seg.base + n, e.f[j]);
        });
        parts.push({ seg, all, shard: x.k, blocks: e.b || null });
      });
      return { docs, anchor, parts, term };
    }));
  }
  return memo.get(term);
}

// doc -> positions, for the candidate documents at least. A large entry is split into blocks of
// `per` documents (entry.b = [j, per], files p/<shard>-<j>-<block>): only candidates' blocks load,
// BLOCK_BATCH requests at a time.
async function positionsOf(idx, posting, candidates) {
  const out = new Map(), loads = [];
  for (const part of posting.parts) {
    const { seg } = part, dir = `seg/${seg.name}/p/${part.shard}`;
    const mine = candidates.filter((g) => g >= seg.base && g < seg.base + seg.docs).map((g) => g - seg.base);
    if (!mine.length) continue;
    if (!part.blocks) {
      loads.push(async () => {
        const lists = (await idx.load(dir))[posting.term] || [];
        part.all.forEach((n, i) => out.set(seg.base + n, undelta(lists[i])));
      });
      continue;
    }
    const [j, per] = part.blocks;
    const at = new Map(part.all.map((n, i) => [n, i]));
    const blocks = [...new Set(mine.filter((n) => at.has(n)).map((n) => Math.floor(at.get(n) / per)))].sort((a, b) => a - b);
    for (const b of blocks) {
      loads.push(async () => {
        const lists = await idx.load(`${dir}-${j}-${b}`);
        lists.forEach((l, i) => out.set(seg.base + part.all[b * per + i], undelta(l)));
      });
    }
  }
  for (let k = 0; k < loads.length; k += BLOCK_BATCH) await Promise.all(loads.slice(k, k + BLOCK_BATCH).map((f) => f()));
  return out;
}

async function expandPrefix(idx, ctx, prefixes) {
  const found = new Map();
  for (const seg of ctx.segs) {
    const shards = seg.meta.shards;
    for (const p of prefixes) {
      const first = shardOf(shards, p);
      for (let k = first; k < shards.length && (k === first || shards[k] < p + '\uffff'); k++) {
        const shard = await idx.load(`seg/${seg.name}/t/${k}`);
        for (const term of Object.keys(shard)) {
          if (term.startsWith(p)) found.set(term, (found.get(term) || 0) + (shard[term].a || shard[term].d).length);
        }
      }
    }
  }
  return [...found].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_PREFIX_TERMS).map(([t]) => t).sort();
}

// ---- clauses -> {docs: Map(doc -> score), anchor: Map(doc -> position), words: [terms]}
async function evalClause(idx, ctx, clause, memo) {
  if (clause.term !== undefined) {
    const p = await postings(idx, ctx, clause.term, memo);
    return { docs: p.docs, anchor: p.anchor, words: [clause.term] };
  }
  if (clause.phrase) return evalPhrase(idx, ctx, clause.phrase, memo);
  const alts = clause.or
    ? clause.or
    : (await expandPrefix(idx, ctx, clause.prefix)).map((term) => ({ term }));
  const parts = await Promise.all(alts.map((c) => evalClause(idx, ctx, c, memo)));
  const docs = new Map(), anchor = new Map(), words = [];
  for (const part of parts) {
    for (const [d, s] of part.docs) docs.set(d, (docs.get(d) || 0) + s);
    for (const [d, a] of part.anchor) if (!anchor.has(d) || a < anchor.get(d)) anchor.set(d, a);
    words.push(...part.words);
  }
  return { docs, anchor, words };
}

// A phrase's candidates are the documents holding all its terms; their score (the sum of the
// terms' impacts) is known before any position is read. `verify(docs)` reads the positions of
// just those documents (a few blocks at a time) and returns doc -> match position for those that
// really hold the phrase. A top-level phrase is verified lazily by search(), in result order,
// only until the page is full (a phrase of two common words has every document as candidate).
async function phraseCandidates(idx, ctx, terms, memo) {
  const ps = await Promise.all(terms.map((t) => postings(idx, ctx, t, memo)));
  const docs = new Map();
  for (const d of ps[0].docs.keys()) {
    if (ps.every((p) => p.docs.has(d))) docs.set(d, ps.reduce((sum, p) => sum + p.docs.get(d), 0));
  }
  const verify = async (candidates) => {
    const found = new Map();
    if (!candidates.length) return found;
    const pos = await Promise.all(ps.map((p) => positionsOf(idx, p, candidates)));
    for (const d of candidates) {
      const sets = pos.map((p) => new Set(p.get(d)));
      const start = pos[0].get(d).find((p0) => sets.every((s, i) => s.has(p0 + i)));
      if (start !== undefined) found.set(d, start);
    }
    return found;
  };
  return { docs, anchor: new Map(), words: terms, verify };
}

async function evalPhrase(idx, ctx, terms, memo) {
  const c = await phraseCandidates(idx, ctx, terms, memo);
  const anchor = await c.verify([...c.docs.keys()]);
  const docs = new Map([...anchor.keys()].map((d) => [d, c.docs.get(d)]));
  return { docs, anchor, words: terms };
}

// ---- filters and facets over columns: name -> {get(doc) -> [values], main(doc) for company}
function dayIso(day) { return new Date(day * 86400000).toISOString().slice(0, 10); }

async function columns(idx, ctx, names) {
  const out = {};
  for (const name of names) {
    if (name === 'year' || name === 'filed') {
      out[name] = { get: (g) => (ctx.days[g] < 0 ? [] : [name === 'year' ? dayIso(ctx.days[g]).slice(0, 4) : dayIso(ctx.days[g])]) };
      continue;
    }
    const cols = await Promise.all(ctx.segs.map((s) => idx.load(`seg/${s.name}/m/${name}`)));
    const get = (g) => {
      const s = ctx.segOf(g), c = cols[s.i], v = c.docs[g - s.base];
      return (Array.isArray(v) ? v : v < 0 ? [] : [v]).map((i) => c.values[i]);
    };
    const main = (g) => { const s = ctx.segOf(g), c = cols[s.i]; return c.values[c.main[g - s.base]]; };
    out[name] = { get, main };
  }
  return out;
}

function facetValues(cols, name, doc) {
  return name === 'company' ? [cols.company.main(doc)] : cols[name].get(doc);
}

function matchesFilter(f, cols, doc) {
  const vals = cols[f.field === 'year' ? 'filed' : f.field].get(doc);
  if (f.from !== undefined) {
    return vals.some((v) => (!f.from || v.slice(0, f.from.length) >= f.from) && (!f.to || v.slice(0, f.to.length) <= f.to));
  }
  if (f.field === 'company') {
    const words = new Set(vals.flatMap((v) => tokens(v).map((t) => t.term)));
    return f.value.every((t) => words.has(t));
  }
  if (f.field === 'cik') return vals.some((v) => v.replace(/^0+/, '') === f.value);
  if (f.field === 'form' || f.field === 'item') return vals.some((v) => v.toLowerCase() === f.value);
  return vals.some((v) => v.toUpperCase() === f.value);
}

// options.filters (facet choices): {form: [...], year: [...], ...}; any value of a facet, all facets.
function matchesFacets(selected, cols, doc) {
  return Object.entries(selected).every(([name, wanted]) => {
    if (!wanted || !wanted.length) return true;
    return facetValues(cols, name, doc).some((v) => wanted.includes(v));
  });
}

// Counts per facet value over the result set. When a phrase was verified only up to the page
// (`unchecked` candidates left), each unchecked candidate counts `rate` (the pass rate seen): an
// estimate, flagged by the result's totalExact: false.
function facetCounts(cols, docs, unchecked = [], rate = 1) {
  const out = {};
  for (const name of FACETS) {
    const counts = new Map();
    const add = (d, w) => {
      for (const v of new Set(facetValues(cols, name, d))) if (v !== undefined) counts.set(v, (counts.get(v) || 0) + w);
    };
    for (const d of docs) add(d, 1);
    for (const d of unchecked) add(d, rate);
    out[name] = [...counts].map(([value, c]) => ({ value, count: Math.round(c) })).filter((f) => f.count > 0)
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
  }
  return out;
}

// ---- results
function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

async function snippetFor(idx, row, position, words) {
  if (!row.chunks.length) return { snippet: '', passage: null };
  let k = 0;
  while (k + 1 < row.chunks.length && row.chunks[k + 1] <= position) k++;
  const chunk = await idx.load(`x/${row.h}/${k}`);
  const toks = tokens(chunk.t, chunk.p);
  const at = Math.max(0, toks.findIndex((t) => t.position >= position));
  const from = Math.max(0, at - 10), to = Math.min(toks.length, at + 25);
  if (from >= to) return { snippet: '', passage: chunk.u };
  const wanted = new Set(words);
  let html = from > 0 ? '… ' : '', last = toks[from].start;
  for (let i = from; i < to; i++) {
    const t = toks[i];
    html += escapeHtml(chunk.t.slice(last, t.start).replace(/\s+/g, ' '));
    const text = escapeHtml(chunk.t.slice(t.start, t.end));
    html += wanted.has(t.term) ? `<mark>${text}</mark>` : text;
    last = t.end;
  }
  const hit = toks[at];
  const fragment = hit && wanted.has(hit.term) ? `#:~:text=${encodeURIComponent(chunk.t.slice(hit.start, hit.end))}` : '';
  return { snippet: html + (to < toks.length ? ' …' : ''), passage: chunk.u + fragment };
}

function rowOf(idx, ctx, g) {
  const s = ctx.segOf(g);
  return idx.load(`seg/${s.name}/d/${g - s.base}`);
}

async function resultRow(idx, ctx, g, score, position, words) {
  const row = await rowOf(idx, ctx, g);
  const { snippet, passage } = await snippetFor(idx, row, position, words);
  return {
    id: row.id, url: row.url, title: row.title, form: row.form, filed: row.filed, company: row.company,
    score: Math.round(score) / 100, snippet, passage,
  };
}

// ---- the engine
function intersect(results, live) {
  if (!results.length) return new Map(live.map((d) => [d, 0]));
  const [first, ...rest] = [...results].sort((a, b) => a.docs.size - b.docs.size);
  const out = new Map();
  for (const [d, s] of first.docs) {
    let total = s;
    if (rest.every((r) => r.docs.has(d) && ((total += r.docs.get(d)), true))) out.set(d, total);
  }
  return out;
}

// Verifies the lazy phrase clauses of `must` over `keep` (already in result order) until `need`
// documents pass or none are left: a batch at a time, sized by the pass rate seen so far, so a
// phrase of common words reads the position blocks of about `need` documents, not of all.
// Returns the passing documents in order, how many candidates were checked, and the pass rate.
async function verifyInOrder(must, keep, need) {
  const lazy = must.filter((r) => r.verify);
  if (!lazy.length) return { passed: keep, checked: keep.length, rate: 1 };
  const passed = [];
  let checked = 0, size = 0;
  while (checked < keep.length && passed.length < need) {
    // the first batch is the page; then as many as the pass rate says are missing, at most
    // double the last batch (the best-scored candidates may all fail: a company named "... Company")
    const rate = checked ? Math.max(passed.length / checked, 1 / 64) : 1;
    size = Math.min(MAX_VERIFY_BATCH, size ? 2 * size : need, Math.ceil((need - passed.length) / rate));
    const batch = keep.slice(checked, checked + size);
    checked += batch.length;
    let ok = batch;
    for (const r of lazy) {
      const found = await r.verify(ok);
      for (const [d, a] of found) r.anchor.set(d, a);
      ok = ok.filter((d) => found.has(d));
    }
    passed.push(...ok);
  }
  return { passed, checked, rate: checked ? passed.length / checked : 1 };
}

// Results are ordered by score (or date), then newer filing first, then larger id. Documents
// of one segment are numbered in (date, id) order, but ids across segments are only in the rows:
// ties of score and date around the page's edges (at most TIE_WINDOW) are ordered by id from
// their rows, which the page loads anyway.
async function pageOf(idx, ctx, list, offset, limit, same) {
  let lo = offset, hi = Math.min(list.length, offset + limit);
  if (lo >= hi) return [];
  while (lo > 0 && offset - lo < TIE_WINDOW && same(list[lo - 1], list[lo])) lo--;
  while (hi < list.length && hi - offset - limit < TIE_WINDOW && same(list[hi], list[hi - 1])) hi++;
  const window = list.slice(lo, hi);
  const mixed = window.some((g, i) => i && same(g, window[i - 1]) && ctx.segOf(g) !== ctx.segOf(window[i - 1]));
  if (mixed) {
    const ids = new Map(await Promise.all(window.map(async (g) => [g, (await rowOf(idx, ctx, g)).id])));
    const rank = new Map(window.map((g, i) => [g, i]));
    let first = 0; // the first of the current group of equals
    const group = window.map((g, i) => (i && same(g, window[i - 1]) ? first : (first = i)));
    window.sort((a, b) => group[rank.get(a)] - group[rank.get(b)] || (ids.get(a) < ids.get(b) ? 1 : ids.get(a) > ids.get(b) ? -1 : 0));
  }
  return window.slice(offset - lo, offset - lo + limit);
}

// options: offset, limit (results on the page, 10), sort ('date'), filters (facet choices),
// facets (false: none counted), rows (false: no result rows are made; the page's candidates are
// still verified, so `total` and the facet counts are those of the same search with rows).
export async function search(query, options = {}) {
  const idx = indexFor(options);
  const ctx = await idx.ctx;
  const tree = typeof query === 'string' ? parseQuery(query) : query;
  const memo = new Map();
  const must = await Promise.all(tree.must.map((c) =>
    (c.phrase ? phraseCandidates(idx, ctx, c.phrase, memo) : evalClause(idx, ctx, c, memo))));
  const not = await Promise.all(tree.not.map((c) => evalClause(idx, ctx, c, memo)));
  const matched = intersect(must, ctx.live);
  for (const r of not) for (const d of r.docs.keys()) matched.delete(d);
  const selected = options.filters || {};
  const needed = new Set([...tree.filters.map((f) => f.field), ...Object.keys(selected).filter((k) => selected[k]?.length)]);
  if (options.facets !== false) FACETS.forEach((f) => needed.add(f));
  if (needed.has('year')) needed.add('filed'); // a year filter compares dates; the facet shows years
  const cols = await columns(idx, ctx, [...needed].sort());
  const keep = [...matched.keys()].filter((d) =>
    tree.filters.every((f) => matchesFilter(f, cols, d) !== f.not) && matchesFacets(selected, cols, d));
  const byDate = options.sort === 'date' || !tree.must.length;
  const days = ctx.days;
  const same = byDate ? (a, b) => days[a] === days[b] : (a, b) => matched.get(a) === matched.get(b) && days[a] === days[b];
  keep.sort(byDate ? (a, b) => days[b] - days[a] || b - a
    : (a, b) => matched.get(b) - matched.get(a) || days[b] - days[a] || b - a);
  const offset = options.offset || 0, limit = options.limit ?? 10;
  // phrases: only the candidates up to the page's end are verified; the rest are estimated
  const { passed, checked, rate } = await verifyInOrder(must, keep, offset + limit);
  const unchecked = keep.slice(checked);
  const words = must.flatMap((r) => r.words);
  const anchorOf = (d) => Math.min(...must.map((r) => (r.anchor.has(d) ? r.anchor.get(d) : Infinity)));
  const shown = options.rows === false ? [] : await pageOf(idx, ctx, passed, offset, limit, same);
  const results = await Promise.all(shown.map((d) =>
    resultRow(idx, ctx, d, matched.get(d), anchorOf(d) === Infinity ? -1 : anchorOf(d), words)));
  const out = { total: passed.length + Math.round(unchecked.length * rate), totalExact: !unchecked.length, results };
  out.facets = options.facets === false ? {} : facetCounts(cols, passed, unchecked, rate);
  return out;
}
