"""The on-disk gazetteer and `sitrep gazetteer import` of GeoNames dumps (small generated
files in the dump's formats; the 2-million-row run is `sitrep bench gazetteer`)."""

from __future__ import annotations

import random
import shutil
import sqlite3
import zipfile

import pytest

from sitrep.extract.places import find_place_mentions
from sitrep.geo import Gazetteer, import_geonames
from sitrep.geo import imports as imports_mod
from sitrep.geo.gazetteer import disk_path
from sitrep.geo.imports import GeoNamesFileError, Progress
from sitrep.geo.index import DiskGazetteer
from sitrep.geo.resolve import place_event
from sitrep.geo.synthetic import FIRST_ID, write_dump
from sitrep.models import Event


@pytest.fixture(scope="module")
def disk() -> DiskGazetteer:
    g = Gazetteer.load()
    assert isinstance(g, DiskGazetteer)
    return g


@pytest.fixture(scope="module")
def memory() -> Gazetteer:
    return Gazetteer.load(backend="memory")


@pytest.fixture()
def cache(tmp_path, disk):
    """A gazetteer dir holding a copy of the offline index (no 30 s rebuild per test)."""
    d = tmp_path / "cache"
    d.mkdir()
    shutil.copyfile(disk.path, disk_path(d))
    return d


def row(gid, name, alts, lat, lon, fcls, fcode, cc, a1="", a2="", pop=0):
    return "\t".join([str(gid), name, name, ",".join(alts), str(lat), str(lon), fcls, fcode,
                      cc, "", a1, a2, "", "", str(pop), "", "300", "Asia/Baghdad",
                      "2024-01-01"]) + "\n"


def test_disk_index_answers_like_the_memory_index(disk, memory):
    rng = random.Random(3)
    names = ["Raqqa", "Deir Ezzor", "Dayr az Zawr", "Tripoli", "Najaf", "Kandahar", "Beni",
             "Al-Baghuz", "Homs", "Idlib province", "Maiduguri", "Mogadishu", "Kidal"]
    names += memory.sample_names(300, rng)
    for n in names:
        for kw in ({}, {"country": "SY"}, {"admin1": "Borno"}):
            a = [(round(s, 3), memory.gid[i], memory.names[i], memory.feat[i], e)
                 for s, i, e in memory.candidates(n, **kw)]
            b = [(round(s, 3), disk.gid[i], disk.names[i], disk.feat[i], e)
                 for s, i, e in disk.candidates(n, **kw)]
            assert sorted(a) == sorted(b), n
        assert [p.geonameid for p in memory.lookup(n)] == [p.geonameid for p in disk.lookup(n)]
    assert len(disk) == len(memory)


def test_disk_index_opens_read_only(disk):
    with pytest.raises(sqlite3.OperationalError):
        disk._con.execute("DELETE FROM entries")


def test_import_dump_plain_and_zipped(tmp_path, cache):
    d = tmp_path / "dump"
    d.mkdir()
    rows = [
        row(91000001, "Kafr Zayta Sughra", ["Kafr Zeita Sughra"], 35.3, 36.6, "P", "PPL", "SY",
            "12", "1201"),
        row(91000002, "Wadi al Ghadir", [], 35.9, 38.9, "H", "WAD", "SY", "04"),
        row(91000003, "Qa'idat Tiyas", ["Tiyas Airbase"], 34.52, 37.63, "S", "MILB", "SY", "11"),
        row(91000004, "Nahiyat Kafr Nabl", [], 35.6, 36.56, "A", "ADM3", "SY", "12", "1201"),
        row(91000005, "Hotel Nowhere", [], 35.0, 36.0, "S", "HTL", "SY", "12"),   # not kept
    ]
    (d / "SY.txt").write_text("".join(rows), encoding="utf-8")
    with zipfile.ZipFile(d / "alternateNamesV2.zip", "w") as zf:
        zf.writestr("alternateNamesV2.txt",
                    "1\t91000001\ten\tLittle Kafr Zayta\t\t\t\t\t\t\n"
                    "2\t91000001\tlink\thttps://example.org/x\t\t\t\t\t\t\n"
                    "3\t91000002\t\tWadi Ghadeer Old\t\t\t\t1\t\t\n")         # historic
    (d / "admin1CodesASCII.txt").write_text("SY.12\tIdlib Governorate\tIdlib\t169388\n")
    (d / "admin2Codes.txt").write_text("SY.12.1201\tMantiqat Ma`arrat an Nu`man\t"
                                       "Mantiqat Ma`arrat an Nu`man\t1\n")
    counts = import_geonames([d / "SY.txt", d / "alternateNamesV2.zip",
                              d / "admin1CodesASCII.txt", d / "admin2Codes.txt"], cache)
    assert (counts["places"], counts["altnames"], counts["admin1"], counts["admin2"]) == \
        (4, 1, 1, 1)
    g = Gazetteer.load(cache)
    assert isinstance(g, DiskGazetteer)
    for name in ("Kafr Zayta Sughra", "Kafr Zeita Sughra", "Little Kafr Zayta"):
        p = g.lookup(name)[0]
        assert (p.geonameid, p.country_code, p.admin1, p.feature) == \
            (91000001, "SY", "Idlib", "P")
        assert p.admin2 == "Mantiqat Ma`arrat an Nu`man"
    assert g.lookup("Tiyas Airbase")[0].feature == "MILB"
    assert g.lookup("Wadi al Ghadir")[0].feature == "WAD"
    assert g.lookup("Nahiyat Kafr Nabl")[0].feature == "A3"
    body = "Shelling hit Nahiyat Kafr Nabl district on Monday."
    ev = Event("doc", "Explosions/Remote violence", "Shelling/artillery/missile attack",
               places=find_place_mentions(body))
    place_event(ev, body, g)
    assert (ev.location, ev.geo_precision, ev.country_code) == ("Nahiyat Kafr Nabl", 2, "SY")
    body = "Troops clashed with militants at Qa'idat Tiyas on Monday."
    ev = Event("doc", "Battles", "Armed clash", places=find_place_mentions(body))
    place_event(ev, body, g)
    assert ev.location == "Qa'idat Tiyas" and ev.geo_precision == 1
    assert not g.lookup("Hotel Nowhere")
    assert not g.lookup("https://example.org/x") and not g.lookup("Wadi Ghadeer Old")
    assert g.lookup("Raqqa")[0].geonameid == 172955              # the offline data is kept
    assert len(g) == len(Gazetteer.load()) + 4


def test_alternate_names_before_their_places(tmp_path, cache):
    """alternateNamesV2 imported first: its names wait for the places to come."""
    d = tmp_path / "dump"
    d.mkdir()
    (d / "alternateNamesV2.txt").write_text("1\t92000001\ten\tThe Green Hamlet\t\t\t\t\t\t\n")
    (d / "IQ.txt").write_text(row(92000001, "Qaryat al Akhdar", [], 33.1, 44.2, "P", "PPL",
                                  "IQ", "08"), encoding="utf-8")
    import_geonames([d / "alternateNamesV2.txt"], cache)
    assert not Gazetteer.load(cache).lookup("The Green Hamlet")
    import_geonames([d / "IQ.txt"], cache)
    assert Gazetteer.load(cache).lookup("The Green Hamlet")[0].geonameid == 92000001
    again = _Interrupt(after=-1)
    counts = import_geonames([d / "IQ.txt"], cache, progress=again)      # the same file again
    assert counts["places"] == 0 and any("already imported" in m for m in again.messages)
    assert len(Gazetteer.load(cache).exact.get("qaryat akhdar")) == 1


class _Stop(Exception):
    pass


class _Interrupt(Progress):
    def __init__(self, after: int):
        self.after, self.updates, self.messages = after, 0, []

    def update(self, done, rows):
        self.updates += 1
        if self.updates == self.after:
            raise _Stop

    def log(self, msg):
        self.messages.append(msg)


def test_generated_dump_import_resumes(tmp_path, cache, monkeypatch):
    files = write_dump(tmp_path / "dump", 3000, seed=5, alt_rows=1000)
    monkeypatch.setattr(imports_mod, "BATCH", 500)
    with pytest.raises(_Stop):
        import_geonames(list(files.values()), cache, progress=_Interrupt(after=3))
    assert (cache / (disk_path(cache).name + ".import")).exists()
    again = _Interrupt(after=-1)
    counts = import_geonames(list(files.values()), cache, progress=again)
    assert any("resuming" in m for m in again.messages)
    assert counts["rows"] < 3000 + 1000 + 300 + 12000        # the first rows were not re-read
    g = Gazetteer.load(cache)
    assert not (cache / (disk_path(cache).name + ".import")).exists()
    con = sqlite3.connect(g.path)
    n = con.execute("SELECT count(*) FROM entries WHERE id BETWEEN ? AND ?",
                    (FIRST_ID, FIRST_ID + 3000)).fetchone()[0]
    kept = sum(1 for line in zipfile.ZipFile(files["places"]).read("allCountries.txt")
               .decode().splitlines() if line.split("\t")[7] in
               {"PPL", "PPLX", "ADM1", "ADM2", "ADM3", "ADM4", "STM", "WAD", "HLL", "MT", "VAL",
                "MILB", "AIRP", "CMPRF", "AREA", "LCTY", "FRST"})
    assert n == kept
    # every imported point has its admin1 and admin2 names from the dump's code tables
    first = con.execute("SELECT min(id) FROM entries WHERE id BETWEEN ? AND ? AND feat='P'",
                        (FIRST_ID, FIRST_ID + 3000)).fetchone()[0]
    p = g.place(first)
    assert p.admin1 and p.admin2


@pytest.mark.parametrize("content, message", [
    (None, "not found"),
    (b"", "empty"),
    (b"just some text\nmore text\n", "not a GeoNames dump"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
])
def test_bad_files_are_a_clear_error(tmp_path, cache, content, message):
    p = tmp_path / "allCountries.txt"
    if content is not None:
        p.write_bytes(content)
    before = disk_path(cache).stat().st_mtime_ns
    with pytest.raises(GeoNamesFileError, match=message):
        import_geonames([p], cache)
    assert disk_path(cache).stat().st_mtime_ns == before      # nothing imported


def test_a_zip_without_a_dump(tmp_path, cache):
    z = tmp_path / "XX.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(GeoNamesFileError, match="no GeoNames .txt dump"):
        import_geonames([z], cache)


def test_cli_import_errors_exit_non_zero(tmp_path, cache, monkeypatch):
    from typer.testing import CliRunner

    from sitrep.cli import app
    monkeypatch.setenv("SITREP_CACHE", str(cache))
    bad = tmp_path / "notes.txt"
    bad.write_text("Raqqa is a city\n")
    r = CliRunner().invoke(app, ["gazetteer", "import", str(bad)])
    assert r.exit_code == 1 and "not a GeoNames dump" in " ".join(r.output.split())
    assert "Traceback" not in r.output
    r = CliRunner().invoke(app, ["gazetteer", "import", str(tmp_path / "missing.zip")])
    assert r.exit_code == 1 and "not found" in " ".join(r.output.split())
    good = tmp_path / "SO.txt"
    good.write_text(row(93000001, "Buulo Mareer Yar", [], 1.9, 44.5, "P", "PPL", "SO", "14"))
    r = CliRunner().invoke(app, ["gazetteer", "import", str(good)])
    assert r.exit_code == 0, r.output
    assert "imported 1 places" in " ".join(r.output.split())
    assert Gazetteer.load(cache).lookup("Buulo Mareer Yar")[0].country_code == "SO"


def _tables(path) -> dict:
    """Every table's rows, order aside (name keys come from sets: their rowids vary)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    out = {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
           for t in ("entries", "names", "folds", "alt", "admin1", "admin2")}
    out["meta"] = sorted(r for r in con.execute("SELECT k, v FROM meta")
                         if r[0] not in ("build_seconds", "imported"))
    con.close()
    return out


def test_worker_processes_build_the_same_index(tmp_path, disk, monkeypatch):
    """Parsing in worker processes (while this one writes SQLite) gives the index that one
    process gives, and the rows really are parsed in the workers."""
    import multiprocessing
    import os

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the parse guard below needs forked workers")
    files = write_dump(tmp_path / "dump", 20000, seed=11, alt_rows=6000)
    monkeypatch.setattr(imports_mod, "CHUNK", 1500)        # many pieces, some in flight
    monkeypatch.setattr(imports_mod, "BATCH", 6000)
    caches = {}
    for workers in (0, 2):
        d = tmp_path / f"cache{workers}"
        d.mkdir()
        shutil.copyfile(disk.path, disk_path(d))
        caches[workers] = d
    one = import_geonames(list(files.values()), caches[0], workers=0)

    real, parent = imports_mod.parse_rows, os.getpid()

    def parse_rows(kind, blob):
        assert os.getpid() != parent, "parsed in the writing process"
        return real(kind, blob)

    parse_rows.__qualname__ = "parse_rows"       # pickled by name to the (forked) workers
    parse_rows.__module__ = imports_mod.__name__
    monkeypatch.setattr(imports_mod, "parse_rows", parse_rows)
    many = import_geonames(list(files.values()), caches[2], workers=2)
    assert many["workers"] == 2 and one["workers"] == 0
    for k in ("places", "altnames", "admin1", "admin2", "rows"):
        assert one[k] == many[k], k
    a, b = _tables(disk_path(caches[0])), _tables(disk_path(caches[2]))
    assert len(a["entries"]) > len(disk) and a["names"] and a["folds"]
    for t in a:
        assert a[t] == b[t], t


def test_worker_import_resumes(tmp_path, cache, disk, monkeypatch):
    """Interrupted with pieces in flight in the workers, the import resumes from its last
    commit and ends with the index of an uninterrupted run."""
    files = write_dump(tmp_path / "dump", 6000, seed=7, alt_rows=2000)
    monkeypatch.setattr(imports_mod, "CHUNK", 250)
    monkeypatch.setattr(imports_mod, "BATCH", 500)
    with pytest.raises(_Stop):
        import_geonames(list(files.values()), cache, progress=_Interrupt(after=30), workers=2)
    again = _Interrupt(after=-1)
    counts = import_geonames(list(files.values()), cache, progress=again, workers=2)
    assert any("resuming" in m for m in again.messages)
    assert counts["rows"] < 6000 + 2000 + 300 + 12000
    whole = tmp_path / "whole"
    whole.mkdir()
    shutil.copyfile(disk.path, disk_path(whole))
    import_geonames(list(files.values()), whole, workers=0)
    a, b = _tables(disk_path(cache)), _tables(disk_path(whole))
    for t in a:
        assert a[t] == b[t], t


def test_fold_many_folds_each_key_as_fold_does(memory):
    from sitrep.geo.normalize import fold, fold_many, is_latin_key

    keys = [k for k in memory.exact if is_latin_key(k)]
    rng = random.Random(2)
    letters = "abcdeghiklnoqrstuwxyz0 "
    for _ in range(20000):                  # articles, digraphs and doubles at the edges
        k = " ".join("".join(rng.choice(letters) for _ in range(rng.randint(1, 9))).split())
        keys.append(k or "a")
    keys += ["al lladhiqiyah", "ezzor", "a", "kh", "hh", "ss s", "deir ezzor", "ashshaddadi"]
    assert fold_many(keys) == [fold(k) for k in keys]
    assert fold_many([]) == []


def test_disk_columns_read_through_their_cache(disk, monkeypatch):
    """``gaz.feat[i]`` and the other fields: the row's values, for int and numpy ids, also
    after the column's cache was emptied."""
    import numpy as np

    from sitrep.geo import index as index_mod

    monkeypatch.setattr(index_mod, "ROW_CACHE", 8)
    g = DiskGazetteer(disk.path)
    con = sqlite3.connect(f"file:{disk.path}?mode=ro", uri=True)
    ids = [r[0] for r in con.execute("SELECT id FROM entries ORDER BY random() LIMIT 50")]
    for _ in range(2):
        for i in ids:
            gid, name, lat, lon, cc, a1, feat = con.execute(
                "SELECT gid, name, lat, lon, cc, a1, feat FROM entries WHERE id=?",
                (i,)).fetchone()
            for j in (i, np.int64(i)):
                assert (g.gid[j], g.names[j], g.lat[j], g.lon[j], g.cc[j], g.a1[j],
                        g.feat[j]) == (gid, name, lat, lon, cc, a1, feat)
    assert all(len(c) <= 8 for c in (g.gid, g.names, g.feat))
    with pytest.raises(IndexError):
        g.feat[-5]
    g.close()
    con.close()


def test_name_caches_do_not_change_the_ranking(memory, monkeypatch):
    """The lookups' caches of normalised names give the candidates the uncached functions give."""
    from sitrep.geo import gazetteer as gaz_mod
    from sitrep.geo import resolve as resolve_mod
    from sitrep.geo.normalize import fold, normalize
    from sitrep.geo.resolve import scored_candidates

    names = ["Raqqa", "Deir Ezzor", "Tripoli", "Idlib province", "Kidal", "Homs city", "Beni"]
    names += memory.sample_names(200, random.Random(9))
    queries = [(n, kw) for n in names for kw in ({}, {"country": "SY"},
                                                 {"admin_context": ["Borno"]})]

    def run():
        return [(memory.candidates(n, country=kw.get("country")),
                 scored_candidates(n, memory, **kw)) for n, kw in queries]

    cached = run()
    again = run()                                  # warm caches
    monkeypatch.setattr(gaz_mod, "_norm", normalize)
    monkeypatch.setattr(gaz_mod, "_fold", fold)
    monkeypatch.setattr(resolve_mod, "_norm", normalize)
    assert run() == cached == again
