"""Place-name normalisation: an exact key and a looser transliteration-folding key.

``normalize`` lower-cases, strips diacritics and apostrophes (’ ʿ ʾ ` '), turns hyphens and
punctuation into spaces and drops Arabic-style articles (al-, el-, ar-, ad-, ash-, ...) at the
start of a word, so "Al-Raqqa", "Ar Raqqah" and "ar-Raqqah" give "raqqa"/"raqqah".

``fold`` goes further, for matching across transliterations: sun-letter assimilated articles
("Ezzor" -> "zor"), digraphs (kh gh sh ch th dh zh ph dj -> one letter, q -> k), every run of
vowels and h/w/y -> "a", doubled letters single, spaces removed. "Deir Ezzor", "Deir ez-Zor"
and "Dayr az Zawr" all fold to "darzar"; "Baghouz" and "Baghuz" to "bagaz".
"""

from __future__ import annotations

import operator
import re
import unicodedata
from functools import lru_cache

ARTICLES = frozenset(
    "al el ar ad ash as at az an ath adh ed es et ez en er ech ul ud".split()
)

_TRANS = str.maketrans({
    "’": "", "'": "", "ʿ": "", "ʾ": "", "‘": "", "`": "", "´": "", "ʼ": "", "ʻ": "",
    "-": " ", "‐": " ", "‑": " ", "–": " ", "—": " ", "_": " ", ".": " ", ",": " ",
    "/": " ", "(": " ", ")": " ", "\"": " ", "“": " ", "”": " ", "&": " and ",
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae",
    "œ": "oe", "ħ": "h", "ŧ": "t", "ŀ": "l",
})

_ASSIM = re.compile(r"\b[ae]([dlnrstz])\1(?=[a-z])")
_DIGRAPHS = (("kh", "k"), ("gh", "g"), ("sh", "s"), ("ch", "s"), ("th", "t"), ("dh", "d"),
             ("zh", "z"), ("ph", "f"), ("dj", "j"), ("ck", "k"), ("q", "k"), ("c", "k"),
             ("x", "ks"))
_VOWEL_A = str.maketrans({**{c: "a" for c in "aeiouyhw"}, " ": None})
_DOUBLE = re.compile(r"(.)\1+")
_VOWEL_B = bytes.maketrans(b"eiouyhw", b"aaaaaaa")
_GROUP1 = operator.itemgetter(1)
_LATIN = re.compile(r"[a-z0-9 ]+")


def strip_accents(text: str) -> str:
    """Remove combining marks (Ḩamāh -> Hamah), keep everything else."""
    s = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))


def display_name(name: str) -> str:
    """ASCII-ish display form of a GeoNames name: no diacritics, apostrophes unified."""
    if name.isascii():
        return name.replace("`", "'") if "`" in name else name
    s = strip_accents(name)
    for ch in "’‘ʿʾ`´ʼʻ":
        s = s.replace(ch, "'")
    return s


def light(name: str) -> str:
    """Lower-case, no diacritics or punctuation; articles kept."""
    s = (name if name.isascii() else strip_accents(name)).lower().translate(_TRANS)
    return " ".join(s.split())


def normalize(name: str) -> str:
    """The exact match key: ``light`` plus word-initial articles dropped."""
    toks = (name if name.isascii() else strip_accents(name)).lower().translate(_TRANS).split()
    if len(toks) > 1:
        last = len(toks) - 1
        toks = [t for i, t in enumerate(toks) if i == last or t not in ARTICLES]
    return " ".join(toks)


def fold(key: str) -> str:
    """The loose key, computed from a ``normalize``d key."""
    s = _ASSIM.sub(_GROUP1, key) if _ASSIM.search(key) else key
    for a, b in _DIGRAPHS:
        if a in s:
            s = s.replace(a, b)
    # every vowel (and h, w, y) to "a": a run of them collapses with the doubled letters
    if s.isascii():
        s = s.encode().translate(_VOWEL_B, b" ").decode()
    else:
        s = s.translate(_VOWEL_A)
    while "aa" in s:
        s = s.replace("aa", "a")
    return _DOUBLE.sub(_GROUP1, s) if _DOUBLE.search(s) else s


def fold_many(keys: list[str]) -> list[str]:
    """``[fold(k) for k in keys]`` for keys of ``[a-z0-9 ]`` (what ``is_latin_key`` passes),
    done on all of them joined by newlines at once: every step of ``fold`` stops at a line
    break (a word boundary that no digraph, article or doubled letter spans), so each line
    folds as it would alone, several times faster than one call per key."""
    if not keys:
        return []
    s = "\n".join(keys)
    s = _ASSIM.sub(_GROUP1, s)
    for a, b in _DIGRAPHS:
        if a in s:
            s = s.replace(a, b)
    s = s.encode().translate(_VOWEL_B, b" ").decode()
    while "aa" in s:
        s = s.replace("aa", "a")
    return _DOUBLE.sub(_GROUP1, s).split("\n")


def is_latin_key(key: str) -> bool:
    return bool(key) and _LATIN.fullmatch(key) is not None


# The same names (mentions, admin units, entry names) are asked for again for every candidate
# and unit: one per-process cache of each pure function, shared by the lookups.
cached_normalize = lru_cache(maxsize=1 << 16)(normalize)
cached_fold = lru_cache(maxsize=1 << 16)(fold)
cached_light = lru_cache(maxsize=1 << 16)(light)
