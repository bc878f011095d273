// The browser parses every query into the same tree as generator/search/query.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseQuery } from '../../generator/search/client/query.mjs';

const contract = JSON.parse(readFileSync(new URL('../contract/query.json', import.meta.url), 'utf8'));

test('query trees equal the Python parser\'s', () => {
  assert.ok(contract.cases.length > 20);
  for (const c of contract.cases) assert.deepEqual(parseQuery(c.query), c.tree, c.query);
});
