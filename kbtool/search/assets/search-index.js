// @ts-check
/**
 * The search index as the browser reads it: the files kbtool/search/index.py wrote,
 * each fetched once, only when a query needs it, and the postings they hold decoded.
 */

/** An exact name is a term: this, then the name's canonical text (search-tokens.js). */
export const EXACT = "=";
const ASCII_ALNUM = /^[a-z0-9]$/;

/**
 * @typedef {{format: number, id: string, documents: number, fields: string[],
 *   averages: number[], split: string, buckets: number, shards: string[]}} Manifest
 * @typedef {{lengths: number[], topics: Array<[string, string]>, tags: string[],
 *   statuses: string[], docTopics: number[][], docTags: number[][], docStatus: number[],
 *   docYear: number[]}} Docs
 * @typedef {{urls: string[], titles: string[], venues: string[], kinds: string}} Heads
 *   what each document's result shows first (kinds: "n" a note, "t" a topic page)
 * @typedef {{text: string}} Fragment  a document's text, for the passage a result quotes
 * @typedef {{tf: number[], starts: Array<number[]|null>, flat?: number[], at?: number[],
 *   pending?: Array<Occurrence[]|null>}} Occurrence  per field: how often (weighted), and
 *   where, a document holds a term or a unit. Positions are read only when a ranking step
 *   asks (startsAt, search-rank.js): from the postings (`flat`, from index `at[field]`),
 *   or from the occurrences of several terms (`pending`)
 * @typedef {Map<number, Occurrence>} Postings  document → where it holds a term
 */

/** The dictionary shard holding a term: kbtool/search/index.py's shard_of. */
export function shardOf(
  /** @type {string} */ term,
  /** @type {string} */ split,
  /** @type {number} */ buckets,
) {
  if (term.startsWith(EXACT)) term = term.slice(EXACT.length);
  const first = term[0];
  if (ASCII_ALNUM.test(first)) {
    if (!split.includes(first)) return first;
    const second = term[1] ?? "";
    return first + (ASCII_ALNUM.test(second) ? second : "_");
  }
  return `_${(term.codePointAt(0) ?? 0) % buckets}`;
}

/**
 * Decode one term's postings (the flat numbers of index.py's format): for each document,
 * how often each field holds the term, and where (CJK characters alone: how often only).
 * @param {number[]} flat
 * @param {number} fieldCount
 * @returns {Postings}
 */
export function decodePostings(flat, fieldCount) {
  /** @type {Postings} */
  const postings = new Map();
  let i = 0;
  let doc = 0;
  while (i < flat.length) {
    doc += flat[i++];
    const mask = flat[i++];
    /** @type {Occurrence} */
    const occurrence = {
      tf: new Array(fieldCount).fill(0),
      starts: new Array(fieldCount).fill(null),
      flat,
      at: new Array(fieldCount).fill(-1),
    };
    for (let f = 0; f < fieldCount; f++) {
      if (!(mask & (1 << f))) continue;
      const count = flat[i++];
      if (count < 0) {
        occurrence.tf[f] = -count;
        continue;
      }
      occurrence.tf[f] = count;
      /** @type {number[]} */ (occurrence.at)[f] = i; // its positions' gaps, decoded if asked
      i += count;
    }
    postings.set(doc, occurrence);
  }
  return postings;
}

/** The index files, fetched once each, on demand. */
export class IndexFiles {
  /**
   * @param {string} base URL of the index folder, ending in "/"
   * @param {(url: string, init?: RequestInit) => Promise<Response>} fetcher
   */
  constructor(base, fetcher = (url, init) => fetch(url, init)) {
    this.base = base;
    this.fetcher = fetcher;
    /** @type {Map<string, Promise<any>>} */
    this.cache = new Map();
    /** @type {Promise<Manifest> | null} */
    this.manifestPromise = null;
  }

  /** @returns {Promise<Manifest>} */
  manifest() {
    if (!this.manifestPromise) {
      // Revalidated every time the page loads: it names the build all other files belong to.
      this.manifestPromise = this.fetchJson(`${this.base}manifest.json`, {
        cache: "no-cache",
      }).then((manifest) => {
        if (manifest.format !== 1)
          throw new Error(`unknown search index format ${manifest.format}`);
        return manifest;
      });
    }
    return this.manifestPromise;
  }

  /**
   * @param {string} path relative to the index folder
   * @returns {Promise<any>}
   */
  async file(path) {
    let found = this.cache.get(path);
    if (!found) {
      found = this.manifest().then((m) => this.fetchJson(`${this.base}${path}?v=${m.id}`));
      this.cache.set(path, found);
      found.catch(() => this.cache.delete(path));
    }
    return found;
  }

  /** @param {string} url @param {RequestInit} [init] */
  async fetchJson(url, init) {
    const response = await this.fetcher(url, init);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  /** @returns {Promise<Docs>} */
  docs() {
    return this.file("docs.json");
  }

  /** @param {string} shard @returns {Promise<Record<string, [number, number]>>} */
  shard(shard) {
    return this.file(`d/${shard}.json`);
  }

  /** @param {number} number @returns {Promise<Record<string, number[]>>} */
  postingsFile(number) {
    return this.file(`p/${number}.json`);
  }

  /** @returns {Promise<Heads>} */
  heads() {
    return this.file("heads.json");
  }

  /** @param {number} doc @returns {Promise<Fragment>} */
  fragment(doc) {
    return this.file(`f/${doc}.json`);
  }
}
