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
 * Ranking (search-rank.js) is BM25F with bonuses for words side by side and for titles
 * holding them all; notes that answer to the query exactly as a name (an alias, an
 * arXiv id, a citation key, the title) come first.
 */

import { canonical, isCjk } from "./search-tokens.js";
import { EXACT, IndexFiles, decodePostings, shardOf } from "./search-index.js";
import { editDistance, typosAllowed } from "./search-query.js";
import {
  MAX_BONUS,
  baseScore,
  bonus,
  hasPositionsIn,
  intersect,
  inverseFrequency,
  mergeOccurrences,
  startsAt,
} from "./search-rank.js";

export { IndexFiles } from "./search-index.js";
export { parseQuery } from "./search-query.js";

/** A word the typed prefix begins, and a word a typo away, weigh this much of an exact one. */
const PREFIX_WEIGHT = 0.7;
const TYPO_WEIGHT = 0.5;
/** At most this many words a prefix begins (the most frequent first): fewer for prefixes
 * of two or three letters, which begin many words, while the next letter is coming. */
const MAX_PREFIX_TERMS = 32;
const MAX_SHORT_PREFIX_TERMS = [0, 0, 8, 16];
const MAX_TYPO_TERMS = 8;
/** Results ranked with every bonus, exactly; beyond them the order may be approximate. */
const EXACT_RANKS = 200;
/** Words a prefix begins may hold, together, this many times as many notes as there are. */
const PREFIX_BUDGET = 2;

/**
 * @typedef {import("./search-index.js").Occurrence} Occurrence
 * @typedef {import("./search-index.js").Postings} Postings
 * @typedef {import("./search-query.js").Unit} Unit
 * @typedef {import("./search-rank.js").UnitMatch} UnitMatch
 * @typedef {{topic?: string[], tag?: string[], status?: string[], year?: string[]}} Filters
 * @typedef {{doc: number, score: number, exact: boolean}} Ranked
 */

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
    await Promise.all([this.files.manifest(), this.files.docs(), this.files.heads()]);
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
    const [manifest, dictionary] = await Promise.all([
      this.files.manifest(),
      this.dictionaryFor(term),
    ]);
    const found = [];
    for (const candidate of Object.keys(dictionary)) {
      if (candidate.length > term.length && candidate.startsWith(term)) found.push(candidate);
    }
    found.sort((a, b) => dictionary[b][0] - dictionary[a][0] || a.length - b.length);
    // The most frequent words first, while their postings stay within a budget: a short
    // prefix begins common words whose postings are large, and the next letter is coming.
    const limit = MAX_SHORT_PREFIX_TERMS[term.length] ?? MAX_PREFIX_TERMS;
    const budget = PREFIX_BUDGET * Math.max(manifest.documents, 1000);
    const chosen = [];
    let spent = 0;
    for (const candidate of found.slice(0, limit)) {
      spent += dictionary[candidate][0];
      if (chosen.length && spent > budget) break;
      chosen.push(candidate);
    }
    return chosen;
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
          if (!hasPositionsIn(hits, f)) continue;
          // Read and merged only if a ranking step asks (most notes are never looked at).
          occurrence.pending ??= new Array(fieldCount).fill(null);
          (occurrence.pending[f] ??= []).push(hits);
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
    const idf = matches.map((m) => inverseFrequency(m.docs.size, manifest.documents));
    /** @type {Ranked[]} */
    const ranked = candidates.map((doc) => ({
      doc,
      score: baseScore(matches, idf, doc, manifest, docs),
      exact: exact.has(doc),
    }));
    const order = (/** @type {Ranked} */ a, /** @type {Ranked} */ b) =>
      Number(b.exact) - Number(a.exact) || b.score - a.score || a.doc - b.doc;
    ranked.sort(order);
    // The bonuses (words side by side, a title holding them all) cost the most: give them
    // to notes in order of their base score, until no note left could reach the first
    // EXACT_RANKS even with the largest bonus. Those ranks are exact; beyond, notes not
    // reached keep their base score.
    /** @type {number[]} the best scores with bonuses so far, highest first */
    const best = [];
    let reached = 0;
    for (const result of ranked) {
      const bound = best.length >= EXACT_RANKS ? best[EXACT_RANKS - 1] : 0;
      if (!result.exact && result.score * MAX_BONUS < bound) break;
      result.score *= bonus(matches, result.doc, manifest);
      reached += 1;
      if (result.exact || result.score <= bound) continue;
      let at = best.length;
      while (at > 0 && best[at - 1] < result.score) at -= 1;
      best.splice(at, 0, result.score);
      if (best.length > EXACT_RANKS) best.pop();
    }
    const refined = ranked.slice(0, reached).sort(order);
    return { ranked: refined.concat(ranked.slice(reached)), matches, relaxed };
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
