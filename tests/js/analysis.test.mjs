// The browser's analysis must agree with Python's on the shared contract (tests/contract/analysis.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, tokens } from '../../generator/search/client/analysis.mjs';
import stem from '../../generator/search/client/wink-porter2-stemmer.js';

const contract = JSON.parse(readFileSync(new URL('../contract/analysis.json', import.meta.url), 'utf8'));

test('tokenizer cases', () => {
  for (const c of contract.cases) {
    assert.deepEqual(analyze(c.text), c.terms, c.name);
    assert.deepEqual(tokens(c.text).map((t) => [t.start, t.end]), c.spans, c.name);
  }
});

test('positions count terms from the first position', () => {
  assert.deepEqual(tokens('a b', 5).map((t) => t.position), [5, 6]);
});

test('vendored wink-porter2-stemmer equals whoosh porter2', () => {
  const words = Object.keys(contract.stems);
  assert.ok(words.length > 500, 'the contract holds a real vocabulary');
  const differ = words.filter((w) => stem(w) !== contract.stems[w]);
  assert.deepEqual(differ, []);
});
