// search() over real built indexes. tests/test_search_js.py builds the demo site twice (default
// postings cap, and a cap of 3 so common terms are truncated) and passes both folders here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { search, parseDataFile } from '../../generator/search/client/engine.mjs';

const FULL = process.env.SEARCH_INDEX_DIR;
const CAPPED = process.env.SEARCH_INDEX_CAPPED_DIR;
const skip = !FULL || !CAPPED ? 'run through pytest (tests/test_search_js.py), which builds the indexes' : false;

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
  assert.ok(phrase.requested.some((n) => /^p\/\d+-\d+-\d+$/.test(n)), phrase.requested.join(' '));
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
  const blocks = (r) => r.requested.filter((n) => /^p\//.test(n)).length;
  assert.equal(first.totalExact, false);
  assert.ok(blocks(lazy) < blocks(full), `${blocks(lazy)} < ${blocks(full)}`);
});

test('a one-word query loads the manifest, one shard and one row and chunk per result', { skip }, async () => {
  const { loader, requested } = loaderFor(FULL);
  const res = await search('berkshire', { loader, limit: 2, facets: false });
  assert.ok(res.total >= 2);
  const kinds = requested.map((n) => n.split('/')[0]).sort();
  assert.deepEqual(kinds, ['d', 'd', 'manifest', 't', 'x', 'x']);
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
