"""The `sitrep` command on real files: bad inputs are reported, good ones all stored."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import conftest_pg

from sitrep.store import Store

shared_db_url = conftest_pg.shared_db_url    # fixture: a SQLite file, or PostgreSQL

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "sitrep" / "examples"


def run(*args, env_extra=None, stdin=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "sitrep.cli", *args], capture_output=True,
                          text=True, env=env, input=stdin, timeout=600)


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("sitrep ")


def test_folder_with_bad_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "latin1.txt").write_bytes("Soldats tu\xe9s \xe0 Gao ".encode("latin-1") * 200
                                        + b"\xff\xfe\xfa" * 400)
    with open(folder / "huge.txt", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    good = [
        "On 3 May 2021, unidentified gunmen killed two farmers in Gao, Mali.",
        "Police arrested 12 protesters in Nairobi on 7 July 2021 after a march against taxes.",
    ]
    for i, t in enumerate(good):
        (folder / f"good{i}.txt").write_text(t, encoding="utf-8")
    db = tmp_path / "s.db"
    r = run("extract", str(folder), "--db", str(db), "--quiet")
    assert r.returncode == 1, r.stderr          # some inputs failed
    for name in ("empty.txt", "binary.txt", "latin1.txt", "huge.txt"):
        assert name in r.stderr, r.stderr
    with Store(db) as st:
        assert st.counts()["documents"] == 2
        events = list(st.iter_events())
    assert {e["country"] for e in events} >= {"Mali", "Kenya"}


def test_ingest_is_idempotent_and_exports(tmp_path):
    db = tmp_path / "s.db"
    for _ in range(2):
        r = run("extract", str(EXAMPLES), "--db", str(db), "--quiet")
        assert r.returncode == 0, r.stderr
    with Store(db) as st:
        n_docs = st.counts()["documents"]
    assert n_docs == len(list(EXAMPLES.glob("*.txt")))
    out = tmp_path / "events.csv"
    r = run("export", "--db", str(db), "--format", "acled-csv", "--output", str(out))
    assert r.returncode == 0, r.stderr
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:3] == ["event_id_cnty", "event_date", "year"]
    r = run("export", "--db", str(db), "--format", "geojson")
    gj = json.loads(r.stdout)
    assert gj["type"] == "FeatureCollection" and gj["features"]
    r = run("export", "--db", str(db), "--format", "acled-csv", "--merged")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split(",")[:3] == ["event_id_cnty", "event_date", "year"]
    assert 1 < len(lines) <= len(out.read_text(encoding="utf-8").splitlines())
    # merged events with their sources (extract merges automatically)
    r = run("events", "--db", str(db), "--sources", "--limit", "5", env_extra={"COLUMNS": "200"})
    assert r.returncode == 0, r.stderr
    assert "sources" in r.stdout and "report:" in r.stdout


def test_stdin_jsonl(tmp_path):
    line = json.dumps({"url": "https://example.org/a", "title": "t", "published": "2021-05-04",
                       "text": "Yesterday, Al Shabaab militants attacked a police station in "
                               "Baidoa, killing three officers."})
    db = tmp_path / "s.db"
    r = run("extract", "-", "--db", str(db), "--quiet", stdin=line + "\n")
    assert r.returncode == 0, r.stderr
    with Store(db) as st:
        (ev,) = list(st.iter_events())
    assert ev["event_date"] == "2021-05-03" and ev["fatalities"] == 3
    assert ev["actor1"] == "Al Shabaab" and ev["country"] == "Somalia"


# ---------------------------------------------------------------------- dates and metadata
SYRIA = ("Clashes near Saraqib\n\nSyrian government forces clashed with rebel fighters near "
         "Saraqib on Friday, killing four fighters, a monitor said.")
NAIROBI = ("Traders protest in Nairobi\n\nHundreds of traders have protested outside "
           "parliament in Nairobi since December against a market levy, organisers said.")


def _events(db: str) -> list[tuple]:
    with Store(db) as st:
        return sorted((e["doc_id"], e["event_date"], e["actor1"], e["sub_event_type"])
                      for e in st.iter_events())


def _merged(db: str) -> list[tuple]:
    from sitrep.merge import canonical_events

    with Store(db) as st:
        return sorted((e["event_date"], e["actor1"]) for e in canonical_events(st))


def test_reingest_without_date_file_keeps_the_known_date(tmp_path, shared_db_url):
    db = shared_db_url
    dated = tmp_path / "dated"
    dated.mkdir()
    (dated / "saraqib.txt").write_text(SYRIA, encoding="utf-8")
    (dated / "saraqib.meta.json").write_text(json.dumps({"published": "2019-03-05",
                                                        "source": "Monitor"}))
    r = run("extract", str(dated), "--db", db, "--quiet")
    assert r.returncode == 0, r.stderr
    before, merged_before = _events(db), _merged(db)
    assert [e[1] for e in before] == ["2019-03-01"]       # the Friday before publication
    assert "(2000-2024)" in before[0][2]                   # the regime of that date
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "copy.txt").write_text(SYRIA, encoding="utf-8")   # same text, no date file
    for flags in ([], ["--published", "2026-06-01"]):   # a fallback never beats it either
        r = run("extract", str(bare / "copy.txt"), "--db", db, "--quiet", *flags)
        assert r.returncode == 0, r.stderr
        assert "no publication date" not in r.stderr
        assert _events(db) == before and _merged(db) == merged_before
    with Store(db) as st:
        (d,) = [st.get_document(i) for i in {e[0] for e in before}]
        assert d.published == date(2019, 3, 5) and d.source_name == "Monitor"


def _warnings(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if "no publication date" in ln]


def test_undated_documents_resolve_into_the_past_with_one_warning(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(SYRIA, encoding="utf-8")
    (folder / "b.txt").write_text(NAIROBI, encoding="utf-8")
    (folder / "c.txt").write_text(SYRIA.replace("four", "five"), encoding="utf-8")
    (folder / "c.meta.json").write_text(json.dumps({"published": "2019-03-05"}))
    (folder / "d.txt").write_text(SYRIA, encoding="utf-8")     # a.txt again: counted once
    db = str(tmp_path / "s.db")
    r = run("extract", str(folder), "--db", db, "--quiet")
    assert r.returncode == 0, r.stderr
    (line,) = _warnings(r.stderr)
    assert line.startswith("warning: 2 documents had no publication date;"), line
    day = date.fromisoformat(re.search(r"ingest date (\d{4}-\d\d-\d\d)", line).group(1))
    evs = _events(db)
    # one event of each undated document (a list: on a Friday, "on Friday" is the ingest
    # day itself, the day the Nairobi protest takes too)
    dated = [e[1] for e in evs if e[1] and not e[1].startswith("2019")]
    assert len(evs) == 3 and len(dated) == 2, evs
    assert all(date.fromisoformat(d) <= day for d in dated), (day, evs)
    # stdin without --published: the same, one line
    r = run("extract", "-", "--db", db, "--quiet",
            stdin=NAIROBI.replace("Hundreds", "Dozens"))
    assert r.returncode == 0, r.stderr
    (line,) = _warnings(r.stderr)
    assert line.startswith("warning: 1 document had no publication date;"), line
    assert all(date.fromisoformat(e[1]) <= day for e in _events(db) if e[1])
