// @ts-check
/**
 * A query as the engine reads it: units, each of which a note must hold. A word; a
 * compound (`text-to-video`, `2602.05774`) whose parts must stand side by side, or the
 * compound itself; a run of Chinese characters, whose pairs must stand side by side (an
 * exact substring); a single Chinese character. The last word is `open` while it may
 * still be typed. And how far apart two words are, for typos.
 */

import { isCjk, normalize, splitWord, tokenPattern, unversioned } from "./search-tokens.js";

/**
 * @typedef {{kind: "word"|"compound"|"chain"|"char", text: string, terms: string[],
 *   open: boolean, base?: string}} Unit  (base: an arXiv id typed with a version, without it)
 */

/**
 * A query as units, in order; `open` marks the last one when typing may go on.
 * @param {string} query
 * @returns {Unit[]}
 */
export function parseQuery(query) {
  const text = normalize(query);
  /** @type {Unit[]} */
  const units = [];
  let end = 0;
  for (const match of text.matchAll(tokenPattern())) {
    const [whole, run, word] = match;
    end = (match.index ?? 0) + whole.length;
    if (run) {
      const chars = [...run];
      if (chars.length === 1) units.push({ kind: "char", text: run, terms: [run], open: false });
      else {
        const pairs = chars.slice(1).map((char, i) => chars[i] + char);
        units.push({ kind: "chain", text: run, terms: pairs, open: false });
      }
    } else {
      const parts = splitWord(word);
      const base = unversioned(word);
      if (base !== null) {
        // An arXiv id with a version finds the paper's note whichever version it names.
        units.push({ kind: "compound", text: word, terms: splitWord(base), open: false, base });
      } else if (parts.length === 1) {
        units.push({ kind: "word", text: word, terms: [word], open: false });
      } else {
        units.push({ kind: "compound", text: word, terms: parts, open: false });
      }
    }
  }
  const last = units[units.length - 1];
  if (last && end === text.length && last.kind !== "chain" && last.kind !== "char")
    last.open = true;
  return units;
}

/** Levenshtein distance between a and b, or max + 1 as soon as it exceeds max. */
export function editDistance(
  /** @type {string} */ a,
  /** @type {string} */ b,
  /** @type {number} */ max,
) {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      // A swap of two neighbours counts as one edit.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        current[j] = Math.min(current[j], (previous[j - 2] ?? i) + 1);
      }
      best = Math.min(best, current[j]);
    }
    if (best > max) return max + 1;
    previous = current;
  }
  return previous[b.length];
}

/** Edits a word of this length may be away from a word it is taken for. */
export function typosAllowed(/** @type {string} */ word) {
  if (word.length < 4 || /^\d/.test(word) || isCjk(word[0])) return 0;
  return word.length < 8 ? 1 : 2;
}
