"""The gazetteer on disk: one SQLite file with name-key tables, opened read-only and
memory-mapped, so that the whole GeoNames dump (12 million features) costs little RAM.

Tables (an entry's id is its GeoNames id; entries the build makes up, such as admin units
located at their largest town, get ids from ``SYNTH_BASE`` up):
  entries(id, gid, name, lat, lon, cc, a1, a2, a2code, pop, feat, anchor)
  names(key, fk, id)        normalised name key, its transliteration fold, entry id
  folds(fk, key)            the name keys of each fold (loose matching)
  admin1(cc, code, name)    admin2(cc, a1, code, name)
  alt(gid, key, fk)         imported alternate names whose place is not (yet) imported
  progress(file, rows, done)  how far an interrupted import got, per dump file
  meta(k, v)

``DiskGazetteer`` offers the attributes the in-memory ``Gazetteer`` has (``feat[i]``,
``exact.get(key)``, ...) as views that read single rows, cached, so every lookup method is
shared between the two.
"""

from __future__ import annotations

import json
import os
import sqlite3
from functools import lru_cache
from pathlib import Path

import numpy as np

from .gazetteer import Gazetteer, _good_alt, _postings, clean_admin_name
from .normalize import fold, is_latin_key, normalize

SYNTH_BASE = 1_000_000_000
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS entries(id INTEGER PRIMARY KEY, gid INTEGER, name TEXT, lat REAL,
    lon REAL, cc TEXT, a1 TEXT, a2 TEXT, a2code TEXT, pop INTEGER, feat TEXT, anchor INTEGER);
CREATE TABLE IF NOT EXISTS names(key TEXT, fk TEXT, id INTEGER);
CREATE TABLE IF NOT EXISTS admin1(cc TEXT, code TEXT, name TEXT, PRIMARY KEY(cc, code))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS admin2(cc TEXT, a1 TEXT, code TEXT, name TEXT,
    PRIMARY KEY(cc, a1, code)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS folds(fk TEXT, key TEXT, PRIMARY KEY(fk, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS alt(gid INTEGER, key TEXT, fk TEXT);
CREATE TABLE IF NOT EXISTS progress(file TEXT PRIMARY KEY, rows INTEGER, done INTEGER);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS names_key ON names(key, id);
"""
ROW_CACHE = 65536
KEY_CACHE = 65536


def connect_rw(path: Path, cache_mb: int = 256) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(f"PRAGMA cache_size=-{cache_mb * 1024}")
    con.execute("PRAGMA temp_store=FILE")
    con.executescript(SCHEMA)
    return con


def close_rw(con: sqlite3.Connection) -> None:
    """Checkpoint the write-ahead log into the file, so it opens read-only anywhere."""
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()


def fold_key(k: str) -> str:
    fk = fold(k)
    return fk if len(fk) >= 4 else ""


def write_index(data: dict, path: Path) -> None:
    """Write an index dict (``gazetteer.build_index``) to a new SQLite file at ``path``."""
    if path.exists():
        path.unlink()
    con = connect_rw(path)
    n_real = data["n_real"]
    gids = data["gid"]

    def eid(i: int) -> int:
        return int(gids[i]) if i < n_real else SYNTH_BASE + i

    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        ((eid(i), int(gids[i]), data["names"][i], float(data["lat"][i]), float(data["lon"][i]),
          data["cc"][i], data["a1"][i], data["a2"][i], "", int(data["pop"][i]), data["feat"][i],
          eid(int(data["anchor"][i]))) for i in range(len(data["names"]))))
    con.executemany("INSERT INTO names VALUES (?,?,?)",
                    ((k, fold_key(k), eid(i)) for k, v in data["exact"].items()
                     for i in _postings(v)))
    con.executemany("INSERT OR REPLACE INTO admin1 VALUES (?,?,?)",
                    ((c, code, nm) for (c, code), nm in data["admin1_names"].items()))
    set_meta(con, version=data["version"], build_seconds=data.get("build_seconds", 0))
    con.execute("COMMIT")
    finish(con)
    close_rw(con)


def set_meta(con: sqlite3.Connection, **kv) -> None:
    con.executemany("INSERT OR REPLACE INTO meta VALUES (?,?)",
                    ((k, json.dumps(v)) for k, v in kv.items()))


def get_meta(con: sqlite3.Connection, k: str, default=None):
    row = con.execute("SELECT v FROM meta WHERE k=?", (k,)).fetchone()
    return json.loads(row[0]) if row else default


def finish(con: sqlite3.Connection, log=None) -> None:
    """After a bulk load: attach imported alternate names to their places, index the name
    keys, count the entries."""
    con.execute("BEGIN")
    n = con.execute("SELECT count(*) FROM alt").fetchone()[0]
    if n:
        if log:
            log(f"attaching {n:,} alternate names")
        con.execute("INSERT INTO names SELECT a.key, a.fk, a.gid FROM alt a "
                    "WHERE EXISTS (SELECT 1 FROM entries e WHERE e.id = a.gid)")
        con.execute("DELETE FROM alt WHERE EXISTS (SELECT 1 FROM entries e WHERE e.id = alt.gid)")
    con.execute("COMMIT")
    if log:
        log("indexing name keys")
    con.executescript(INDEXES)
    con.execute("BEGIN")
    if log:
        log("indexing transliteration folds")
    last = get_meta(con, "folded_rowid", 0)
    con.execute("INSERT OR IGNORE INTO folds SELECT fk, key FROM names WHERE rowid > ? "
                "AND fk != '' ORDER BY fk, key", (last,))
    set_meta(con, folded_rowid=con.execute("SELECT max(rowid) FROM names").fetchone()[0] or 0)
    con.execute("COMMIT")
    con.execute("BEGIN")
    set_meta(con, entries=con.execute("SELECT count(*) FROM entries").fetchone()[0])
    con.execute("COMMIT")
    con.execute("PRAGMA analysis_limit=1000")    # statistics from a sample: seconds, not minutes
    con.execute("ANALYZE")


class _Col(dict):
    """``gaz.feat[i]``: one field of entry ``i``. A dict of the entries read so far, so a
    repeated read is a plain dict lookup (as fast as the in-memory index's list); a new entry
    comes through the row cache (``__missing__``)."""

    __slots__ = ("_row", "_k")

    def __init__(self, row, k: int):
        super().__init__()
        self._row, self._k = row, k

    def __missing__(self, i):
        v = self._row(int(i))[self._k]
        if len(self) >= ROW_CACHE:
            self.clear()
        self[i] = v
        return v


_ROW_SQL = "gid, name, lat, lon, cc, a1, a2, pop, feat, anchor, a2code"


class _Rows:
    """Entry rows by id, cached; a name key's rows come in one query with its ids."""

    def __init__(self, con: sqlite3.Connection, admin2: dict):
        self.con, self.admin2 = con, admin2
        self.cache: dict[int, tuple] = {}
        self.intern: dict[str, str] = {}
        self.q_id = f"SELECT id, {_ROW_SQL} FROM entries WHERE id=?"
        self.q_key = (f"SELECT DISTINCT e.id, {', '.join('e.' + c for c in _ROW_SQL.split(', '))} "
                      "FROM names n JOIN entries e ON e.id = n.id WHERE n.key=?")

    def _keep(self, r) -> int:
        i = r[0]
        a2 = (self.admin2.get((r[5], r[6], r[11])) or r[7]) if r[11] else r[7]
        it = self.intern
        t = (r[1], r[2], r[3], r[4], it.setdefault(r[5], r[5]), it.setdefault(r[6], r[6]),
             it.setdefault(a2, a2), r[8], it.setdefault(r[9], r[9]), r[10])
        if len(self.cache) >= ROW_CACHE:
            self.cache.clear()
        self.cache[i] = t
        return i

    def __call__(self, i: int) -> tuple:
        t = self.cache.get(i)
        if t is None:
            r = self.con.execute(self.q_id, (i,)).fetchone()
            if r is None:
                raise IndexError(i)
            self._keep(r)
            t = self.cache[i]
        return t

    def ids_of(self, key: str) -> tuple[int, ...]:
        return tuple(self._keep(r) for r in self.con.execute(self.q_key, (key,)))


class _Keys:
    """``gaz.exact.get(key)``: the entry ids of a normalised name key."""

    def __init__(self, rows: _Rows):
        @lru_cache(maxsize=KEY_CACHE)
        def get(key: str):
            return rows.ids_of(key) or None
        self.get = get


class _Folds:
    """``gaz.fold.get(fk)``: the name keys that share a transliteration fold."""

    def __init__(self, con: sqlite3.Connection):
        q = "SELECT key FROM folds WHERE fk=?"
        q1 = "SELECT key FROM folds WHERE fk=? AND key >= ? AND key < ?"

        @lru_cache(maxsize=KEY_CACHE)
        def get(fk: str, first: str = ""):
            if first:      # only the keys that start with this letter (a range of the index)
                rows = con.execute(q1, (fk, first, chr(ord(first) + 1)))
            else:
                rows = con.execute(q, (fk,))
            keys = tuple(r[0] for r in rows)
            return keys or None
        self.get = get


_FIELDS = ("gid", "name", "lat", "lon", "cc", "a1", "a2", "pop", "feat", "anchor")


class DiskGazetteer(Gazetteer):
    """The gazetteer read from its SQLite file (read-only, memory-mapped)."""

    backend = "disk"

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._open()

    def _open(self) -> None:
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        con.execute("PRAGMA query_only=1")
        con.execute(f"PRAGMA mmap_size={1 << 34}")
        con.execute("PRAGMA cache_size=-16384")
        self._con = con
        self.version = get_meta(con, "version", "")
        self._n = get_meta(con, "entries", 0)
        self.admin1_names = {(c, code): nm for c, code, nm in
                             con.execute("SELECT cc, code, name FROM admin1")}
        admin2 = {(c, a1, code): clean_admin_name(nm) for c, a1, code, nm in
                  con.execute("SELECT cc, a1, code, name FROM admin2")}
        row = _Rows(con, admin2)
        self._row = row
        for k, f in enumerate(_FIELDS):
            setattr(self, "names" if f == "name" else f, _Col(row, k))
        self.exact = _Keys(row)
        self.fold = _Folds(con)
        self._tree = None

    def __getstate__(self):
        return {"path": self.path}

    def __setstate__(self, state):
        self.path = state["path"]
        self._open()

    def __len__(self) -> int:
        return self._n

    def _entry(self, i: int) -> tuple:
        r = self._row(i)
        return (r[0], r[1], r[4], r[5], r[7], r[8])

    def close(self) -> None:
        self._con.close()

    def sample_names(self, n: int, rng) -> list[str]:
        ids = [r[0] for r in self._con.execute(
            "SELECT id FROM entries WHERE rowid IN (SELECT rowid FROM entries "
            "ORDER BY random() LIMIT ?)", (n,))]
        rng.shuffle(ids)
        return [self.names[i] for i in ids]

    def _kdtree(self):
        if self._tree is None:
            from scipy.spatial import cKDTree

            from .gazetteer import _unit
            rows = self._con.execute("SELECT id, lat, lon FROM entries WHERE feat='P'").fetchall()
            a = np.array(rows, dtype=np.float64)
            self._tree = (cKDTree(_unit(a[:, 1], a[:, 2])), a[:, 0].astype(np.int64))
        return self._tree


def name_keys(name: str, alts, admin: bool, normalize=normalize) -> set[str]:
    """The name keys of one place: its name and its good alternate names, normalised."""
    keys = set()
    seen = {name}
    for nm in (name, *alts):
        if nm is not name:
            if nm in seen or not _good_alt(nm):
                continue
            seen.add(nm)
        k = normalize(nm)
        if not is_latin_key(k):
            continue
        keys.add(k)
        if admin:
            ck = normalize(clean_admin_name(nm))
            if ck and is_latin_key(ck):
                keys.add(ck)
    return keys
