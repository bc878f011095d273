// search(query, options) over the static index in search/ (format: docs/search.md).
// Loads the manifest once, then only the shards of the query's terms, the columns its filters
// and facets need, and one row and one text chunk per shown result.
import { tokens } from './analysis.mjs';
import { parseQuery } from './query.mjs';

export const FORMAT_VERSION = 2;
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
    indexes.set(key, { load, manifest: load('manifest').then(checkManifest) });
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

// ---- terms and postings
function shardOf(m, term) {
  let lo = 0, hi = m.shards.length - 1, k = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (m.shards[mid] <= term) { k = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return k;
}

function undelta(gaps) {
  const out = new Array(gaps.length);
  let t = 0;
  for (let i = 0; i < gaps.length; i++) { t += gaps[i]; out[i] = t; }
  return out;
}

async function entryFor(idx, m, term) {
  if (!m.shards.length) return null;
  const shard = await idx.load(`t/${shardOf(m, term)}`);
  return shard[term] || null;
}

// term -> {docs: Map(doc -> impact), anchor: Map(doc -> first body position), all: [docs]}
async function postings(idx, m, term, memo) {
  if (!memo.has(term)) {
    memo.set(term, entryFor(idx, m, term).then((e) => {
      if (!e) return { docs: new Map(), anchor: new Map(), all: [] };
      const top = undelta(e.d);
      const all = e.a ? undelta(e.a) : top;
      const docs = new Map(all.map((d) => [d, e.r || 0]));
      const anchor = new Map();
      top.forEach((d, i) => { docs.set(d, e.s[i]); if (e.f[i] >= 0) anchor.set(d, e.f[i]); });
      return { docs, anchor, all, shard: shardOf(m, term), blocks: e.b || null };
    }));
  }
  return memo.get(term);
}

// doc -> positions, for the candidate documents at least. A large entry is split into blocks of
// `per` documents (entry.b = [j, per], files p/<shard>-<j>-<block>): only candidates' blocks load.
async function positionsOf(idx, term, posting, candidates) {
  const out = new Map();
  if (posting.blocks) {
    const [j, per] = posting.blocks;
    const at = new Map(posting.all.map((d, i) => [d, i]));
    const blocks = [...new Set(candidates.map((d) => Math.floor(at.get(d) / per)))].sort((a, b) => a - b);
    for (let k = 0; k < blocks.length; k += BLOCK_BATCH) { // a few requests at a time, not thousands
      await Promise.all(blocks.slice(k, k + BLOCK_BATCH).map(async (b) => {
        const lists = await idx.load(`p/${posting.shard}-${j}-${b}`);
        lists.forEach((l, i) => out.set(posting.all[b * per + i], undelta(l)));
      }));
    }
    return out;
  }
  const lists = (await idx.load(`p/${posting.shard}`))[term] || [];
  posting.all.forEach((d, i) => out.set(d, undelta(lists[i])));
  return out;
}

async function expandPrefix(idx, m, prefixes) {
  const found = new Map();
  for (const p of prefixes) {
    const first = shardOf(m, p);
    for (let k = first; k < m.shards.length && (k === first || m.shards[k] < p + '\uffff'); k++) {
      const shard = await idx.load(`t/${k}`);
      for (const term of Object.keys(shard)) if (term.startsWith(p)) found.set(term, shard[term].n);
    }
  }
  return [...found].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_PREFIX_TERMS).map(([t]) => t).sort();
}

// ---- clauses -> {docs: Map(doc -> score), anchor: Map(doc -> position), words: [terms]}
async function evalClause(idx, m, clause, memo) {
  if (clause.term !== undefined) {
    const p = await postings(idx, m, clause.term, memo);
    return { docs: p.docs, anchor: p.anchor, words: [clause.term] };
  }
  if (clause.phrase) return evalPhrase(idx, m, clause.phrase, memo);
  const alts = clause.or
    ? clause.or
    : (await expandPrefix(idx, m, clause.prefix)).map((term) => ({ term }));
  const parts = await Promise.all(alts.map((c) => evalClause(idx, m, c, memo)));
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
async function phraseCandidates(idx, m, terms, memo) {
  const ps = await Promise.all(terms.map((t) => postings(idx, m, t, memo)));
  const docs = new Map();
  for (const d of ps[0].docs.keys()) {
    if (ps.every((p) => p.docs.has(d))) docs.set(d, ps.reduce((sum, p) => sum + p.docs.get(d), 0));
  }
  const verify = async (candidates) => {
    const found = new Map();
    if (!candidates.length) return found;
    const pos = await Promise.all(terms.map((t, i) => positionsOf(idx, t, ps[i], candidates)));
    for (const d of candidates) {
      const sets = pos.map((p) => new Set(p.get(d)));
      const start = pos[0].get(d).find((p0) => sets.every((s, i) => s.has(p0 + i)));
      if (start !== undefined) found.set(d, start);
    }
    return found;
  };
  return { docs, anchor: new Map(), words: terms, verify };
}

async function evalPhrase(idx, m, terms, memo) {
  const c = await phraseCandidates(idx, m, terms, memo);
  const anchor = await c.verify([...c.docs.keys()]);
  const docs = new Map([...anchor.keys()].map((d) => [d, c.docs.get(d)]));
  return { docs, anchor, words: terms };
}

// ---- filters and facets over columns
async function columns(idx, names) {
  const out = {};
  for (const name of names) {
    const c = await idx.load(`m/${name === 'year' ? 'filed' : name}`);
    out[name] = name === 'year' || name === 'filed' ? filedColumn(c, name === 'year') : c;
  }
  return out;
}

function filedColumn(c, yearOnly) {
  const values = new Array(c.undated).fill(null);
  for (const day of undelta(c.days)) {
    const iso = new Date(day * 86400000).toISOString().slice(0, 10);
    values.push(yearOnly ? iso.slice(0, 4) : iso);
  }
  return { strings: values };
}

function valuesOf(col, doc) {
  if (col.strings) return col.strings[doc] === null ? [] : [col.strings[doc]];
  const v = col.docs[doc];
  return (Array.isArray(v) ? v : v < 0 ? [] : [v]).map((i) => col.values[i]);
}

function matchesFilter(f, cols, doc) {
  const col = cols[f.field === 'year' ? 'filed' : f.field];
  const vals = valuesOf(col, doc);
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
    const vals = name === 'company' ? [cols.company.values[cols.company.main[doc]]] : valuesOf(cols[name], doc);
    return vals.some((v) => wanted.includes(v));
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
      const vals = name === 'company' ? [cols.company.values[cols.company.main[d]]] : valuesOf(cols[name], d);
      for (const v of new Set(vals)) if (v !== undefined) counts.set(v, (counts.get(v) || 0) + w);
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

async function snippetFor(idx, n, row, position, words) {
  if (!row.chunks.length) return { snippet: '', passage: null };
  let k = 0;
  while (k + 1 < row.chunks.length && row.chunks[k + 1] <= position) k++;
  const chunk = await idx.load(`x/${n}/${k}`);
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

async function resultRow(idx, n, score, position, words) {
  const row = await idx.load(`d/${n}`);
  const { snippet, passage } = await snippetFor(idx, n, row, position, words);
  return {
    id: row.id, url: row.url, title: row.title, form: row.form, filed: row.filed, company: row.company,
    score: Math.round(score) / 100, snippet, passage,
  };
}

// ---- the engine
function intersect(results, universe) {
  if (!results.length) return new Map(Array.from({ length: universe }, (_, d) => [d, 0]));
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

export async function search(query, options = {}) {
  const idx = indexFor(options);
  const m = await idx.manifest;
  const tree = typeof query === 'string' ? parseQuery(query) : query;
  const memo = new Map();
  const must = await Promise.all(tree.must.map((c) =>
    (c.phrase ? phraseCandidates(idx, m, c.phrase, memo) : evalClause(idx, m, c, memo))));
  const not = await Promise.all(tree.not.map((c) => evalClause(idx, m, c, memo)));
  let matched = intersect(must, m.docs);
  for (const r of not) for (const d of r.docs.keys()) matched.delete(d);
  const selected = options.filters || {};
  const needed = new Set([...tree.filters.map((f) => f.field), ...Object.keys(selected).filter((k) => selected[k]?.length)]);
  if (options.facets !== false) FACETS.forEach((f) => needed.add(f));
  if (needed.has('year')) needed.add('filed'); // a year filter compares dates; the facet shows years
  const cols = await columns(idx, [...needed].sort());
  const keep = [...matched.keys()].filter((d) =>
    tree.filters.every((f) => matchesFilter(f, cols, d) !== f.not) && matchesFacets(selected, cols, d));
  const byDate = options.sort === 'date' || !tree.must.length;
  keep.sort(byDate ? (a, b) => b - a : (a, b) => matched.get(b) - matched.get(a) || b - a);
  const offset = options.offset || 0, limit = options.limit ?? 10;
  // phrases: only the candidates up to the page's end are verified; the rest are estimated
  const { passed, checked, rate } = await verifyInOrder(must, keep, offset + limit);
  const unchecked = keep.slice(checked);
  const totalExact = !unchecked.length;
  const words = must.flatMap((r) => r.words);
  const anchorOf = (d) => Math.min(...must.map((r) => (r.anchor.has(d) ? r.anchor.get(d) : Infinity)));
  const results = await Promise.all(passed.slice(offset, offset + limit).map((d) =>
    resultRow(idx, d, matched.get(d), anchorOf(d) === Infinity ? -1 : anchorOf(d), words)));
  const out = { total: passed.length + Math.round(unchecked.length * rate), totalExact, results };
  out.facets = options.facets === false ? {} : facetCounts(cols, passed, unchecked, rate);
  return out;
}
