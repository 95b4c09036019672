"""Propose the judged search queries from this repository's notes, with their targets.

    python scripts/judged_queries.py            # writes tests/data/search/{judged,heldout}.yml

Six kinds of query, as the search issue measured them, drawn at random (seeded) from
the notes, each with the notes a researcher would accept as the answer:

- ``english-phrase``: 2–4 words in a row from a note's text; targets: every note
  holding those words in a row (at most 3).
- ``chinese-one``: a Chinese word or two-word phrase (cut by jieba) that one note holds.
- ``chinese-few``: a Chinese word that 2–5 notes hold; targets: all of them.
- ``name``: an alias, the short name before a title's colon, a note titled by a name,
  or a CamelCase name that one note's text alone mentions; target: that note. Half are
  typed in lower case.
- ``arxiv-id``: a note's arXiv id, bare, with a version, or as ``arXiv:…``.
- ``title-words``: 2–3 words of a title, not its name; targets: every title holding
  them all (at most 3).

The search engine plays no part in choosing queries or targets: targets are the notes
whose own text holds the query, by the rules above, and, for phrases and title words,
the topic pages that hold it as well (``topic:<id>``: the site searches topic pages,
the researcher's text about a whole topic; queries are still drawn from notes alone,
and how many notes hold a query decides its kind). Candidates a person would not type
(cut mid-word, only function words, boilerplate of the digest imports) are listed in
REJECTED below after review, so the files can be made again exactly. The held-out set
comes from the same pools, disjoint from the judged set (and for names and ids, from
other notes), and is not looked at while tuning.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

import jieba
import jieba.posseg as posseg
import yaml

from kbtool.config import Layout
from kbtool.core.knowledge_base import KnowledgeBase, load_knowledge_base
from kbtool.core.note import Note
from kbtool.search.document import NAME_ATOMS
from kbtool.search.text import markdown_to_text
from kbtool.search.tokens import atoms, normalize

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "search"
KINDS = ("english-phrase", "chinese-one", "chinese-few", "name", "arxiv-id", "title-words")
JUDGED_PER_KIND = 25
HELDOUT_PER_KIND = 12
SEED = 11
#: Targets that are topic pages: ``topic:<id>``.
TOPIC = "topic:"

_STOPWORDS_TEXT = """
    a an the of for in on to and or is are was were be been with by at as from that this
    these those it its we our you your they their via into than then also can may not no but
    if so such which who what when where how why all any each more most other some only over
    under about after before between both do does did has have had will would should could
    without toward towards using beyond keeping makes make made use uses used"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
#: jieba's tags for nouns, noun-like verbs, idioms and abbreviations.
NOUNS = frozenset(("n", "nz", "vn", "nt", "ns", "nr", "l", "j"))
FUNCTION_CHARS = set("的了是在和与及或等而并也都就被把对从以为于其该此这那之个着过吗呢吧啊")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_ENGLISH_WORD = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
_CAMEL = re.compile(r"\b(?:[A-Z][a-z]+[A-Z][A-Za-z0-9]*|[A-Z]{2,}[a-z][A-Za-z0-9]*)\b")
_DIGEST_LINE = re.compile(
    r"\b(?:authors|category|published|score|type|arxiv id|abstract|click to expand|"
    r"ai summary|qwen-long|paper|blog|code|project)\b"
)

#: Candidates reviewed and turned down, with why (see the module docstring).
REJECTED: dict[str, str] = {
    "hard tokens objective": "cut mid-phrase, or words no one would look a note up by",
    "raw visual embedding extracted": "cut mid-phrase, or words no one would look a note up by",
    "diffusion a novel": "cut mid-phrase, or words no one would look a note up by",
    "context merging better long": "cut mid-phrase, or words no one would look a note up by",
    "computational efficiency and learn": "cut mid-phrase, or words no one would look a note up by",
    "perform best": "cut mid-phrase, or words no one would look a note up by",
    "different size": "cut mid-phrase, or words no one would look a note up by",
    "observation-mask deepminer tom": "cut mid-phrase, or words no one would look a note up by",
    "qkvo is attention matrix": "cut mid-phrase, or words no one would look a note up by",
    "whereas controlnet": "cut mid-phrase, or words no one would look a note up by",
    "image per second": "cut mid-phrase, or words no one would look a note up by",
    "short test": "cut mid-phrase, or words no one would look a note up by",
    "tokens retroinfer chen": "cut mid-phrase, or words no one would look a note up by",
    "through two co-training networks": "cut mid-phrase, or words no one would look a note up by",
    "性能高度": "cut mid-phrase, or words no one would look a note up by",
    "受限于学生": "cut mid-phrase, or words no one would look a note up by",
    "机制至关重要": "cut mid-phrase, or words no one would look a note up by",
    "方法尝试": "cut mid-phrase, or words no one would look a note up by",
    "遗源模型": "cut mid-phrase, or words no one would look a note up by",
    "时效率": "cut mid-phrase, or words no one would look a note up by",
    "利用社区": "cut mid-phrase, or words no one would look a note up by",
    "理论分析表明": "cut mid-phrase, or words no one would look a note up by",
    "论文详细描述": "cut mid-phrase, or words no one would look a note up by",
    "方面": "cut mid-phrase, or words no one would look a note up by",
    "文章": "cut mid-phrase, or words no one would look a note up by",
    "利用数据": "cut mid-phrase, or words no one would look a note up by",
    "learnable improved": "cut mid-phrase, or words no one would look a note up by",
    "generation masked generative": "cut mid-phrase, or words no one would look a note up by",
    "efficient large compact": "cut mid-phrase, or words no one would look a note up by",
    "exploring generation": "cut mid-phrase, or words no one would look a note up by",
    "faster dynamic": "cut mid-phrase, or words no one would look a note up by",
    "conditional model": "cut mid-phrase, or words no one would look a note up by",
    "model understanding": "cut mid-phrase, or words no one would look a note up by",
    "wiki2 ppl zero-shot acc": "table headers and numbers, not prose",
    "acc tps humaneval": "table headers and numbers, not prose",
    "GitHub": "a website or a user name, not a model",
    "introduce neural flow": "cut mid-phrase, or words no one would look a note up by",
    "attention matrix mean": "cut mid-phrase, or words no one would look a note up by",
    "generate image with accurate": "cut mid-phrase, or words no one would look a note up by",
    "attention and further introduces": "cut mid-phrase, or words no one would look a note up by",
    "communication context": "cut mid-phrase, or words no one would look a note up by",
    "manner and store": "cut mid-phrase, or words no one would look a note up by",
    "model further": "cut mid-phrase, or words no one would look a note up by",
    "decoding rethinking": "cut mid-phrase, or words no one would look a note up by",
    "info with conditional frame": "cut mid-phrase, or words no one would look a note up by",
    "produces several": "cut mid-phrase, or words no one would look a note up by",
    "挑战性": "cut mid-phrase, or words no one would look a note up by",
    "核心技术协同": "cut mid-phrase, or words no one would look a note up by",
    "传播教师": "cut mid-phrase, or words no one would look a note up by",
    "尺寸模型": "cut mid-phrase, or words no one would look a note up by",
    "信息方面": "cut mid-phrase, or words no one would look a note up by",
    "方法性能": "cut mid-phrase, or words no one would look a note up by",
    "部署多种不同": "cut mid-phrase, or words no one would look a note up by",
    "秩矩阵": "cut mid-phrase, or words no one would look a note up by",
    "distilling single": "cut mid-phrase, or words no one would look a note up by",
    "capabilities weak": "cut mid-phrase, or words no one would look a note up by",
    "capabilities of language": "cut mid-phrase, or words no one would look a note up by",
    "cost and long-term temporal": "cut mid-phrase, or words no one would look a note up by",
    "based on spatial": "cut mid-phrase, or words no one would look a note up by",
    "最小分类": "cut mid-phrase, or words no one would look a note up by",
    "算法接下来": "cut mid-phrase, or words no one would look a note up by",
    "诱导时间": "cut mid-phrase, or words no one would look a note up by",
    "化模型": "cut mid-phrase, or words no one would look a note up by",
    "generation decoding": "cut mid-phrase, or words no one would look a note up by",
    "deployment multiple": "cut mid-phrase, or words no one would look a note up by",
    "bridging models": "cut mid-phrase, or words no one would look a note up by",
    "FLOPs": "a unit, not a name",
    "keypoints llama decoder": "cut mid-phrase, or words no one would look a note up by",
    "values need": "cut mid-phrase, or words no one would look a note up by",
    "information and correlation": "cut mid-phrase, or words no one would look a note up by",
    "improvement tide": "cut mid-phrase, or words no one would look a note up by",
    "hs winogrande wino lambada": "table headers and numbers, not prose",
    "llama key": "cut mid-phrase, or words no one would look a note up by",
}


def note_text(note: Note) -> str:
    abstract = note.fields.get("abstract")
    parts = [note.title, markdown_to_text(note.body)]
    if isinstance(abstract, str):
        parts.append(abstract)
    return normalize("\n".join(parts))


class Corpus:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.notes = kb.notes
        self.texts = {n.path: note_text(n) for n in kb.notes}
        self.atoms = {path: list(atoms(text)) for path, text in self.texts.items()}
        self.titles = {n.path: list(atoms(n.title)) for n in kb.notes}
        # Topic pages are searched too: a topic page holding the words answers as well.
        self.topic_texts = {}
        for topic in kb.topics:
            text = kb.topic_texts[topic.id].note.body if topic.id in kb.topic_texts else ""
            parts = [topic.title, topic.description, markdown_to_text(text)]
            self.topic_texts[TOPIC + topic.id] = normalize("\n".join(parts))
        self.topic_titles = {TOPIC + t.id: list(atoms(t.title)) for t in kb.topics}

    def topics_holding(self, kind: str, query: str) -> list[str]:
        """Topic pages that answer ``query`` of ``kind`` too (never for names and ids)."""
        if kind.startswith("chinese"):
            return sorted(t for t, text in self.topic_texts.items() if query in text)
        words = list(atoms(query))
        if kind == "english-phrase":
            found = self.topic_texts.items()
            return sorted(t for t, text in found if _contains_run(list(atoms(text)), words))
        if kind == "title-words":
            return sorted(t for t, seq in self.topic_titles.items() if set(words) <= set(seq))
        return []

    def holding_substring(self, phrase: str) -> list[str]:
        return sorted(p for p, text in self.texts.items() if phrase in text)

    def holding_words(self, words: list[str]) -> list[str]:
        return sorted(p for p, seq in self.atoms.items() if _contains_run(seq, words))

    def titles_with(self, words: list[str]) -> list[str]:
        return sorted(p for p, seq in self.titles.items() if set(words) <= set(seq))


def _contains_run(seq: list[str], words: list[str]) -> bool:
    n = len(words)
    first = words[0]
    return any(seq[i] == first and seq[i : i + n] == words for i in range(len(seq) - n + 1))


def chinese_candidates(corpus: Corpus) -> dict[str, list[tuple[str, list[str], str]]]:
    """(phrase, targets, source note) for the two Chinese kinds: terms, not fragments.

    A candidate is one word jieba tags as a noun (or a noun-like verb, an idiom, an
    abbreviation), or two such words in a row (the first may be an adjective): what
    a researcher looks a note up by (等离子体, 模型检查点, 长上下文).
    """
    found: dict[str, list[tuple[str, list[str], str]]] = defaultdict(list)
    seen: set[str] = set()
    jieba.setLogLevel(60)
    for note in corpus.notes:
        runs = re.findall(r"[\u4e00-\u9fff]+", corpus.texts[note.path])
        for run in runs:
            words = [(w.word, w.flag) for w in posseg.lcut(run)]
            phrases = [w for w, flag in words if flag in NOUNS and len(w) >= 2]
            phrases += [
                a + b
                for (a, fa), (b, fb) in itertools.pairwise(words)
                if (fa in NOUNS or fa == "a") and fb in NOUNS and len(a + b) >= 3
            ]
            for phrase in phrases:
                if phrase in seen or not _HAN.match(phrase) or len(phrase) > 6:
                    continue
                if phrase[0] in FUNCTION_CHARS or phrase[-1] in FUNCTION_CHARS:
                    continue
                seen.add(phrase)
                holders = corpus.holding_substring(phrase)
                if len(holders) == 1 and len(phrase) >= 3:
                    found["chinese-one"].append((phrase, holders, note.path))
                elif 2 <= len(holders) <= 5:
                    found["chinese-few"].append((phrase, holders, note.path))
    return found


def english_candidates(corpus: Corpus) -> list[tuple[str, list[str], str]]:
    found = []
    seen: set[str] = set()
    for note in corpus.notes:
        for line in corpus.texts[note.path].split("\n")[1:]:  # not the title
            if _DIGEST_LINE.search(line):
                continue
            words = [w.strip(".,;:!?()[]\"'“”") for w in line.split()]
            for size in (2, 3, 4):
                for i in range(len(words) - size + 1):
                    window = words[i : i + size]
                    if not all(_ENGLISH_WORD.match(w) for w in window):
                        continue
                    if window[0] in STOPWORDS or window[-1] in STOPWORDS:
                        continue
                    if any(w.endswith("ly") for w in window):
                        continue
                    content = [w for w in window if len(w) >= 3 and w not in STOPWORDS]
                    if len(content) < max(2, size - 1):
                        continue
                    phrase = " ".join(window)
                    if phrase in seen:
                        continue
                    seen.add(phrase)
                    holders = corpus.holding_words(list(atoms(phrase)))
                    if 1 <= len(holders) <= 3:
                        found.append((phrase, holders, note.path))
    return found


def name_candidates(corpus: Corpus) -> list[tuple[str, list[str], str]]:
    names: dict[str, str] = {}
    for note in corpus.notes:
        title = note.title
        own = list(note.string_list("aliases"))
        head = re.split(r"\s*[:：]\s*|\s+[-–—]+\s+", title, maxsplit=1)[0]
        if head != title and len(list(atoms(head))) <= NAME_ATOMS:
            own.append(head)
        if len(list(atoms(title))) <= 3 and not title.lower().startswith("arxiv"):
            own.append(title)
        for name in own:
            if re.search(r"[A-Z0-9-]", name) and "$" not in name:
                names.setdefault(name, note.path)
    taken = {normalize(n) for n in names}
    mentioned: dict[str, set[str]] = defaultdict(set)
    for note in corpus.notes:
        for word in _CAMEL.findall(markdown_to_text(note.body)):  # not in link targets
            mentioned[word].add(note.path)
    for word, holders in mentioned.items():
        # A word that begins another note's name (WebVid, webvid10M) names that note too.
        ambiguous = any(name.startswith(normalize(word)) for name in taken)
        if len(holders) == 1 and not ambiguous and len(word) >= 5:
            names.setdefault(word, next(iter(holders)))
    return [(name, [path], path) for name, path in names.items()]


def id_candidates(corpus: Corpus) -> list[tuple[str, list[str], str]]:
    return [
        (note.arxiv_id.base, [note.path], note.path)
        for note in corpus.notes
        if note.arxiv_id is not None
    ]


def title_candidates(corpus: Corpus, rng: random.Random) -> list[tuple[str, list[str], str]]:
    found = []
    for note in corpus.notes:
        head = re.split(r"\s*[:：]\s*", note.title, maxsplit=1)
        rest = head[1] if len(head) > 1 else note.title
        plain = (w.strip(",.;:!?()") for w in normalize(rest).split())
        words = [w for w in plain if len(w) >= 4 and w not in STOPWORDS and w.isalpha()]
        if len(words) < 3:
            continue
        chosen = sorted(rng.sample(range(len(words)), rng.choice((2, 3))))
        query = [words[i] for i in chosen]
        holders = corpus.titles_with(query)
        if 1 <= len(holders) <= 3:
            found.append((" ".join(query), holders, note.path))
    return found


def typed(kind: str, query: str, note: Note, rng: random.Random) -> str:
    """The query as a person might type it."""
    if kind == "name" and rng.random() < 0.5:
        return query.lower()
    if kind == "arxiv-id" and note.arxiv_id is not None:
        roll = rng.random()
        if roll < 0.25:
            return f"{note.arxiv_id.base}v{note.arxiv_id.version or 1}"
        if roll < 0.4:
            return f"arXiv:{note.arxiv_id.base}"
    return query


def main() -> int:
    rng = random.Random(SEED)
    kb = load_knowledge_base(Layout(ROOT))
    by_path = {n.path: n for n in kb.notes}
    corpus = Corpus(kb)
    chinese = chinese_candidates(corpus)
    pools = {
        "english-phrase": english_candidates(corpus),
        "chinese-one": chinese["chinese-one"],
        "chinese-few": chinese["chinese-few"],
        "name": name_candidates(corpus),
        "arxiv-id": id_candidates(corpus),
        "title-words": title_candidates(corpus, rng),
    }
    used: set[str] = set()
    judged: list[dict[str, object]] = []
    heldout: list[dict[str, object]] = []
    for kind in KINDS:
        # A stable order: turning a candidate down replaces it, and nothing else moves.
        pool = sorted(
            (c for c in pools[kind] if c[0] not in REJECTED),
            key=lambda c: hashlib.sha1(f"{SEED}/{kind}/{c[0]}".encode()).hexdigest(),
        )
        per_note: dict[str, int] = defaultdict(int)  # one query per note and kind
        picked: list[tuple[str, list[str], str]] = []
        for query, targets, source in pool:
            if per_note[source] >= 1 or query.lower() in used:
                continue
            used.add(query.lower())
            per_note[source] += 1
            picked.append((query, targets, source))
            if len(picked) == JUDGED_PER_KIND + HELDOUT_PER_KIND:
                break
        for number, (query, targets, source) in enumerate(picked):
            entry = {
                "query": typed(kind, query, by_path[source], rng),
                "kind": kind,
                "targets": targets + corpus.topics_holding(kind, query),
            }
            (judged if number < JUDGED_PER_KIND else heldout).append(entry)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, entries, about in (
        ("judged.yml", judged, "tuned on"),
        ("heldout.yml", heldout, "kept aside: never tuned on"),
    ):
        header = (
            f"# Judged search queries over notes/ ({about}). Made by scripts/judged_queries.py\n"
            "# (see its docstring); each query's targets are the notes that answer it, and\n"
            "# the topic pages (topic:<id>) that do too.\n"
        )
        body = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100)
        (OUT / name).write_text(header + body, encoding="utf-8")
        print(f"{name}: {len(entries)} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
