// @ts-check
/**
 * The search engine: reads the index kbtool/search/index.py wrote, a shard at a time,
 * and ranks notes for a query. Runs in a worker (search-worker.js); no DOM.
 *
 * A query is read as units (search-tokens.js): a word; a compound of words
 * (`text-to-video`, `2602.05774`) whose parts must stand next to each other (or the
 * compound itself); a run of Chinese characters, whose character pairs must stand
 * next to each other (an exact substring); a single Chinese character. Every unit
 * must occur in a note for the note to be a result. The last word, while it is being
 * typed, also matches the words it begins; a word no note holds matches words one or
 * two letters away (a typo). If no note holds the runs and compounds exactly, notes
 * holding all of their parts are shown instead (`relaxed`).
 *
 * Ranking is BM25F over the fields key (names, ids), title, meta (authors, venue,
 * topics, tags) and body, each weighted and normalised by its length, multiplied by
 * a bonus when the units stand next to each other in the order typed; notes that
 * answer to the query exactly as a name (an alias, an arXiv id, a citation key, the
 * title) come first.
 */

import {
  canonical,
  isCjk,
  normalize,
  splitWord,
  tokenPattern,
  unversioned,
} from "./search-tokens.js";

/** Field weights and length normalisation: key, title, meta, body. */
export const FIELD_WEIGHTS = [8, 5, 1.5, 1];
export const FIELD_B = [0.2, 0.4, 0.3, 0.75];
const K1 = 1.2;
/** How much units standing next to each other multiply a note's score (at most 1 + this). */
const PROXIMITY = 1.5;
/** How much holding every unit in the title (or among the names) multiplies a note's score. */
const COVERAGE = 1;
/** Fields whose holding every unit is worth COVERAGE: key, title. */
const COVERAGE_FIELDS = [0, 1];
/** A word the typed prefix begins, and a word a typo away, weigh this much of an exact one. */
const PREFIX_WEIGHT = 0.7;
const TYPO_WEIGHT = 0.5;
/** At most this many words a prefix begins (the most frequent first): fewer for prefixes
 * of two or three letters, which begin many words, while the next letter is coming. */
const MAX_PREFIX_TERMS = 32;
const MAX_SHORT_PREFIX_TERMS = [0, 0, 8, 16];
const MAX_TYPO_TERMS = 8;
const EXACT = "=";
const ASCII_ALNUM = /^[a-z0-9]$/;

/**
 * @typedef {{format: number, id: string, documents: number, fields: string[],
 *   averages: number[], split: string, buckets: number, shards: string[]}} Manifest
 * @typedef {{lengths: number[], topics: Array<[string, string]>, tags: string[],
 *   statuses: string[], docTopics: number[][], docTags: number[][], docStatus: number[],
 *   docYear: number[]}} Docs
 * @typedef {{url: string, kind: string, title: string, year: number|null, venue: string,
 *   topics: string[], tags: string[], status: string, text: string}} Fragment
 * @typedef {{tf: number[], starts: Array<number[]|null>, pending?: Array<number[][]|null>}}
 *   Occurrence  per field: how often (weighted), and where, a document holds a term or a
 *   unit; positions from several terms wait in `pending` until read (startsAt)
 * @typedef {Map<number, Occurrence>} Postings  document → where it holds a term
 * @typedef {{kind: "word"|"compound"|"chain"|"char", text: string, terms: string[],
 *   open: boolean, base?: string}} Unit  (base: an arXiv id typed with a version, without it)
 * @typedef {{unit: Unit, span: number, docs: Map<number, Occurrence>, matched: Set<string>}} UnitMatch
 * @typedef {{topic?: string[], tag?: string[], status?: string[], year?: string[]}} Filters
 * @typedef {{doc: number, score: number, exact: boolean}} Ranked
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
    };
    for (let f = 0; f < fieldCount; f++) {
      if (!(mask & (1 << f))) continue;
      const count = flat[i++];
      if (count < 0) {
        occurrence.tf[f] = -count;
        continue;
      }
      const positions = new Array(count);
      let position = 0;
      for (let k = 0; k < count; k++) positions[k] = position += flat[i++];
      occurrence.tf[f] = count;
      occurrence.starts[f] = positions;
    }
    postings.set(doc, occurrence);
  }
  return postings;
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
function typosAllowed(/** @type {string} */ word) {
  if (word.length < 4 || /^\d/.test(word) || isCjk(word[0])) return 0;
  return word.length < 8 ? 1 : 2;
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

  /** @param {number} doc @returns {Promise<Fragment>} */
  fragment(doc) {
    return this.file(`f/${doc}.json`);
  }
}

export class SearchEngine {
  /** @param {IndexFiles} files */
  constructor(files) {
    this.files = files;
    /** @type {Map<string, Promise<Postings>>} */
    this.postingsCache = new Map();
    /** @type {Map<string, Promise<UnitMatch>>} */
    this.unitCache = new Map();
    /** @type {Set<string> | null} the shards the index has */
    this.shards = null;
  }

  /** Start loading what every query needs. */
  async prepare() {
    await Promise.all([this.files.manifest(), this.files.docs()]);
  }

  /**
   * The dictionary entry of a term: [documents holding it, postings file], if any.
   * @param {string} term
   * @returns {Promise<[number, number] | undefined>}
   */
  async entry(term) {
    const dictionary = await this.dictionaryFor(term);
    return Object.hasOwn(dictionary, term) ? dictionary[term] : undefined;
  }

  /**
   * The dictionary shard that would hold a term (empty when the index has no such shard).
   * @param {string} term
   * @returns {Promise<Record<string, [number, number]>>}
   */
  async dictionaryFor(term) {
    const manifest = await this.files.manifest();
    this.shards ??= new Set(manifest.shards);
    const shard = shardOf(term, manifest.split, manifest.buckets);
    // A shard that does not exist holds no term: nothing to fetch.
    return this.shards.has(shard) ? this.files.shard(shard) : {};
  }

  /**
   * Terms of the dictionary that `term` begins (not itself), most frequent first.
   * @param {string} term
   */
  async prefixTerms(term) {
    const dictionary = await this.dictionaryFor(term);
    const found = [];
    for (const candidate of Object.keys(dictionary)) {
      if (candidate.length > term.length && candidate.startsWith(term)) found.push(candidate);
    }
    found.sort((a, b) => dictionary[b][0] - dictionary[a][0] || a.length - b.length);
    return found.slice(0, MAX_SHORT_PREFIX_TERMS[term.length] ?? MAX_PREFIX_TERMS);
  }

  /**
   * Terms of the dictionary a typo or two away from `term` (same first letter).
   * @param {string} term
   */
  async typoTerms(term) {
    const allowed = typosAllowed(term);
    if (!allowed) return [];
    const dictionary = await this.dictionaryFor(term);
    /** @type {Array<[string, number]>} */
    const found = [];
    for (const candidate of Object.keys(dictionary)) {
      if (candidate.startsWith(EXACT) || isCjk(candidate[0])) continue;
      const distance = editDistance(term, candidate, allowed);
      if (distance <= allowed) found.push([candidate, distance]);
    }
    found.sort((a, b) => a[1] - b[1] || dictionary[b[0]][0] - dictionary[a[0]][0]);
    return found.slice(0, MAX_TYPO_TERMS);
  }

  /**
   * A term's postings (empty when no note holds it).
   * @param {string} term
   * @returns {Promise<Postings>}
   */
  postings(term) {
    let found = this.postingsCache.get(term);
    if (!found) {
      found = (async () => {
        const [manifest, entry] = await Promise.all([this.files.manifest(), this.entry(term)]);
        if (!entry) return new Map();
        const file = await this.files.postingsFile(entry[1]);
        return decodePostings(file[term] ?? [], manifest.fields.length);
      })();
      this.postingsCache.set(term, found);
      found.catch(() => this.postingsCache.delete(term));
    }
    return found;
  }

  /**
   * The terms a word stands for, with their weights: itself, what it begins while it
   * is typed, or else words a typo away.
   * @param {string} word
   * @param {boolean} open
   * @returns {Promise<Array<[string, number]>>}
   */
  async wordTerms(word, open) {
    /** @type {Array<[string, number]>} */
    const terms = [];
    if (await this.entry(word)) terms.push([word, 1]);
    if (open && word.length >= 2) {
      for (const term of await this.prefixTerms(word)) terms.push([term, PREFIX_WEIGHT]);
    }
    if (!terms.length) {
      for (const [term, distance] of await this.typoTerms(word)) {
        terms.push([term, TYPO_WEIGHT / distance]);
      }
    }
    return terms;
  }

  /**
   * Where each note holds a unit, strictly (runs and compounds exactly) or relaxed.
   * @param {Unit} unit
   * @param {boolean} relaxed
   * @returns {Promise<UnitMatch>}
   */
  matchUnit(unit, relaxed) {
    const key = `${unit.kind}\u0000${unit.text}\u0000${unit.open}\u0000${relaxed}`;
    let found = this.unitCache.get(key);
    if (!found) {
      found = this.computeUnit(unit, relaxed);
      this.unitCache.set(key, found);
      found.catch(() => this.unitCache.delete(key));
      if (this.unitCache.size > 512)
        this.unitCache.delete(this.unitCache.keys().next().value ?? "");
    }
    return found;
  }

  /** @param {Unit} unit @param {boolean} relaxed @returns {Promise<UnitMatch>} */
  async computeUnit(unit, relaxed) {
    const fieldCount = (await this.files.manifest()).fields.length;
    /** @type {Set<string>} */
    const matched = new Set();
    if (unit.kind === "word" || unit.kind === "char") {
      const terms =
        unit.kind === "char" ? [[unit.text, 1]] : await this.wordTerms(unit.text, unit.open);
      const docs = await this.weighted(
        /** @type {Array<[string, number]>} */ (terms),
        matched,
        fieldCount,
      );
      return { unit, span: 0, docs, matched };
    }
    if (unit.kind === "chain" && relaxed) {
      return { unit, span: 0, docs: await this.scattered(unit, matched, fieldCount), matched };
    }
    /** @type {Array<Array<[string, number]>>} */
    const links = [];
    for (const [i, term] of unit.terms.entries()) {
      const last = i === unit.terms.length - 1;
      if (unit.kind === "compound" && last) links.push(await this.wordTerms(term, unit.open));
      else links.push([[term, 1]]);
    }
    const chain = await this.chain(links, relaxed, matched, fieldCount);
    if (unit.kind === "chain") return { unit, span: unit.terms.length, docs: chain, matched };
    // A compound also matches as itself (and, while typed, as compounds it begins).
    const whole = await this.wordTerms(unit.text, unit.open);
    if (unit.base) whole.push([unit.base, 1]);
    const docs = await this.weighted(whole, matched, fieldCount);
    for (const [doc, occurrence] of chain) {
      const other = docs.get(doc);
      docs.set(doc, other ? mergeOccurrences(other, occurrence) : occurrence);
    }
    return { unit, span: unit.terms.length - 1, docs, matched };
  }

  /**
   * Notes holding every character of a Chinese run, though not side by side: where no
   * note holds the run itself (its words may stand apart, in another order). Weighed by
   * the character pairs of the run they do hold, so notes holding its words rank first.
   * @param {Unit} unit
   * @param {Set<string>} matched
   * @param {number} fieldCount
   * @returns {Promise<Map<number, Occurrence>>}
   */
  async scattered(unit, matched, fieldCount) {
    const chars = [...new Set(unit.text)];
    const [charMaps, pairs] = await Promise.all([
      Promise.all(chars.map((char) => this.postings(char))),
      this.weighted(
        unit.terms.map((pair) => [pair, 1]),
        matched,
        fieldCount,
      ),
    ]);
    /** @type {Map<number, Occurrence>} */
    const docs = new Map();
    const smallest = charMaps.reduce((a, b) => (a.size <= b.size ? a : b));
    for (const doc of smallest.keys()) {
      if (!charMaps.every((m) => m.has(doc))) continue;
      const occurrence = pairs.get(doc);
      /** @type {Occurrence} */
      const found = { tf: new Array(fieldCount).fill(0), starts: new Array(fieldCount).fill(null) };
      for (let f = 0; f < fieldCount; f++) {
        // Each field holding all the characters counts a little, pairs count fully.
        const all = charMaps.every((m) => (m.get(doc)?.tf[f] ?? 0) > 0);
        found.tf[f] = (occurrence?.tf[f] ?? 0) / unit.terms.length + (all ? 0.1 : 0);
        found.starts[f] = occurrence ? startsAt(occurrence, f) : null;
      }
      docs.set(doc, found);
    }
    for (const char of chars) matched.add(char);
    return docs;
  }

  /**
   * Notes holding any of the terms, each occurrence weighted by its term's weight.
   * @param {Array<[string, number]>} terms
   * @param {Set<string>} matched the terms found are added here
   * @param {number} fieldCount
   * @returns {Promise<Map<number, Occurrence>>}
   */
  async weighted(terms, matched, fieldCount) {
    const all = await Promise.all(terms.map(([term]) => this.postings(term)));
    terms.forEach(([term], index) => {
      if (all[index].size) matched.add(term);
    });
    // One word as typed (the common case): its postings as they are, shared, never changed.
    if (terms.length === 1 && terms[0][1] === 1) return all[0];
    /** @type {Map<number, Occurrence>} */
    const docs = new Map();
    terms.forEach(([, weight], index) => {
      for (const [doc, hits] of all[index]) {
        let occurrence = docs.get(doc);
        if (!occurrence) {
          occurrence = {
            tf: new Array(fieldCount).fill(0),
            starts: new Array(fieldCount).fill(null),
          };
          docs.set(doc, occurrence);
        }
        for (let f = 0; f < fieldCount; f++) {
          if (!hits.tf[f]) continue;
          occurrence.tf[f] += hits.tf[f] * weight;
          const positions = hits.starts[f];
          if (!positions) continue;
          const starts = occurrence.starts[f];
          if (!starts) occurrence.starts[f] = positions;
          else {
            // Merged only if a ranking step reads them (most notes are never looked at).
            occurrence.pending ??= new Array(fieldCount).fill(null);
            (occurrence.pending[f] ??= [starts]).push(positions);
          }
        }
      }
    });
    return docs;
  }

  /**
   * Notes holding the links at consecutive positions (or, relaxed, anywhere).
   * @param {Array<Array<[string, number]>>} links each link: terms with weights
   * @param {boolean} relaxed
   * @param {Set<string>} matched
   * @param {number} fieldCount
   * @returns {Promise<Map<number, Occurrence>>}
   */
  async chain(links, relaxed, matched, fieldCount) {
    /** @type {Set<string>} */
    const linkTerms = new Set();
    const maps = await Promise.all(
      links.map((terms) => this.weighted(terms, linkTerms, fieldCount)),
    );
    /** @type {Map<number, Occurrence>} */
    const docs = new Map();
    if (maps.some((m) => m.size === 0)) return docs;
    const smallest = maps.reduce((a, b) => (a.size <= b.size ? a : b));
    for (const doc of smallest.keys()) {
      const occurrences = maps.map((m) => m.get(doc));
      if (occurrences.some((o) => o === undefined)) continue;
      const hits = /** @type {Occurrence[]} */ (occurrences);
      /** @type {Occurrence} */
      const result = {
        tf: new Array(fieldCount).fill(0),
        starts: new Array(fieldCount).fill(null),
      };
      let any = false;
      for (let f = 0; f < fieldCount; f++) {
        if (relaxed) {
          if (hits.every((h) => h.tf[f] > 0)) {
            result.tf[f] = Math.min(...hits.map((h) => h.tf[f]));
            result.starts[f] = startsAt(hits[0], f);
            any = true;
          }
          continue;
        }
        const first = startsAt(hits[0], f);
        if (!first || hits.some((h) => !startsAt(h, f))) continue;
        const sets = hits.map((h) => new Set(startsAt(h, f)));
        const starts = first.filter((p) => sets.every((set, i) => set.has(p + i)));
        if (starts.length) {
          const weight = Math.min(
            ...hits.map((h) => (h.tf[f] ? h.tf[f] / (startsAt(h, f)?.length || 1) : 1)),
          );
          result.tf[f] = starts.length * weight;
          result.starts[f] = starts;
          any = true;
        }
      }
      if (any) docs.set(doc, result);
    }
    if (docs.size) for (const term of linkTerms) matched.add(term);
    return docs;
  }

  /**
   * Notes matching every unit, ranked; relaxed when no note matches strictly.
   * @param {Unit[]} units
   * @returns {Promise<{ranked: Ranked[], matches: UnitMatch[], relaxed: boolean}>}
   */
  async rank(units) {
    const [manifest, docs] = await Promise.all([this.files.manifest(), this.files.docs()]);
    let relaxed = false;
    let matches = await Promise.all(units.map((unit) => this.matchUnit(unit, false)));
    let candidates = intersect(matches);
    const last = units[units.length - 1];
    if (!candidates.length && units.length > 1 && last.open && last.text.length < 3) {
      // A word just begun: until it finds something, show what the words before it find.
      units = units.slice(0, -1);
      matches = matches.slice(0, -1);
      candidates = intersect(matches);
    }
    if (!candidates.length && units.some((u) => u.kind === "chain" || u.kind === "compound")) {
      relaxed = true;
      matches = await Promise.all(units.map((unit) => this.matchUnit(unit, true)));
      candidates = intersect(matches);
    }
    const exact = await this.exactNames(units);
    const count = manifest.documents;
    const fieldCount = manifest.fields.length;
    const idf = matches.map((m) => Math.log(1 + (count - m.docs.size + 0.5) / (m.docs.size + 0.5)));
    /** @type {Ranked[]} */
    const ranked = candidates.map((doc) => {
      let score = 0;
      for (let u = 0; u < matches.length; u++) {
        const occurrence = /** @type {Occurrence} */ (matches[u].docs.get(doc));
        let tf = 0;
        for (let f = 0; f < fieldCount; f++) {
          if (!occurrence.tf[f]) continue;
          const norm =
            1 -
            FIELD_B[f] +
            (FIELD_B[f] * docs.lengths[doc * fieldCount + f]) / (manifest.averages[f] || 1);
          tf += (FIELD_WEIGHTS[f] * occurrence.tf[f]) / norm;
        }
        score += (idf[u] * tf * (K1 + 1)) / (K1 + tf);
      }
      score *= 1 + PROXIMITY * proximity(matches, doc, fieldCount);
      if (matches.length > 1) score *= 1 + COVERAGE * coverage(matches, doc);
      return { doc, score, exact: exact.has(doc) };
    });
    ranked.sort((a, b) => Number(b.exact) - Number(a.exact) || b.score - a.score || a.doc - b.doc);
    return { ranked, matches, relaxed };
  }

  /**
   * Notes that answer to the whole query as a name.
   * @param {Unit[]} units
   * @returns {Promise<Set<number>>}
   */
  async exactNames(units) {
    const names = new Set([
      units.map((u) => canonical(u.text)).join(" "),
      units.map((u) => canonical(u.base ?? u.text)).join(" "),
    ]);
    /** @type {Set<number>} */
    const found = new Set();
    for (const name of names) {
      if (name) for (const doc of (await this.postings(EXACT + name)).keys()) found.add(doc);
    }
    return found;
  }
}

/**
 * Two ways a note holds one unit, as one: positions united, frequencies added.
 * @param {Occurrence} a
 * @param {Occurrence} b
 * @returns {Occurrence}
 */
function mergeOccurrences(a, b) {
  /** @type {Occurrence} */
  const merged = { tf: a.tf.slice(), starts: a.starts.slice() };
  for (let f = 0; f < a.tf.length; f++) {
    const sa = startsAt(a, f);
    const sb = startsAt(b, f);
    if (!sa || !sb) {
      merged.tf[f] += b.tf[f];
      merged.starts[f] = sa ?? sb;
      continue;
    }
    // The same position matched twice (a compound, and its parts) counts once.
    const seen = new Set(sa);
    const fresh = sb.filter((p) => !seen.has(p));
    merged.tf[f] += (b.tf[f] * fresh.length) / sb.length;
    merged.starts[f] = fresh.length ? [...sa, ...fresh].sort((x, y) => x - y) : sa;
  }
  return merged;
}

/**
 * Where an occurrence stands in a field, sorted, each position once.
 * @param {Occurrence} occurrence
 * @param {number} field
 * @returns {number[] | null}
 */
export function startsAt(occurrence, field) {
  const pending = occurrence.pending?.[field];
  if (pending && occurrence.pending) {
    occurrence.starts[field] = [...new Set(pending.flat())].sort((x, y) => x - y);
    occurrence.pending[field] = null;
  }
  return occurrence.starts[field];
}

/**
 * Documents in every unit's match, smallest set first.
 * @param {UnitMatch[]} matches
 */
function intersect(matches) {
  if (!matches.length) return [];
  const ordered = [...matches].sort((a, b) => a.docs.size - b.docs.size);
  const result = [];
  for (const doc of ordered[0].docs.keys()) {
    if (ordered.every((m) => m.docs.has(doc))) result.push(doc);
  }
  return result;
}

/**
 * How closely a note's units follow one another as typed: 1 when each stands right
 * after the one before (in some field), less with words between, 0 when far apart.
 * @param {UnitMatch[]} matches
 * @param {number} doc
 * @param {number} fieldCount
 */
export function proximity(matches, doc, fieldCount) {
  let pairs = 0;
  let total = 0;
  for (let u = 0; u + 1 < matches.length; u++) {
    const a = /** @type {Occurrence} */ (matches[u].docs.get(doc));
    const b = /** @type {Occurrence} */ (matches[u + 1].docs.get(doc));
    const span = matches[u].span;
    let best = 0;
    let positional = false;
    for (let f = 0; f < fieldCount; f++) {
      const sa = startsAt(a, f);
      const sb = startsAt(b, f);
      if (!sa || !sb) continue;
      positional = true;
      const weight = Math.min(exactness(a, f), exactness(b, f));
      best = Math.max(best, weight * pairCloseness(sa, sb, span));
      if (best === 1) break;
    }
    if (!positional && (!hasPositions(a) || !hasPositions(b))) continue;
    pairs += 1;
    total += best;
  }
  return pairs ? total / pairs : 0;
}

/**
 * How much of a unit's occurrences in a field are exact: the average weight of its
 * positions there (1 when every one is the word typed; less for prefixes and typos).
 * @param {Occurrence} occurrence
 * @param {number} field
 */
function exactness(occurrence, field) {
  const starts = startsAt(occurrence, field);
  if (!occurrence.tf[field]) return 0;
  return starts && starts.length ? Math.min(1, occurrence.tf[field] / starts.length) : 1;
}

/**
 * Whether one short field (the title, or the names) holds every unit: 1 when it does
 * with the words as typed, less when some only by prefix or typo, 0 when none does.
 * @param {UnitMatch[]} matches
 * @param {number} doc
 */
export function coverage(matches, doc) {
  let best = 0;
  for (const field of COVERAGE_FIELDS) {
    let product = 1;
    for (const match of matches) {
      product *= exactness(/** @type {Occurrence} */ (match.docs.get(doc)), field);
      if (!product) break;
    }
    best = Math.max(best, product);
  }
  return best;
}

/** @param {Occurrence} occurrence */
function hasPositions(occurrence) {
  return occurrence.starts.some((s) => s && s.length) || !!occurrence.pending;
}

/**
 * 1 if some b starts right after an a ends, 1/2 or 1/3 with a word or two between,
 * 1/4 right before it; else 0. Both lists are sorted.
 * @param {number[]} a
 * @param {number[]} b
 * @param {number} span positions an a covers after its start
 */
function pairCloseness(a, b, span) {
  let best = 0;
  let j = 0;
  for (const p of a) {
    const end = p + span;
    while (j < b.length && b[j] <= end - 2) j++;
    for (let k = j; k < b.length && b[k] <= end + 3; k++) {
      const gap = b[k] - end;
      const closeness = gap >= 1 ? 1 / gap : gap <= -1 ? 0.25 : 0;
      if (closeness > best) best = closeness;
      if (best === 1) return 1;
    }
  }
  return best;
}
