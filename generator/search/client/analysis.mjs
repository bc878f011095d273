// Search analysis in the browser: text -> terms with positions.
// The twin of generator/search/analysis.py, rule for rule (docs/search.md explains the rules);
// tests/contract/analysis.json holds the cases both sides must agree on.
import stem from './wink-porter2-stemmer.js';

export const WORD_CHARS = 'A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f';
export const TOKEN_PATTERN = `[${WORD_CHARS}]+(?:[.\\-/'\u2019][${WORD_CHARS}]+)*`;
export const PART_PATTERN = `[${WORD_CHARS}'\u2019]+`;
export const MAX_TERM = 40;
export const ANALYSIS_VERSION = 1;

const DIGIT = /[0-9]/;
const ASCII_WORD = /^[a-z]+$/;
const COMBINING = /[\u0300-\u036f]/g;
const POSSESSIVE = /'s$/;

// Lower case without accents, as fold() in analysis.py.
export function fold(text) {
  const low = text.toLowerCase().replace(/\u2019/g, "'");
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(low)) return low;
  return low.normalize('NFKD').replace(COMBINING, '');
}

export function normalizeWord(part) {
  const word = fold(part).replace(POSSESSIVE, '').replace(/'/g, '');
  return ASCII_WORD.test(word) ? stem(word) : word;
}

export function normalizeIdentifier(token) {
  return fold(token).replace(POSSESSIVE, '');
}

// Every term of `text` as {term, position, start, end}; offsets index the original string.
export function tokens(text, firstPosition = 0) {
  const out = [];
  const tokenRe = new RegExp(TOKEN_PATTERN, 'g');
  let position = firstPosition;
  let m;
  while ((m = tokenRe.exec(text)) !== null) {
    const raw = m[0];
    if (DIGIT.test(raw)) {
      const term = normalizeIdentifier(raw);
      if (term.length > 0 && term.length <= MAX_TERM) {
        out.push({ term, position: position++, start: m.index, end: m.index + raw.length });
      }
      continue;
    }
    const partRe = new RegExp(PART_PATTERN, 'g');
    let p;
    while ((p = partRe.exec(raw)) !== null) {
      const term = normalizeWord(p[0]);
      if (term.length > 0 && term.length <= MAX_TERM) {
        const start = m.index + p.index;
        out.push({ term, position: position++, start, end: start + p[0].length });
      }
    }
  }
  return out;
}

export function analyze(text) {
  return tokens(text).map((t) => t.term);
}

export function isIdentifier(term) {
  return DIGIT.test(term);
}
