// @ts-check
/**
 * How text becomes search terms in the browser: the rules of kbtool/search/tokens.py,
 * which built the index, applied to queries and to the text of results. A test runs
 * both implementations on the same strings and requires the same terms.
 *
 * - Normalised: the repair marks ⟦ ⟧ dropped, NFKC, lower case.
 * - Han ideographs and kana: each character, and each pair of neighbours (bigrams),
 *   one position per character.
 * - Other letters and digits: words; words joined by - _ . / ' ’ + & form one compound,
 *   indexed whole and as parts at consecutive positions; an arXiv id with a version
 *   also without it.
 */

/** Han ideographs (with 々 and 〇) and kana, as in tokens.py's CJK_RANGES. */
const CJK =
  "\\u3005\\u3007\\u3041-\\u3096\\u309d-\\u309f\\u30a1-\\u30fa\\u30fc-\\u30ff\\u31f0-\\u31ff" +
  "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{2fa1f}";
const JOINERS = "\\-_./'\\u2019+&";
const WORD_CHAR = `(?:(?![${CJK}])[\\p{L}\\p{N}])`;
const TOKEN_SOURCE = `([${CJK}]+)|(${WORD_CHAR}+(?:[${JOINERS}]${WORD_CHAR}+)*)`;
const JOINER = new RegExp(`[${JOINERS}]`, "u");
const CJK_CHAR = new RegExp(`^[${CJK}]$`, "u");
const VERSIONED_ARXIV = /^(\d{4}\.\d{4,5}|[a-z][a-z.-]*\/\d{7})v\d+$/;

/** A fresh global regular expression for tokens (each user keeps its own lastIndex). */
export function tokenPattern() {
  return new RegExp(TOKEN_SOURCE, "gu");
}

/**
 * Text as terms are read from it: ⟦ ⟧ dropped, NFKC, lower case.
 * @param {string} text
 */
export function normalize(text) {
  return text.replace(/[⟦⟧]/g, "").normalize("NFKC").toLowerCase();
}

/** @param {string} char */
export function isCjk(char) {
  return CJK_CHAR.test(char);
}

/**
 * The parts of a word (split at joiners).
 * @param {string} word a normalised word token
 */
export function splitWord(word) {
  return word.split(new RegExp(`[${JOINERS}]`, "u"));
}

/**
 * The versionless form of an arXiv id with a version, or null.
 * @param {string} word
 */
export function unversioned(word) {
  const match = VERSIONED_ARXIV.exec(word);
  return match ? match[1] : null;
}

/**
 * Every [term, position] of the text, in the order tokens.py's tokenize lists them.
 * @param {string} text
 * @returns {Array<[string, number]>}
 */
export function tokenize(text) {
  /** @type {Array<[string, number]>} */
  const found = [];
  let position = 0;
  for (const match of normalize(text).matchAll(tokenPattern())) {
    const [, run, word] = match;
    if (run) {
      const chars = [...run];
      chars.forEach((char, offset) => {
        if (offset + 1 < chars.length) found.push([char + chars[offset + 1], position + offset]);
        found.push([char, position + offset]);
      });
      position += chars.length;
      continue;
    }
    const parts = splitWord(word);
    if (parts.length > 1) {
      found.push([word, position]);
      const base = unversioned(word);
      if (base !== null) found.push([base, position]);
    }
    for (const part of parts) found.push([part, position++]);
  }
  return found;
}

/**
 * The smallest pieces of the text: each CJK character, each part of each word.
 * @param {string} text
 * @returns {string[]}
 */
export function atoms(text) {
  /** @type {string[]} */
  const found = [];
  for (const [, run, word] of normalize(text).matchAll(tokenPattern())) {
    if (run) found.push(...run);
    else found.push(...splitWord(word));
  }
  return found;
}

/**
 * The text reduced to its atoms joined by spaces: how exact names are compared.
 * @param {string} text
 */
export function canonical(text) {
  return atoms(text).join(" ");
}

export { JOINER };
