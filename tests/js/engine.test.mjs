// search() over real built indexes. tests/test_search_js.py builds the demo site twice (default
// postings cap, and a cap of 3 so common terms are truncated) and passes both folders here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { search, parseDataFile } from '../../generator/search/client/engine.mjs';

const FULL = process.env.SEARCH_INDEX_DIR;
const CAPPED = process.env.SEARCH_INDEX_CAPPED_DIR;
const SEGMENTED = process.env.SEARCH_INDEX_SEGMENTED_DIR; // the demo in segments of 5 filings
const INCREMENTAL = process.env.SEARCH_INDEX_INCREMENTAL_DIR; // five IndexUpdate runs
const FRESH = process.env.SEARCH_INDEX_FRESH_DIR; // the same final filings, built at once
const DELETED = (process.env.SEARCH_DELETED_IDS || '').split(' ');
const skip = !FULL || !CAPPED || !SEGMENTED || !INCREMENTAL || !FRESH
  ? 'run through pytest (tests/test_search_js.py), which builds the indexes' : false;

function loaderFor(dir) {
  const requested = [];
  const loader = async (name) => { requested.push(name); return parseDataFile(await readFile(`${dir}/${name}.js`, 'utf8')); };
  return { loader, requested };
}

const QUERIES = ['the', 'securities exchange', 'the company', '"the securities"', 'of OR and', 'commission -apple',
  'report*', 'form:8-K the', 'year:1999..2005 securities'];

test('a postings cap changes no result set, only how much a common term downloads', { skip }, async () => {
  const full = loaderFor(FULL), capped = loaderFor(CAPPED);
  for (const q of QUERIES) {
    const a = await search(q, { loader: full.loader, limit: 1000, facets: false });
    const b = await search(q, { loader: capped.loader, limit: 1000, facets: false });
    assert.ok(a.total > 0, `${q} finds something`);
    assert.equal(b.total, a.total, q);
    assert.deepEqual(b.results.map((r) => r.id).sort(), a.results.map((r) => r.id).sort(), q);
  }
  const manifest = parseDataFile(await readFile(`${CAPPED}/manifest.js`, 'utf8'));
  assert.equal(manifest.cap, 3);
  // the capped index also splits positions into blocks (position_bytes=200): phrases read blocks
  const phrase = loaderFor(CAPPED);
  await search('"the securities"', { loader: phrase.loader, limit: 1000, facets: false });
  assert.ok(phrase.requested.some((n) => /\/p\/\d+-\d+-\d+$/.test(n)), phrase.requested.join(' '));
});

test('a phrase is verified in result order only up to the page: same top results, fewer blocks', { skip }, async () => {
  for (const dir of [FULL, CAPPED]) {
    for (const q of ['"the company"', '"of the"', '"the securities"', 'commission "of the"', '"the company" -apple']) {
      const all = await search(q, { loader: loaderFor(dir).loader, limit: 1000, facets: false });
      assert.equal(all.totalExact, true, q);
      for (const [offset, limit] of [[0, 1], [0, 3], [2, 2]]) {
        const page = await search(q, { loader: loaderFor(dir).loader, offset, limit, facets: false });
        const want = all.results.slice(offset, offset + limit);
        assert.deepEqual(page.results.map((r) => [r.id, r.score, r.snippet]), want.map((r) => [r.id, r.score, r.snippet]), `${q} ${offset}+${limit}`);
        if (page.totalExact) assert.equal(page.total, all.total, q);
        else assert.ok(page.total >= offset + limit, q);
      }
    }
  }
  const lazy = loaderFor(CAPPED), full = loaderFor(CAPPED);
  const first = await search('"of the"', { loader: lazy.loader, limit: 1, facets: false });
  await search('"of the"', { loader: full.loader, limit: 1000, facets: false });
  const blocks = (r) => r.requested.filter((n) => /\/p\//.test(n)).length;
  assert.equal(first.totalExact, false);
  assert.ok(blocks(lazy) < blocks(full), `${blocks(lazy)} < ${blocks(full)}`);
});

test('a one-word query loads the manifest, the segment meta and lengths, one shard and one row and chunk per result', { skip }, async () => {
  const { loader, requested } = loaderFor(FULL);
  const res = await search('berkshire', { loader, limit: 2, facets: false });
  assert.ok(res.total >= 2);
  const kinds = requested.map((n) => (n.startsWith('seg/') ? n.split('/')[2] : n.split('/')[0])).sort();
  assert.deepEqual(kinds, ['d', 'd', 'len', 'manifest', 'meta', 't', 'x', 'x']);
});

const QUERY_SET = [...QUERIES, '', 'hathaway', '"of the"', 'million', 'zyxwv', 'company:berkshire', '"the company" form:8-K'];
const key = (r) => JSON.stringify([r.total, r.totalExact, r.facets, r.results.map((x) => [x.id, x.score, x.snippet, x.passage])]);

test('the results do not depend on how the documents fell into segments', { skip }, async () => {
  for (const q of QUERY_SET) {
    for (const sort of ['relevance', 'date']) {
      for (const limit of [3, 1000]) {
        const a = await search(q, { loader: loaderFor(FULL).loader, limit, sort });
        const b = await search(q, { loader: loaderFor(SEGMENTED).loader, limit, sort });
        assert.equal(key(b), key(a), `${q} ${sort} ${limit}`);
      }
    }
  }
  const m = parseDataFile(await readFile(`${SEGMENTED}/manifest.js`, 'utf8'));
  assert.equal(m.segments.length, 5);
});

test('an index updated in several runs (adds, a change, removals, merges) answers like a fresh build', { skip }, async () => {
  const m = parseDataFile(await readFile(`${INCREMENTAL}/manifest.js`, 'utf8'));
  assert.ok(m.segments.length > 1 && m.segments.some((s) => s.deleted.length), JSON.stringify(m.segments));
  for (const q of QUERY_SET) {
    for (const sort of ['relevance', 'date']) {
      const a = await search(q, { loader: loaderFor(FRESH).loader, limit: 1000, sort });
      const b = await search(q, { loader: loaderFor(INCREMENTAL).loader, limit: 1000, sort });
      assert.equal(key(b), key(a), `${q} ${sort}`);
      for (const id of DELETED) assert.ok(!b.results.some((r) => r.id === id), `${id} deleted, found by ${q}`);
    }
  }
  const changed = await search('zyxwv', { loader: loaderFor(INCREMENTAL).loader });
  assert.equal(changed.total, 1);
});

test('results carry the API fields and highlight the matched words', { skip }, async () => {
  const { loader } = loaderFor(FULL);
  const res = await search('hathaway', { loader, limit: 3 });
  for (const r of res.results) {
    assert.deepEqual(Object.keys(r).sort(), ['company', 'filed', 'form', 'id', 'passage', 'score', 'snippet', 'title', 'url']);
    assert.match(r.url, /^filings\/.+\/index\.html$/);
  }
  assert.match(res.results[0].snippet, /<mark>hathaway<\/mark>/i);
  assert.ok(res.facets.form.length >= 1 && res.facets.form.every((f) => f.count > 0));
});

test('an index of another format is refused', { skip }, async () => {
  const loader = async (name) => (name === 'manifest' ? { format: 999 } : {});
  await assert.rejects(search('x', { loader }), /format 999/);
});

test('facet counts of a phrase search are those of its verified results, rows or not', { skip }, async () => {
  // The page asks twice: the results first, then the facets with rows: false. It used to ask
  // for the facets with limit 0, which verified no candidate: a phrase no filing holds showed
  // "0 filings matching" beside facets counting every filing that has its words.
  const { loader } = loaderFor(FULL);
  const words = await search('agreement definitive material', { loader, limit: 10 });
  assert.ok(words.total > 0, 'the words are in some filings');
  for (const q of ['"agreement definitive material"', '"the securities"', '"exchange commission"', 'hathaway']) {
    const full = await search(q, { loader, limit: 10 });
    const facetsOnly = await search(q, { loader, limit: 10, rows: false });
    assert.deepEqual(facetsOnly.results, []);
    assert.equal(facetsOnly.total, full.total, q);
    assert.deepEqual(facetsOnly.facets, full.facets, q);
    if (full.total === 0) assert.ok(Object.values(full.facets).every((values) => values.length === 0), q);
  }
  const none = await search('"agreement definitive material"', { loader, limit: 10, rows: false });
  assert.equal(none.total, 0);
  assert.deepEqual(Object.values(none.facets).flat(), []);
});
