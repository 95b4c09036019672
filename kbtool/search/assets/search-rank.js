// @ts-check
/**
 * How notes are ranked: BM25F over the fields key (names, ids), title, meta (authors,
 * venue, topics, tags) and body, each weighted and normalised by its length; multiplied
 * by a bonus when the units stand next to each other in the order typed, and when the
 * title (or the names) holds them all. Pure functions of the units' matches.
 */

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

/**
 * @typedef {import("./search-index.js").Occurrence} Occurrence
 * @typedef {import("./search-index.js").Manifest} Manifest
 * @typedef {import("./search-index.js").Docs} Docs
 * @typedef {import("./search-query.js").Unit} Unit
 * @typedef {{unit: Unit, span: number, docs: Map<number, Occurrence>, matched: Set<string>}} UnitMatch
 */

/** The most the bonuses can multiply a score by. */
export const MAX_BONUS = (1 + PROXIMITY) * (1 + COVERAGE);

/**
 * BM25F alone.
 * @param {UnitMatch[]} matches
 * @param {number[]} idf
 * @param {number} doc
 * @param {Manifest} manifest
 * @param {Docs} docs
 */
export function baseScore(matches, idf, doc, manifest, docs) {
  const fieldCount = manifest.fields.length;
  let total = 0;
  for (let u = 0; u < matches.length; u++) {
    const occurrence = /** @type {Occurrence} */ (matches[u].docs.get(doc));
    let tf = 0;
    for (let f = 0; f < fieldCount; f++) {
      if (!occurrence.tf[f]) continue;
      const length = docs.lengths[doc * fieldCount + f] / (manifest.averages[f] || 1);
      tf += (FIELD_WEIGHTS[f] * occurrence.tf[f]) / (1 - FIELD_B[f] + FIELD_B[f] * length);
    }
    total += (idf[u] * tf * (K1 + 1)) / (K1 + tf);
  }
  return total;
}

/**
 * What the units standing side by side, and a title holding them all, multiply a
 * note's score by: between 1 and MAX_BONUS.
 * @param {UnitMatch[]} matches
 * @param {number} doc
 * @param {Manifest} manifest
 */
export function bonus(matches, doc, manifest) {
  let factor = 1 + PROXIMITY * proximity(matches, doc, manifest.fields.length);
  if (matches.length > 1) factor *= 1 + COVERAGE * coverage(matches, doc);
  return factor;
}

/**
 * How rare a unit is among the documents: BM25's inverse document frequency.
 * @param {number} holding documents that hold the unit
 * @param {number} count all documents
 */
export function inverseFrequency(holding, count) {
  return Math.log(1 + (count - holding + 0.5) / (holding + 0.5));
}

/**
 * Two ways a note holds one unit, as one: positions united, frequencies added.
 * @param {Occurrence} a
 * @param {Occurrence} b
 * @returns {Occurrence}
 */
export function mergeOccurrences(a, b) {
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
  const known = occurrence.starts[field];
  if (known) return known;
  const at = occurrence.at?.[field] ?? -1;
  if (at >= 0 && occurrence.flat) {
    const flat = occurrence.flat;
    const count = flat[at - 1];
    const positions = new Array(count);
    let position = 0;
    for (let k = 0; k < count; k++) positions[k] = position += flat[at + k];
    occurrence.starts[field] = positions;
    return positions;
  }
  const pending = occurrence.pending?.[field];
  if (pending && occurrence.pending) {
    const lists = pending.map((source) => startsAt(source, field)).filter((s) => s !== null);
    occurrence.starts[field] = lists.length ? lists.reduce(mergeSorted) : null;
    occurrence.pending[field] = null;
  }
  return occurrence.starts[field];
}

/**
 * Whether an occurrence knows positions in a field (not only how often, as for a CJK
 * character alone), without reading them.
 * @param {Occurrence} occurrence
 * @param {number} field
 */
export function hasPositionsIn(occurrence, field) {
  return (
    occurrence.starts[field] !== null ||
    (occurrence.at?.[field] ?? -1) >= 0 ||
    !!occurrence.pending?.[field]
  );
}

/**
 * Two sorted lists of positions as one, each position once.
 * @param {number[]} a
 * @param {number[]} b
 */
function mergeSorted(a, b) {
  /** @type {number[]} */
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (out[out.length - 1] !== next) out.push(next);
  }
  return out;
}

/**
 * Documents in every unit's match, smallest set first.
 * @param {UnitMatch[]} matches
 */
export function intersect(matches) {
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
  return occurrence.tf.some((_tf, f) => hasPositionsIn(occurrence, f));
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
