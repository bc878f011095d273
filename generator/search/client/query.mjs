// Query syntax -> a plain tree both the browser and the command line evaluate.
// The twin of generator/search/query.py's parse_query (shared cases: tests/contract/query.json).
//   words        every word must match (a word of several terms, e.g. "co-invest", is a phrase)
//   "a phrase"   the terms in this order;  -word / -"phrase" / -form:8-K   exclude
//   a OR b       either;  prefix*   words starting with it (identifiers never: 99.1* is 99.1)
//   form: cik: company: item: year: filed: state: exhibit:   filters
// Tree: {must: [clause], not: [clause], filters: [{field, not, value | from/to}]}
// clause: {term} | {phrase: [terms]} | {prefix: [raw, stemmed]} | {or: [clause]}
import { analyze, fold, isIdentifier, normalizeWord } from './analysis.mjs';

export const FILTERS = ['cik', 'company', 'exhibit', 'filed', 'form', 'item', 'state', 'year'];
const LEX = /(-?)(?:([A-Za-z]+):)?(?:"([^"]*)(?:"|$)|([^\s"]+))/g;

// The query's pieces in order: {neg, field, text, quoted} or the OR marker.
function lex(query) {
  const out = [];
  LEX.lastIndex = 0;
  let m;
  while ((m = LEX.exec(query)) !== null) {
    if (m[0] === '') { LEX.lastIndex += 1; continue; }
    let field = m[2] ? m[2].toLowerCase() : null;
    let text = m[3] !== undefined ? m[3] : m[4];
    const quoted = m[3] !== undefined;
    if (field && !FILTERS.includes(field)) { text = `${m[2]}:${text}`; field = null; }
    if (!m[1] && !field && !quoted && text === 'OR') out.push('OR');
    else out.push({ neg: m[1] === '-', field, text, quoted });
  }
  return out;
}

function clauseFor(piece) {
  if (!piece.quoted && piece.text.endsWith('*') && piece.text.length > 1) {
    const raw = piece.text.replace(/\*+$/, '');
    const terms = analyze(raw);
    if (terms.length === 1 && !isIdentifier(terms[0])) {
      const folded = fold(raw).replace(/[^a-z0-9\u00c0-\u024f]/g, '');
      const stemmed = normalizeWord(folded);
      return { prefix: [...new Set([folded, stemmed])].filter((p) => p).sort() };
    }
    return clauseForTerms(terms);
  }
  return clauseForTerms(analyze(piece.text));
}

function clauseForTerms(terms) {
  if (terms.length === 0) return null;
  return terms.length === 1 ? { term: terms[0] } : { phrase: terms };
}

function range(text) {
  const at = text.indexOf('..');
  const [from, to] = at >= 0 ? [text.slice(0, at), text.slice(at + 2)] : [text, text];
  return { from: from.trim(), to: to.trim() };
}

// A filter piece -> {field, not, ...value}; null when the value is empty.
export function filterFor(field, text, neg) {
  const base = { field, not: neg };
  if (!text.trim()) return null;
  if (field === 'year' || field === 'filed') return { ...base, ...range(text) };
  if (field === 'company') {
    const terms = analyze(text);
    return terms.length ? { ...base, value: terms } : null;
  }
  if (field === 'cik') return { ...base, value: text.replace(/^0+/, '') || '0' };
  if (field === 'state' || field === 'exhibit') return { ...base, value: text.toUpperCase() };
  return { ...base, value: fold(text) };
}

export function parseQuery(query) {
  const tree = { must: [], not: [], filters: [] };
  let orNext = false;
  let lastMust = false; // the previous piece was a positive clause an OR may extend
  for (const piece of lex(query || '')) {
    if (piece === 'OR') { orNext = lastMust; continue; }
    if (piece.field) {
      const f = filterFor(piece.field, piece.text, piece.neg);
      if (f) tree.filters.push(f);
      orNext = lastMust = false;
      continue;
    }
    const clause = clauseFor(piece);
    if (!clause) continue;
    if (piece.neg) { tree.not.push(clause); orNext = lastMust = false; continue; }
    if (orNext) {
      const prev = tree.must.pop();
      tree.must.push({ or: [...(prev.or || [prev]), clause] });
    } else {
      tree.must.push(clause);
    }
    orNext = false;
    lastMust = true;
  }
  return tree;
}
