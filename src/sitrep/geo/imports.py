"""Import GeoNames dump files into the on-disk gazetteer index (``sitrep.geo.index``),
streamed in batches with progress, resumable after an interruption.

Understood files (plain or .zip, recognised by name, else by column count):
  allCountries.txt / XX.txt   19 columns: geonameid, name, asciiname, alternatenames, latitude,
                              longitude, feature class, feature code, country code, cc2,
                              admin1 code, admin2 code, admin3, admin4, population, elevation,
                              dem, timezone, modification date
  alternateNamesV2.txt        alternateNameId, geonameid, isolanguage, alternate name, ...
  admin1CodesASCII.txt        CC.code, name, asciiname, geonameid
  admin2Codes.txt             CC.a1.a2, name, asciiname, geonameid
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

_SKIP_LANGS = {"link", "wkdt", "post", "iata", "icao", "faac", "fr_1793", "unlc", "tcid"}
_KEEP_CLASSES = {"P", "A", "S", "T", "L", "H", "V"}


EXPECTED = ("allCountries.txt or XX.txt (19 tab-separated columns), alternateNamesV2.txt "
            "(alternateNameId, geonameid, language, name, ...), admin1CodesASCII.txt or "
            "admin2Codes.txt (code, name, asciiname, geonameid), plain or zipped, from "
            "https://download.geonames.org/export/dump/")


class GeoNamesFileError(ValueError):
    """A file given to import is missing, unreadable or not a GeoNames dump."""


def _lines(path: Path) -> Iterator[tuple[str, Iterator[str]]]:
    """(member name, lines) for a plain file or each .txt inside a zip."""
    if not path.exists():
        raise GeoNamesFileError(f"{path}: not found")
    if not path.is_file():
        raise GeoNamesFileError(f"{path}: not a file")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = [info for info in zf.infolist()
                       if not info.is_dir() and info.filename.endswith(".txt")
                       and not info.filename.lower().startswith("readme")]
            if not members:
                raise GeoNamesFileError(f"{path}: a zip file with no GeoNames .txt dump in it;"
                                        f" expected {EXPECTED}")
            for info in members:
                with zf.open(info) as raw:
                    yield f"{path}:{info.filename}", io.TextIOWrapper(raw, encoding="utf-8")
    else:
        try:
            fh = open(path, encoding="utf-8")
        except OSError as e:
            raise GeoNamesFileError(f"{path}: cannot read ({e.strerror or e})") from None
        with fh:
            yield str(path), fh


def _kind(name: str, first: list[str]) -> str:
    low = Path(name.rsplit(":", 1)[-1]).name.lower()
    if low.startswith("admin1codes"):
        return "admin1"
    if low.startswith("admin2codes"):
        return "admin2"
    if low.startswith("alternatenames"):
        return "alt"
    if len(first) >= 15:
        return "places"
    if len(first) >= 4 and first[0].count(".") == 1:
        return "admin1"
    if len(first) >= 4 and first[0].count(".") == 2:
        return "admin2"
    return "alt"


def read_geonames_files(paths: Iterable[str | os.PathLike]) -> dict:
    """Parse dump files into {"places", "altnames", "admin1", "admin2"}.

    places: geonameid -> (name, alternatenames, lat, lon, feature class, feature code, cc,
    admin1 code, admin2 code, population). Only classes P, A, S, T, L, H, V are read; the
    gazetteer keeps P, A and a list of feature codes (bases, airports, mountains, ...).
    """
    out: dict = {"places": {}, "altnames": {}, "admin1": {}, "admin2": {}}
    alt_rows: list[tuple[int, str]] = []
    for p in paths:
        for member, lines in _lines(Path(p)):
            kind = None
            rows = recognised = 0      # rows in the format of the kind detected
            first: list[str] = []
            try:
                for line in lines:
                    if not line.strip() or line.startswith("#"):
                        continue
                    f = line.rstrip("\n").rstrip("\r").split("\t")
                    rows += 1
                    if kind is None:
                        kind, first = _kind(member, f), f
                    recognised += _read_row(kind, f, out, alt_rows)
            except UnicodeDecodeError:
                raise GeoNamesFileError(f"{member}: not UTF-8 text; expected {EXPECTED}"
                                        ) from None
            if not recognised:
                what = (f"its first line has {len(first)} tab-separated column(s)" if rows
                        else "it is empty")
                raise GeoNamesFileError(f"{member}: not a GeoNames dump ({what}); expected "
                                        f"{EXPECTED}")
    _add_altnames(out, alt_rows)
    return out


def _read_row(kind: str, f: list[str], out: dict, alt_rows: list[tuple[int, str]]) -> int:
    """Add one dump row to ``out``. Returns 1 if the row is in the format of ``kind`` (kept,
    or left out for its feature class or language), else 0."""
    if kind == "places":
        if len(f) < 15:
            return 0
        try:
            gid = int(f[0])
            lat, lon = float(f[4]), float(f[5])
            pop = int(f[14] or 0)
        except ValueError:
            return 0
        if f[6] not in _KEEP_CLASSES:
            return 1
        alts = [a for a in f[3].split(",") if a] if f[3] else []
        if f[2] and f[2] != f[1]:
            alts.insert(0, f[2])
        out["places"][gid] = (f[1], tuple(alts), lat, lon, f[6], f[7], f[8], f[10], f[11], pop)
        return 1
    if kind == "admin1":
        if len(f) >= 2 and "." in f[0]:
            c, code = f[0].split(".", 1)
            out["admin1"][(c, code)] = f[2] if len(f) > 2 and f[2] else f[1]
            return 1
        return 0
    if kind == "admin2":
        parts = f[0].split(".")
        if len(f) >= 2 and len(parts) == 3:
            out["admin2"][tuple(parts)] = f[2] if len(f) > 2 and f[2] else f[1]
            return 1
        return 0
    # alternate names
    if len(f) < 4:
        return 0
    try:
        gid = int(f[1])
        int(f[0])
    except ValueError:
        return 0
    if f[2] in _SKIP_LANGS or (len(f) > 7 and f[7] == "1"):     # codes, links; historic
        return 1
    alt_rows.append((gid, f[3]))
    return 1


def _add_altnames(out: dict, alt_rows: list[tuple[int, str]]) -> None:
    places = out["places"]
    for gid, nm in alt_rows:
        if gid in places:
            name, alts, *rest = places[gid]
            if nm not in alts and nm != name:
                places[gid] = (name, alts + (nm,), *rest)
        else:
            out["altnames"].setdefault(gid, []).append(nm)


# ---------------------------------------------------------------------- streaming import
BATCH = 50_000


class _Member:
    """One dump to stream: a plain file or a .txt inside a zip."""

    def __init__(self, path: Path, inner: str | None, size: int):
        self.path, self.inner, self.size = path, inner, size
        self.label = f"{path.name}:{inner}" if inner else path.name
        st = path.stat()
        self.key = f"{path.resolve()}:{inner or ''}:{st.st_size}:{st.st_mtime_ns}"
        self.kind = ""

    @contextmanager
    def open(self):
        if self.inner is None:
            with open(self.path, "rb") as fh:
                yield fh
            return
        with zipfile.ZipFile(self.path) as zf, zf.open(self.inner) as zfh:
            with io.BufferedReader(zfh, buffer_size=1 << 20) as fh:   # lines split in C
                yield fh


def _members(path: Path) -> list[_Member]:
    if not path.exists():
        raise GeoNamesFileError(f"{path}: not found")
    if not path.is_file():
        raise GeoNamesFileError(f"{path}: not a file")
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                out = [_Member(path, info.filename, info.file_size) for info in zf.infolist()
                       if not info.is_dir() and info.filename.endswith(".txt")
                       and not Path(info.filename).name.lower().startswith("readme")]
            if not out:
                raise GeoNamesFileError(f"{path}: a zip file with no GeoNames .txt dump in it;"
                                        f" expected {EXPECTED}")
            return out
        return [_Member(path, None, path.stat().st_size)]
    except (OSError, zipfile.BadZipFile) as e:
        raise GeoNamesFileError(f"{path}: cannot read ({e})") from None


def _first_row(m: _Member) -> list[str]:
    with m.open() as fh:
        for n, raw in enumerate(fh):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise GeoNamesFileError(f"{m.label}: not UTF-8 text; expected {EXPECTED}"
                                        ) from None
            if line.strip() and not line.startswith("#"):
                return line.rstrip("\r\n").split("\t")
            if n > 1000:
                break
    raise GeoNamesFileError(f"{m.label}: not a GeoNames dump (it is empty); expected {EXPECTED}")


def check_files(paths: Iterable[str | os.PathLike]) -> list[_Member]:
    """Every dump inside ``paths``, its kind told from its name and first row; a clear
    ``GeoNamesFileError`` for a missing file or one not in a GeoNames format, before anything
    is imported. Ordered admin codes, places, alternate names."""
    members: list[_Member] = []
    for p in paths:
        for m in _members(Path(p)):
            f = _first_row(m)
            kind = _kind(m.label, f)
            if _read_row(kind, f, {"places": {}, "altnames": {}, "admin1": {}, "admin2": {}},
                         []) == 0:
                raise GeoNamesFileError(f"{m.label}: not a GeoNames dump (its first line has "
                                        f"{len(f)} tab-separated column(s)); expected {EXPECTED}")
            m.kind = kind
            members.append(m)
    order = {"admin1": 0, "admin2": 1, "places": 2, "alt": 3}
    members.sort(key=lambda m: order[m.kind])
    return members


class Progress:
    """What an import reports as it goes: ``start(label, total_bytes, done_rows)``,
    ``update(bytes, rows)``, ``end()``, ``log(msg)``. The default says nothing."""

    def start(self, label: str, total: int, rows: int) -> None: ...
    def update(self, done: int, rows: int) -> None: ...
    def end(self) -> None: ...
    def log(self, msg: str) -> None: ...


def import_geonames(paths: Iterable[str | os.PathLike],
                    gazetteer_dir: str | os.PathLike | None = None,
                    progress: Progress | None = None, workers: int | None = None) -> dict:
    """Stream GeoNames dump files into the on-disk gazetteer index.

    The import works on a copy of the index (``<index>.import``) that it commits every
    ``BATCH`` rows with how far it got in each file, so an interrupted import resumes where
    it stopped when run again; when every file is in, the copy replaces the index. Returns
    counts: {"places", "altnames", "admin1", "admin2", "rows", "seconds", "index", "workers"}.

    ``workers`` processes (default ``import_workers()``) parse and normalise the rows while
    this process reads the files and writes SQLite; 0 does everything here. The index is the
    same either way. Imports under ``POOL_MIN_BYTES`` run in one process unless ``workers``
    is given.
    """
    import shutil
    import time

    from .gazetteer import build_disk, cache_dir, disk_path
    from .index import close_rw, connect_rw, finish, get_meta, set_meta

    progress = progress or Progress()
    members = check_files(paths)
    if workers is None:
        workers = import_workers() if sum(m.size for m in members) >= POOL_MIN_BYTES else 0
    cdir = cache_dir(gazetteer_dir)
    cdir.mkdir(parents=True, exist_ok=True)
    index = disk_path(cdir)
    work = index.with_name(index.name + ".import")
    t0 = time.perf_counter()
    if work.exists():
        progress.log(f"resuming the import in {work}")
    else:
        if not index.exists():
            progress.log("building the gazetteer from the offline data first")
            build_disk(cdir)
        tmp = work.with_name(work.name + ".copy")
        shutil.copyfile(index, tmp)
        os.replace(tmp, work)
    pool = _pool(workers) if workers > 0 else None     # forked before SQLite is opened
    con = connect_rw(work)
    con.execute("DROP INDEX IF EXISTS names_key")
    con.execute("DROP INDEX IF EXISTS names_fk")
    counts = {"places": 0, "altnames": 0, "admin1": 0, "admin2": 0, "rows": 0}
    try:
        for m in members:
            row = con.execute("SELECT rows, done FROM progress WHERE file=?",
                              (m.key,)).fetchone()
            skip, done = (row[0], row[1]) if row else (0, 0)
            if done:
                progress.log(f"{m.label}: already imported")
                continue
            _stream(con, m, skip, counts, progress, pool)
            _drop_cache()           # this process's key caches go with the file (RSS)
        if pool is not None:
            pool.close()
            pool.join()
            pool = None
        progress.log("indexing")
        # the index builds write each new page once with a rollback journal (twice with the
        # write-ahead log); an interruption still rolls back cleanly
        con.execute("PRAGMA journal_mode=DELETE")
        finish(con, progress.log)
    except BaseException:       # interrupted: what is committed stays for the next run
        if pool is not None:
            pool.terminate()
            pool.join()
        if con.in_transaction:
            con.execute("ROLLBACK")
        con.close()
        raise
    imported = get_meta(con, "imported", []) or []
    for p in paths:
        ap = str(Path(p).resolve())
        if ap not in imported:
            imported.append(ap)
    con.execute("BEGIN")
    set_meta(con, imported=imported)      # progress stays: the same file again is a no-op
    con.execute("COMMIT")
    close_rw(con)
    os.replace(work, index)
    counts.update(seconds=round(time.perf_counter() - t0, 2), index=str(index), workers=workers)
    return counts


CHUNK = 10_000           # rows per piece of work (a worker's task); pieces end at each BATCH
POOL_MIN_BYTES = 4 << 20   # smaller imports stay in one process (a pool costs more than it saves)


def import_workers() -> int:
    """Worker processes that parse and normalise rows: $SITREP_IMPORT_WORKERS, else one per
    CPU (none on a single CPU). The process that writes SQLite reads the file and inserts."""
    env = os.environ.get("SITREP_IMPORT_WORKERS", "").strip()
    if env:
        try:
            return max(0, int(env))
        except ValueError:
            raise ValueError(f"SITREP_IMPORT_WORKERS={env!r}: not a number") from None
    n = os.cpu_count() or 1
    return min(n, 4) if n > 1 else 0


def _pool(workers: int):
    import multiprocessing as mp

    return mp.get_context().Pool(workers)


def _chunks(fh, skip: int) -> Iterator[tuple[int, int, bytes]]:
    """(rows, bytes, the rows' bytes joined) per piece of at most CHUNK rows (and never across
    a multiple of BATCH rows, where the import commits), after the first ``skip`` rows."""
    from itertools import islice

    it = iter(fh)
    rows = 0
    while rows < skip:                      # resuming: the committed rows are not parsed again
        part = list(islice(it, min(CHUNK, skip - rows)))
        if not part:
            return
        rows += len(part)
        yield len(part), sum(map(len, part)), b""
    while True:
        n = min(CHUNK, BATCH - rows % BATCH)
        part = list(islice(it, n))
        if not part:
            return
        rows += len(part)
        blob = b"".join(part)
        yield len(part), len(blob), blob


def parse_rows(kind: str, blob: bytes) -> tuple[tuple, tuple, list, tuple[int, int, int, int]]:
    """What to insert for one piece of a dump of ``kind``: (entry columns: ids, names, lat,
    lon, cc, a1, a2code, pop, feat; name-key columns: keys, folds, ids; other rows;
    (places, alternate names, admin1, admin2) counted). Columns, not rows: they cross a process
    boundary several times cheaper. Runs in a worker process or inline; the same bytes give the
    same rows either way."""
    from .gazetteer import _feature, _good_alt, clean_admin_name, display_name
    from .index import name_keys
    from .normalize import is_latin_key as is_latin

    normalize, folds = _cached()
    e_id: list[int] = []
    e_name: list[str] = []
    e_lat: list[float] = []
    e_lon: list[float] = []
    e_cc: list[str] = []
    e_a1: list[str] = []
    e_a2: list[str] = []
    e_pop: list[int] = []
    e_feat: list[str] = []
    k_key: list[str] = []
    k_id: list[int] = []
    a_id: list[int] = []
    other: list[tuple] = []
    n_places = n_alt = n_a1 = n_a2 = 0
    for raw in blob.split(b"\n"):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue          # one bad row: skip it, keep the rest
        if line[:1] == "#" or not line.strip():
            continue
        f = line.rstrip("\r\n").split("\t")
        if kind == "places":
            if len(f) < 15:
                continue
            feat = _feature(f[6], f[7])
            if feat is None:
                continue
            try:
                gid = int(f[0])
                lat, lon = float(f[4]), float(f[5])
                pop = int(f[14] or 0)
            except ValueError:
                continue
            name = f[1]
            e_id.append(gid)
            e_name.append(display_name(name))
            e_lat.append(lat)
            e_lon.append(lon)
            e_cc.append(f[8])
            e_a1.append(f[10])
            e_a2.append(f[11])
            e_pop.append(pop)
            e_feat.append(feat)
            n_places += 1
            admin = feat in ("A1", "A2", "A3")
            if not f[3] and f[2] == name and not admin:    # most rows: one name, one key
                k = normalize(name)
                if is_latin(k):
                    k_key.append(k)
                    k_id.append(gid)
                continue
            for k in name_keys(name, f[2:3] + f[3].split(",") if f[3] else f[2:3], admin,
                               normalize):
                k_key.append(k)
                k_id.append(gid)
        elif kind == "alt":
            if len(f) < 4 or f[2] in _SKIP_LANGS or (len(f) > 7 and f[7] == "1"):
                continue
            nm = f[3]
            if not _good_alt(nm):
                continue
            k = normalize(nm)
            if not is_latin(k):
                continue
            try:
                a_id.append(int(f[1]))
            except ValueError:
                continue
            k_key.append(k)
            n_alt += 1
        elif kind == "admin1":
            if len(f) >= 2 and "." in f[0]:
                c, code = f[0].split(".", 1)
                other.append((c, code, clean_admin_name(f[2] if len(f) > 2 and f[2]
                                                        else f[1])))
                n_a1 += 1
        else:
            parts = f[0].split(".")
            if len(f) >= 2 and len(parts) == 3:
                other.append((*parts, f[2] if len(f) > 2 and f[2] else f[1]))
                n_a2 += 1
    # the keys' folds, each new key folded once, all of them in one call
    new = [k for k in dict.fromkeys(k_key) if k not in folds]
    if len(folds) + len(new) > FOLD_CACHE:
        folds.clear()
        new = list(dict.fromkeys(k_key))
    folds.update((k, fk if len(fk) >= 4 else "")         # index.fold_key
                 for k, fk in zip(new, fold_many(new), strict=True))
    k_fold = [folds[k] for k in k_key]
    if kind == "alt":
        other = list(zip(a_id, k_key, k_fold, strict=True))
        k_key, k_fold = [], []
    return ((e_id, e_name, e_lat, e_lon, e_cc, e_a1, e_a2, e_pop, e_feat), (k_key, k_fold, k_id),
            other, (n_places, n_alt, n_a1, n_a2))


def fold_many(keys: list[str]) -> list[str]:
    from .normalize import fold_many as _fold_many
    return _fold_many(keys)


_CACHED: tuple | None = None
FOLD_CACHE = 1 << 18


def _drop_cache() -> None:
    global _CACHED
    _CACHED = None


def _cached():
    """normalize with a cache, and a dict of the keys' folds, per process: names repeat a lot
    over a country's villages, so each key is computed once."""
    global _CACHED
    if _CACHED is None:
        from functools import lru_cache

        from .normalize import normalize
        _CACHED = (lru_cache(maxsize=1 << 18)(normalize), {})
    return _CACHED


def _stream(con, m: _Member, skip: int, counts: dict, progress: Progress, pool=None) -> None:
    """Read one dump from row ``skip`` on, committing every ``BATCH`` rows. With a ``pool``,
    worker processes parse the pieces (a few ahead, in order) while this one inserts."""
    from collections import deque
    from itertools import repeat

    kind = m.kind
    ents: list[list] = [[] for _ in range(9)]     # columns; rows are zipped as SQLite reads
    keys: list[list] = [[], [], []]
    other: list[tuple] = []
    rows = pos = 0
    flushed = skip
    progress.start(m.label, m.size, skip)

    def flush(final: bool = False) -> None:
        con.execute("BEGIN")
        if ents[0]:
            g, nm, la, lo, cc, a1, a2, pop, ft = ents
            con.executemany(
                "INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE "
                "SET name=excluded.name, lat=excluded.lat, lon=excluded.lon, cc=excluded.cc, "
                "a1=excluded.a1, a2code=excluded.a2code, pop=excluded.pop, feat=excluded.feat",
                zip(g, g, nm, la, lo, cc, a1, repeat(""), a2, pop, ft, g))
        if keys[0]:
            con.executemany("INSERT INTO names VALUES (?,?,?)", zip(*keys, strict=True))
        if other:
            if kind == "admin1":
                con.executemany("INSERT OR REPLACE INTO admin1 VALUES (?,?,?)", other)
            elif kind == "admin2":
                con.executemany("INSERT OR REPLACE INTO admin2 VALUES (?,?,?,?)", other)
            else:
                con.executemany("INSERT INTO alt VALUES (?,?,?)", other)
        con.execute("INSERT OR REPLACE INTO progress VALUES (?,?,?)",
                    (m.key, rows, 1 if final else 0))
        con.execute("COMMIT")
        for c in (*ents, *keys):
            c.clear()
        other.clear()

    def take(n_rows: int, n_bytes: int, result) -> None:
        nonlocal rows, pos, flushed
        e_cols, k_cols, o, (n_p, n_alt, n_a1, n_a2) = result
        for c, v in zip((*ents, *keys), (*e_cols, *k_cols), strict=True):
            c.extend(v)
        other.extend(o)
        counts["places"] += n_p
        counts["altnames"] += n_alt
        counts["admin1"] += n_a1
        counts["admin2"] += n_a2
        rows += n_rows
        pos += n_bytes
        if rows - flushed >= BATCH:
            flush()
            flushed = rows
            progress.update(pos, rows)

    with m.open() as fh:
        pending: deque = deque()
        ahead = 2 * (getattr(pool, "_processes", 0) or 1) + 1
        for n_rows, n_bytes, blob in _chunks(fh, skip):
            if not blob:                               # skipped rows, already in the index
                rows += n_rows
                pos += n_bytes
                continue
            if pool is None:
                take(n_rows, n_bytes, parse_rows(kind, blob))
                continue
            pending.append((n_rows, n_bytes, pool.apply_async(parse_rows, (kind, blob))))
            while len(pending) >= ahead:
                n_r, n_b, res = pending.popleft()
                take(n_r, n_b, res.get())
        while pending:
            n_r, n_b, res = pending.popleft()
            take(n_r, n_b, res.get())
    flush(final=True)
    counts["rows"] += rows - skip
    progress.update(pos, rows)
    progress.end()
