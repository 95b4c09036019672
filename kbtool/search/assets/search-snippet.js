// @ts-check
/**
 * What a result shows of a note: its title and a passage of its text, with the words
 * the query matched marked. Plain strings in, [text, marked] segments out; the page
 * puts them in with textContent, so nothing in a note is ever read as markup.
 */

import { isCjk, normalize, splitWord, tokenPattern } from "./search-tokens.js";

/** About this many characters of a note's text are shown around its matches. */
export const SNIPPET_CHARACTERS = 180;

/**
 * @typedef {[string, boolean]} Segment  text, and whether it is marked
 * @typedef {{norm: string, start: number, end: number, cjk: boolean}} Atom
 * @typedef {{norm: string, first: number, last: number}} Token
 * @typedef {{words: Set<string>, sequences: Array<Set<string>[]>}} Pattern  one per unit
 */

/**
 * What to mark for each unit of a query, from the terms it matched.
 * @param {Array<{unit: {kind: string, text: string, terms: string[]}, matched: Set<string>}>} matches
 * @param {boolean} relaxed whether Chinese runs matched apart (then each pair is marked)
 * @returns {Pattern[]}
 */
export function patterns(matches, relaxed = false) {
  return matches.map(({ unit, matched }) => {
    if (unit.kind === "chain") {
      const chars = [...unit.text];
      const whole = chars.map((char) => new Set([char]));
      if (!relaxed) return { words: new Set(), sequences: [whole] };
      // Relaxed matches hold the run's words apart: mark each pair of it.
      const pairs = unit.terms.map((pair) => [...pair].map((char) => new Set([char])));
      return { words: new Set(), sequences: [whole, ...pairs] };
    }
    if (unit.kind === "compound") {
      const parts = unit.terms.map((part, i) => {
        const last = i === unit.terms.length - 1;
        return new Set(last ? [part, ...[...matched].filter((t) => t.startsWith(part))] : [part]);
      });
      return {
        words: new Set([...matched].filter((t) => t.startsWith(unit.text))),
        sequences: [parts],
      };
    }
    return { words: new Set(matched.size ? matched : [unit.text]), sequences: [] };
  });
}

/**
 * The atoms (CJK characters, parts of words) and word tokens of a text, with offsets.
 * @param {string} text
 */
function scan(text) {
  /** @type {Atom[]} */
  const atoms = [];
  /** @type {Token[]} */
  const tokens = [];
  for (const match of text.matchAll(tokenPattern())) {
    const [, run, word] = match;
    let offset = match.index ?? 0;
    if (run) {
      for (const char of run) {
        atoms.push({ norm: normalize(char), start: offset, end: offset + char.length, cjk: true });
        offset += char.length;
      }
      continue;
    }
    const first = atoms.length;
    const parts = splitWord(word);
    for (const part of parts) {
      atoms.push({ norm: normalize(part), start: offset, end: offset + part.length, cjk: false });
      offset += part.length + 1; // one joiner between parts
    }
    tokens.push({ norm: normalize(word), first, last: atoms.length - 1 });
  }
  return { atoms, tokens };
}

/**
 * Which atoms each unit marks.
 * @param {Atom[]} atoms
 * @param {Token[]} tokens
 * @param {Pattern[]} units
 * @returns {number[][]} per unit, the indexes of the atoms it marks
 */
function markAtoms(atoms, tokens, units) {
  return units.map(({ words, sequences }) => {
    /** @type {Set<number>} */
    const marked = new Set();
    if (words.size) {
      for (const token of tokens) {
        if (words.has(token.norm)) for (let i = token.first; i <= token.last; i++) marked.add(i);
      }
      atoms.forEach((atom, i) => {
        if (words.has(atom.norm)) marked.add(i);
      });
    }
    for (const sequence of sequences) {
      if (!sequence.length) continue;
      for (let i = 0; i + sequence.length <= atoms.length; i++) {
        let ok = true;
        for (let k = 0; k < sequence.length && ok; k++) {
          const atom = atoms[i + k];
          ok = sequence[k].has(atom.norm);
          // Characters of a Chinese phrase stand side by side in the text itself.
          if (ok && k > 0 && atom.cjk)
            ok = atoms[i + k - 1].cjk && atoms[i + k - 1].end === atom.start;
        }
        if (ok) for (let k = 0; k < sequence.length; k++) marked.add(i + k);
      }
    }
    return [...marked].sort((a, b) => a - b);
  });
}

/**
 * Segments of text[start, end) with the marked atoms' characters marked.
 * @param {string} text
 * @param {Atom[]} atoms
 * @param {Set<number>} marked
 * @param {number} start
 * @param {number} end
 * @returns {Segment[]}
 */
function segments(text, atoms, marked, start, end) {
  /** @type {Segment[]} */
  const out = [];
  let at = start;
  const push = (/** @type {string} */ piece, /** @type {boolean} */ mark) => {
    if (!piece) return;
    const last = out[out.length - 1];
    if (last && last[1] === mark) last[0] += piece;
    else out.push([piece, mark]);
  };
  const indexes = [...marked].sort((a, b) => a - b);
  for (let n = 0; n < indexes.length; n++) {
    const atom = atoms[indexes[n]];
    if (atom.end <= start || atom.start >= end) continue;
    let spanEnd = atom.end;
    // Marked neighbours within one word or phrase are one mark, joiners included.
    while (n + 1 < indexes.length && indexes[n + 1] === indexes[n] + 1) {
      const next = atoms[indexes[n + 1]];
      if (next.start - spanEnd > 1 || /\s/.test(text.slice(spanEnd, next.start))) break;
      spanEnd = next.end;
      n++;
    }
    const from = Math.max(atom.start, start);
    push(text.slice(at, from), false);
    push(text.slice(from, Math.min(spanEnd, end)), true);
    at = Math.min(spanEnd, end);
  }
  push(text.slice(at, end), false);
  return out;
}

/**
 * The whole text with the units' matches marked (for titles).
 * @param {string} text
 * @param {Pattern[]} units
 * @returns {Segment[]}
 */
export function highlight(text, units) {
  const { atoms, tokens } = scan(text);
  const marked = new Set(markAtoms(atoms, tokens, units).flat());
  return segments(text, atoms, marked, 0, text.length);
}

/**
 * A passage of about `length` characters where the most units match, marked.
 * @param {string} text
 * @param {Pattern[]} units
 * @param {number} [length]
 * @returns {Segment[]}
 */
export function snippet(text, units, length = SNIPPET_CHARACTERS) {
  const { atoms, tokens } = scan(text);
  const perUnit = markAtoms(atoms, tokens, units);
  /** @type {Array<[number, number]>} start offset of a marked atom, and its unit */
  const hits = [];
  perUnit.forEach((indexes, unit) => {
    for (const i of indexes) hits.push([atoms[i].start, unit]);
  });
  hits.sort((a, b) => a[0] - b[0]);
  let bestStart = 0;
  let bestUnits = 0;
  for (let i = 0; i < hits.length; i++) {
    const seen = new Set();
    for (let j = i; j < hits.length && hits[j][0] < hits[i][0] + length * 0.8; j++)
      seen.add(hits[j][1]);
    if (seen.size > bestUnits) {
      bestUnits = seen.size;
      bestStart = hits[i][0];
    }
  }
  let start = Math.max(0, bestStart - Math.floor(length * 0.2));
  let end = Math.min(text.length, start + length);
  start = Math.max(0, Math.min(start, end - length));
  start = wordStart(text, start);
  end = wordEnd(text, end);
  const marked = new Set(perUnit.flat());
  const out = segments(text.replace(/\s/g, " "), atoms, marked, start, end);
  if (start > 0) out.unshift(["…", false]);
  if (end < text.length) out.push(["…", false]);
  return out;
}

/** Move back to the start of the word at `at` (Chinese breaks anywhere). */
function wordStart(/** @type {string} */ text, /** @type {number} */ at) {
  let i = at;
  while (i > 0 && i > at - 20 && /[\p{L}\p{N}]/u.test(text[i - 1]) && !isCjk(text[i - 1])) i--;
  return i > at - 20 ? i : at;
}

/** Move on to the end of the word at `at`. */
function wordEnd(/** @type {string} */ text, /** @type {number} */ at) {
  let i = at;
  while (i < text.length && i < at + 20 && /[\p{L}\p{N}]/u.test(text[i]) && !isCjk(text[i])) i++;
  return i < at + 20 ? i : at;
}
