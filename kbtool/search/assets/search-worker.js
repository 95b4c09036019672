// @ts-check
/**
 * The search worker: the page posts queries, the worker loads what each needs of the
 * index, ranks, filters, and posts back one page of results ready to show (titles as
 * marked segments, facts, filter counts), then the passages they quote, marked. Everything slow happens here, so
 * the page stays responsive while the index loads.
 *
 * Messages in:  {type: "prepare", index}  start loading (the search box got focus)
 *               {type: "search", index, seq, query, filters, offset, limit}
 * Messages out: {type: "results", seq, query, total, relaxed, offset, results, facets}
 *                 the page of results, shown at once (titles marked, facts, filters)
 *               {type: "passages", seq, query, offset, passages}  then their passages
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

/** @type {WeakMap<Docs, Record<string, string[][]>>} each document's values of each facet */
const valueTables = new WeakMap();

/**
 * Each document's values of each facet, as the strings filters hold (worked out once).
 * @param {Docs} docs
 */
function valuesOf(docs) {
  let tables = valueTables.get(docs);
  if (!tables) {
    tables = {
      topic: docs.docTopics.map((ids) => ids.map((i) => docs.topics[i][0])),
      tag: docs.docTags.map((ids) => ids.map((i) => docs.tags[i])),
      status: docs.docStatus.map((i) => (i >= 0 ? [docs.statuses[i]] : [])),
      year: docs.docYear.map((year) => (year ? [String(year)] : [])),
    };
    valueTables.set(docs, tables);
  }
  return tables;
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
  const tables = valuesOf(docs);
  const active = FACETS.filter((f) => (filters[f] ?? []).length);
  const wanted = Object.fromEntries(active.map((f) => [f, new Set(filters[f])]));
  // For each result, the active facets it fails (most pass all, or fail one).
  /** @type {string[]} */
  const none = [];
  const failing = active.length
    ? ranked.map((r) => active.filter((f) => !tables[f][r.doc].some((v) => wanted[f].has(v))))
    : ranked.map(() => none);
  const kept = ranked.filter((_r, i) => failing[i].length === 0);
  /** @type {Record<string, FacetValue[]>} */
  const facets = {};
  for (const facet of FACETS) {
    /** @type {Map<string, number>} */
    const counts = new Map();
    ranked.forEach((r, i) => {
      const fails = failing[i];
      if (fails.length > 1 || (fails.length === 1 && fails[0] !== facet)) return;
      for (const value of tables[facet][r.doc]) counts.set(value, (counts.get(value) ?? 0) + 1);
    });
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

/**
 * Answer one search: the page of results at once (titles, facts), then their passages.
 * @param {any} message
 * @param {(reply: object) => void} reply
 */
async function search(message, reply) {
  const current = engineFor(message.index);
  const units = parseQuery(message.query);
  const [docs, heads] = await Promise.all([current.files.docs(), current.files.heads()]);
  const answer = { type: "results", seq: message.seq, query: message.query };
  if (!units.length) {
    reply({ ...answer, offset: 0, total: 0, relaxed: false, results: [], facets: {} });
    return;
  }
  const { ranked, matches, relaxed } = await current.rank(units);
  if (message.seq < latest) return; // a newer query is on its way
  const { kept, facets } = applyFilters(ranked, docs, message.filters ?? {});
  const page = kept.slice(message.offset, message.offset + message.limit);
  const marks = patterns(matches, relaxed);
  const results = page.map(({ doc, exact }) => ({
    url: heads.urls[doc],
    kind: heads.kinds[doc] === "t" ? "topic" : "note",
    title: highlight(heads.titles[doc], marks),
    year: docs.docYear[doc] || null,
    venue: heads.venues[doc],
    topics: docs.docTopics[doc].map((i) => docs.topics[i][1]),
    status: docs.docStatus[doc] >= 0 ? docs.statuses[docs.docStatus[doc]] : "",
    exact,
  }));
  reply({ ...answer, offset: message.offset, total: kept.length, relaxed, results, facets });
  const fragments = await Promise.all(page.map((r) => current.files.fragment(r.doc)));
  if (message.seq < latest) return;
  const passages = fragments.map((fragment) => snippet(fragment.text, marks));
  reply({
    type: "passages",
    seq: message.seq,
    query: message.query,
    offset: message.offset,
    passages,
  });
}

self.addEventListener("message", async (event) => {
  const message = event.data;
  if (message.type === "prepare") {
    const current = engineFor(message.index);
    current
      .prepare()
      .then(() => current.files.docs())
      .then(valuesOf) // the filters' tables, made before the first search needs them
      .catch(() => {}); // a search will report it
    return;
  }
  if (message.type !== "search") return;
  latest = Math.max(latest, message.seq);
  try {
    await search(message, (reply) => {
      if (message.seq >= latest) self.postMessage(reply);
    });
  } catch (error) {
    self.postMessage({ type: "failed", seq: message.seq, message: String(error) });
  }
});
