// @ts-check
/**
 * The search box in the header, where Material puts its own, and its result list.
 *
 * The page only shows; search-worker.js loads the index and ranks. Results update as
 * you type (not while an input method is composing a character), paste works like
 * typing, ↑/↓ move through the results, Enter opens the first, Esc closes, and
 * `/`, `s` or `f` anywhere opens the search. `?q=` (with `topic`, `tag`, `status`,
 * `year`) opens the page with a search already made, and the address follows the search
 * while it is open, so Back returns to it. Every string shown comes from the index as
 * text (textContent), never as markup.
 */

const PAGE = 10;
const FACETS = /** @type {const} */ ({
  topic: "All topics",
  tag: "All tags",
  status: "Any status",
  year: "Any year",
});

/** @typedef {[string, boolean]} Segment */
/**
 * @typedef {{url: string, kind: string, title: Segment[], year: number|null,
 *   venue: string, topics: string[], status: string, exact: boolean}} Result
 * @typedef {{value: string, label: string, count: number}} FacetValue
 */

const root = /** @type {HTMLElement | null} */ (document.querySelector("[data-kb-search]"));
if (root) setUpSearch(root);

/** @param {HTMLElement} root */
function setUpSearch(root) {
  const toggle = /** @type {HTMLInputElement} */ (document.getElementById("__search"));
  const form = /** @type {HTMLFormElement} */ (root.querySelector("form"));
  const input = /** @type {HTMLInputElement} */ (root.querySelector(".md-search__input"));
  const meta = /** @type {HTMLElement} */ (root.querySelector(".md-search-result__meta"));
  const list = /** @type {HTMLOListElement} */ (root.querySelector(".md-search-result__list"));
  const filterBar = /** @type {HTMLElement} */ (root.querySelector(".kb-search-filters"));
  const more = /** @type {HTMLButtonElement} */ (root.querySelector(".kb-search-more"));
  const base = new URL((root.dataset.kbBase || ".").replace(/\/?$/, "/"), location.href);
  const index = new URL("search/", base).href;
  const idle = meta.textContent ?? "";

  /** @type {Worker | null} */
  let worker = null;
  let seq = 0;
  let shown = 0;
  let composing = false;
  /** @type {Record<string, string[]>} */
  let filters = {};

  function startWorker() {
    if (!worker) {
      worker = new Worker(new URL("./search-worker.js", import.meta.url), { type: "module" });
      worker.addEventListener("message", (event) => receive(event.data));
      worker.addEventListener("error", () => fail("the search could not start"));
    }
    return worker;
  }

  let prepared = false;
  function prepare() {
    if (prepared) return;
    prepared = true;
    startWorker().postMessage({ type: "prepare", index });
  }

  function open() {
    if (!toggle.checked) toggle.click();
  }

  function close() {
    if (toggle.checked) toggle.click();
    input.blur();
  }

  /** Search for what the box holds (from the first result, or the next page). */
  function run(offset = 0) {
    const query = input.value;
    syncAddress();
    if (!query.trim()) {
      seq += 1;
      shown = 0;
      list.replaceChildren();
      filterBar.hidden = true;
      more.hidden = true;
      meta.textContent = idle;
      delete list.dataset.query;
      delete list.dataset.passages;
      return;
    }
    seq += 1;
    if (!shown && offset === 0) meta.textContent = "Searching…";
    startWorker().postMessage({ type: "search", index, seq, query, filters, offset, limit: PAGE });
  }

  /** @param {string} reason */
  function fail(reason) {
    meta.textContent = `Search is unavailable: ${reason}`;
  }

  /** @param {any} message */
  function receive(message) {
    if (message.seq !== seq) return; // overtaken by what was typed since
    if (message.type === "failed") {
      fail(message.message);
      return;
    }
    if (message.type === "passages") {
      const items = list.querySelectorAll(".md-search-result__item");
      message.passages.forEach((/** @type {Segment[]} */ passage, /** @type {number} */ i) => {
        const target = items[message.offset + i]?.querySelector(".kb-search-snippet");
        target?.replaceChildren(...marked(passage));
      });
      list.dataset.passages = message.query;
      return;
    }
    if (message.offset === 0) {
      list.replaceChildren();
      shown = 0;
      root.querySelector(".md-search__scrollwrap")?.scrollTo(0, 0);
    }
    for (const result of /** @type {Result[]} */ (message.results)) list.append(item(result));
    shown += message.results.length;
    meta.textContent = summary(message.total, message.relaxed, message.query);
    more.hidden = shown >= message.total;
    showFilters(message.facets);
    list.dataset.query = message.query;
    list.dataset.total = String(message.total);
  }

  /** @param {number} total @param {boolean} relaxed @param {string} query */
  function summary(total, relaxed, query) {
    if (!total) return `No note holds all of “${query.trim()}”`;
    const notes = total === 1 ? "1 note" : `${total.toLocaleString("en")} notes`;
    return relaxed ? `${notes} hold the words, though not side by side` : `${notes} match`;
  }

  /** @param {Result} result */
  function item(result) {
    const entry = document.createElement("li");
    entry.className = "md-search-result__item";
    const link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = new URL(result.url, base).href;
    link.tabIndex = -1;
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    const icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    const title = document.createElement("h1");
    title.append(...marked(result.title));
    article.append(icon, title);
    const facts =
      result.kind === "topic"
        ? ["Topic"]
        : [result.year ? String(result.year) : "", result.venue, result.topics.join(", ")];
    const shownFacts = facts.filter(Boolean);
    if (shownFacts.length || result.status) {
      const line = document.createElement("p");
      line.className = "kb-search-facts";
      line.textContent = shownFacts.join(" · ");
      if (result.status) {
        const badge = document.createElement("span");
        badge.className = `kb-status kb-status--${result.status}`;
        badge.textContent = result.status.replace("-", " ");
        line.append(" ", badge);
      }
      article.append(line);
    }
    const passage = document.createElement("p");
    passage.className = "kb-search-snippet"; // filled when the worker sends the passages
    article.append(passage);
    link.append(article);
    entry.append(link);
    return entry;
  }

  /** @param {Segment[]} segments */
  function marked(segments) {
    return segments.map(([text, isMarked]) => {
      if (!isMarked) return document.createTextNode(text);
      const mark = document.createElement("mark");
      mark.textContent = text;
      return mark;
    });
  }

  /** @param {Record<string, FacetValue[]>} facets */
  function showFilters(facets) {
    let any = false;
    for (const [facet, all] of Object.entries(FACETS)) {
      const select = /** @type {HTMLSelectElement} */ (
        filterBar.querySelector(`[data-kb-facet="${facet}"]`)
      );
      const values = facets[facet] ?? [];
      const chosen = filters[facet]?.[0] ?? "";
      const options = [new Option(all, "")];
      for (const { value, label, count } of values) {
        options.push(new Option(`${label} (${count})`, value, false, value === chosen));
      }
      select.replaceChildren(...options);
      select.value = chosen;
      select.hidden = values.length < 2 && !chosen;
      any ||= !select.hidden;
    }
    filterBar.hidden = !any;
  }

  /** Keep ?q= and the filters in the address while the search is open (Back returns to it). */
  function syncAddress() {
    const url = new URL(location.href);
    const query = input.value.trim();
    for (const key of ["q", ...Object.keys(FACETS)]) url.searchParams.delete(key);
    if (query && toggle.checked) {
      url.searchParams.set("q", input.value);
      for (const [facet, values] of Object.entries(filters)) {
        for (const value of values) url.searchParams.append(facet, value);
      }
    }
    if (url.href !== location.href) history.replaceState(history.state, "", url);
  }

  /** The results as focusable links, after the box. */
  function links() {
    return /** @type {HTMLElement[]} */ ([...list.querySelectorAll(".md-search-result__link")]);
  }

  input.addEventListener("focus", () => {
    open();
    prepare();
  });
  input.addEventListener("compositionstart", () => {
    composing = true;
  });
  input.addEventListener("compositionend", () => {
    composing = false;
    run();
  });
  input.addEventListener("input", (event) => {
    if (composing || /** @type {InputEvent} */ (event).isComposing) return;
    run();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    links()[0]?.click();
  });
  form.addEventListener("reset", () => {
    filters = {};
    setTimeout(() => {
      run();
      input.focus();
    });
  });
  filterBar.addEventListener("change", (event) => {
    const select = /** @type {HTMLSelectElement} */ (event.target);
    const facet = select.dataset.kbFacet ?? "";
    filters = { ...filters, [facet]: select.value ? [select.value] : [] };
    run();
  });
  more.addEventListener("click", () => run(shown));
  toggle.addEventListener("change", () => {
    if (toggle.checked) input.focus();
    syncAddress();
  });

  window.addEventListener("keydown", (event) => {
    if (
      event.isComposing ||
      event.keyCode === 229 ||
      event.metaKey ||
      event.ctrlKey ||
      event.altKey
    )
      return;
    const active = document.activeElement;
    if (!toggle.checked) {
      const typing =
        active instanceof HTMLInputElement ||
        active instanceof HTMLTextAreaElement ||
        active instanceof HTMLSelectElement ||
        (active instanceof HTMLElement && active.isContentEditable);
      if (!typing && (event.key === "/" || event.key === "s" || event.key === "f")) {
        event.preventDefault();
        input.focus();
        input.select();
      }
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const items = [input, ...links()];
      const at = Math.max(0, items.indexOf(/** @type {HTMLElement} */ (active)));
      const next = (at + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items[next].focus();
      event.preventDefault();
    }
  });

  // Start the worker once the page has settled: it loads what every search needs
  // (a few kilobytes), off the main thread, before the first key is pressed.
  if ("requestIdleCallback" in window) requestIdleCallback(prepare, { timeout: 300 });
  else setTimeout(prepare, 0);

  // A search in the address (?q=…): open it.
  const params = new URLSearchParams(location.search);
  const query = params.get("q");
  if (query) {
    for (const facet of Object.keys(FACETS)) {
      const values = params.getAll(facet);
      if (values.length) filters[facet] = values;
    }
    input.value = query;
    open();
    run();
  }
}
