// @ts-check
/**
 * The search worker: the page posts queries, the worker loads what each needs of the
 * index, ranks, filters, and posts back one page of results ready to show (titles and
 * passages as marked segments, facts, filter counts). Everything slow happens here, so
 * the page stays responsive while the index loads.
 *
 * Messages in:  {type: "prepare", index}  start loading (the search box got focus)
 *               {type: "search", index, seq, query, filters, offset, limit}
 * Messages out: {type: "results", seq, query, total, relaxed, offset, results, facets}
 *               {type: "failed", seq, message}
 */

import { IndexFiles, SearchEngine, parseQuery } from "./search-engine.js";
import { highlight, patterns, snippet } from "./search-snippet.js";

/**
 * @typedef {import("./search-engine.js").Filters} Filters
 * @typedef {import("./search-index.js").Docs} Docs
 * @typedef {import("./search-engine.js").Ranked} Ranked
 * @typedef {{value: string, label: string, count: number}} FacetValue
 */

/** @type {SearchEngine | null} */
let engine = null;
let latest = 0;

/** @param {string} index */
function engineFor(index) {
  if (!engine || engine.files.base !== index) engine = new SearchEngine(new IndexFiles(index));
  return engine;
}

/** The facets of the index: how to read each document's values. */
const FACETS = /** @type {const} */ (["topic", "tag", "status", "year"]);

/**
 * A document's values of a facet, as the strings filters hold.
 * @param {Docs} docs
 * @param {string} facet
 * @param {number} doc
 * @returns {string[]}
 */
function valuesOf(docs, facet, doc) {
  switch (facet) {
    case "topic":
      return docs.docTopics[doc].map((i) => docs.topics[i][0]);
    case "tag":
      return docs.docTags[doc].map((i) => docs.tags[i]);
    case "status":
      return docs.docStatus[doc] >= 0 ? [docs.statuses[docs.docStatus[doc]]] : [];
    default:
      return docs.docYear[doc] ? [String(docs.docYear[doc])] : [];
  }
}

/**
 * @param {Docs} docs
 * @param {string} facet
 * @param {string} value
 */
function labelOf(docs, facet, value) {
  if (facet === "topic") return docs.topics.find((t) => t[0] === value)?.[1] ?? value;
  if (facet === "status") return value.replace("-", " ");
  return value;
}

/**
 * The results that pass the filters, and per facet the values among the results that
 * pass the other facets' filters, with their counts.
 * @param {Ranked[]} ranked
 * @param {Docs} docs
 * @param {Filters} filters
 */
function applyFilters(ranked, docs, filters) {
  const active = FACETS.filter((f) => (filters[f] ?? []).length);
  /** @type {(doc: number, facet: string) => boolean} */
  const passes = (doc, facet) => {
    const wanted = filters[/** @type {keyof Filters} */ (facet)] ?? [];
    return valuesOf(docs, facet, doc).some((v) => wanted.includes(v));
  };
  const kept = ranked.filter((r) => active.every((f) => passes(r.doc, f)));
  /** @type {Record<string, FacetValue[]>} */
  const facets = {};
  for (const facet of FACETS) {
    /** @type {Map<string, number>} */
    const counts = new Map();
    for (const r of ranked) {
      if (!active.every((f) => f === facet || passes(r.doc, f))) continue;
      for (const value of valuesOf(docs, facet, r.doc))
        counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    for (const value of filters[facet] ?? []) if (!counts.has(value)) counts.set(value, 0);
    const values = [...counts].map(([value, count]) => ({
      value,
      label: labelOf(docs, facet, value),
      count,
    }));
    values.sort((a, b) =>
      facet === "year"
        ? Number(b.value) - Number(a.value)
        : b.count - a.count || a.label.localeCompare(b.label),
    );
    facets[facet] = values;
  }
  return { kept, facets };
}

/** @param {any} message */
async function search(message) {
  const current = engineFor(message.index);
  const units = parseQuery(message.query);
  const docs = await current.files.docs();
  if (!units.length) {
    return { total: 0, relaxed: false, results: [], facets: {} };
  }
  const { ranked, matches, relaxed } = await current.rank(units);
  if (message.seq < latest) return null; // a newer query is on its way
  const { kept, facets } = applyFilters(ranked, docs, message.filters ?? {});
  const page = kept.slice(message.offset, message.offset + message.limit);
  const marks = patterns(matches, relaxed);
  const fragments = await Promise.all(page.map((r) => current.files.fragment(r.doc)));
  const results = fragments.map((fragment, i) => ({
    url: fragment.url,
    kind: fragment.kind,
    title: highlight(fragment.title, marks),
    snippet: snippet(fragment.text, marks),
    year: fragment.year,
    venue: fragment.venue,
    topics: fragment.topics,
    tags: fragment.tags,
    status: fragment.status,
    exact: page[i].exact,
  }));
  return { total: kept.length, relaxed, results, facets };
}

self.addEventListener("message", async (event) => {
  const message = event.data;
  if (message.type === "prepare") {
    engineFor(message.index)
      .prepare()
      .catch(() => {}); // a search will report it
    return;
  }
  if (message.type !== "search") return;
  latest = Math.max(latest, message.seq);
  try {
    const found = await search(message);
    if (found === null || message.seq < latest) return;
    self.postMessage({
      type: "results",
      seq: message.seq,
      query: message.query,
      offset: message.offset,
      ...found,
    });
  } catch (error) {
    self.postMessage({ type: "failed", seq: message.seq, message: String(error) });
  }
});
