"""The `sitrep` command in a terminal and in pipes: text printed literally (never as Rich
markup), tables that fit, machine formats, honest limits and progress, read commands that
never create a database, and optional parts that say what to install."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import sitrep.scale.engine  # noqa: F401  (imported with Dask present, before tests hide it)
from sitrep import cli
from sitrep.cli import app
from sitrep.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "src" / "sitrep" / "examples"
TWO = ("somalia-mogadishu-suicide-bombing", "kenya-saba-saba-protests")


def invoke(*args, **env):
    """Run the command in this process; wide output (COLUMNS=400) unless COLUMNS is given,
    so that long messages are not wrapped."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "400", **env})


def flat(text: str) -> str:
    """Output with Rich's line wrapping undone."""
    return " ".join(text.split())


def run(*args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "sitrep.cli", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=600)


def copy_examples(folder: Path, names=TWO) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        for suffix in (".txt", ".meta.json"):
            (folder / f"{name}{suffix}").write_bytes((EXAMPLES / f"{name}{suffix}").read_bytes())
    return folder


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory) -> Path:
    """Every bundled example, extracted and merged."""
    db = tmp_path_factory.mktemp("examples") / "ex.db"
    r = invoke("extract", EXAMPLES, "--db", db, "--quiet")
    assert r.exit_code == 0, r.output
    return db


# ---------------------------------------------------------------------- item 7: markup
MARKUP_TITLE = "Raid [/dim] near [bold]Gao[/bold] market"
MARKUP_TEXT = ("On 3 May 2021, unidentified gunmen killed two farmers near the market in Gao, "
               "Mali, residents said [/dim] on the radio.")


@pytest.fixture(scope="module")
def markup_db(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("markup")
    src = d / "in.jsonl"
    src.write_text(json.dumps({"title": MARKUP_TITLE, "published": "2021-05-04",
                               "text": MARKUP_TEXT}) + "\n", encoding="utf-8")
    r = invoke("extract", src, "--db", d / "m.db", "--quiet")
    assert r.exit_code == 0, r.output
    return d / "m.db"


def test_document_title_with_markup_is_printed_literally(markup_db):
    r = invoke("events", "--db", markup_db, "--sources", COLUMNS="200")
    assert r.exit_code == 0, r.output
    assert MARKUP_TITLE in r.output          # not a MarkupError, not swallowed as style tags


def test_skipped_file_names_are_printed_literally(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "notes [bold]draft[red] v2.txt").write_bytes(b"")
    (folder / "good.txt").write_text("On 3 May 2021, unidentified gunmen killed two farmers "
                                     "in Gao, Mali.", encoding="utf-8")
    r = invoke("extract", folder, "--db", tmp_path / "s.db", "--quiet")
    assert r.exit_code == 1
    assert "notes [bold]draft[red] v2.txt" in flat(r.output)


def test_bench_messages_with_brackets_are_printed_literally(monkeypatch, capsys):
    from sitrep import bench

    def fake(ctx):
        ctx.log("spaCy baseline skipped: spaCy is not installed (pip install 'sitrep[bench]')")
        return {"note": "install with pip install 'sitrep[bench]'"}

    monkeypatch.setattr(bench, "_load_plugins", lambda: None)
    monkeypatch.setattr(bench, "BENCHES", {"fake": fake})
    assert bench.main(what="fake", n_docs=1) == 0
    out = capsys.readouterr()
    assert "pip install 'sitrep[bench]'" in flat(out.err)
    assert "pip install 'sitrep[bench]'" in flat(out.out)


# ---------------------------------------------------------------------- item 8: extras
def test_dask_engine_without_the_extra_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)     # as if not installed
    folder = copy_examples(tmp_path / "in", TWO[:1])
    r = invoke("extract", folder, "--engine", "dask", "--db", tmp_path / "s.db")
    assert r.exit_code == 2, r.output
    assert isinstance(r.exception, SystemExit)                # no traceback
    assert "pip install 'sitrep[scale]'" in flat(r.output)


def test_bench_scale_without_the_extra_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    r = invoke("bench", "scale", "--docs", "5")
    assert r.exit_code == 1, r.output
    assert isinstance(r.exception, SystemExit)
    assert "pip install 'sitrep[scale]'" in flat(r.output)
    assert "Traceback" not in r.output


def test_dask_engine_merges_like_the_local_engine(tmp_path):
    pytest.importorskip("distributed")
    folder = copy_examples(tmp_path / "in", (*TWO, "syria-idlib-airstrikes"))
    r = invoke("extract", folder, "--db", tmp_path / "local.db", "--quiet")
    assert r.exit_code == 0, r.output
    r = invoke("extract", folder, "--engine", "dask", "--workers", "1", "--db",
               tmp_path / "dask.db")
    assert r.exit_code == 0, r.output
    from sitrep.merge import canonical_events

    def merged(db):
        with Store(db) as st:
            return sorted((e["id"], e["n_sources"]) for e in canonical_events(st))

    local = merged(tmp_path / "local.db")
    assert local and merged(tmp_path / "dask.db") == local
    assert re.search(rf"merged_events\s*│\s*{len(local)}\b", r.output), r.output


def test_gazetteer_import_of_a_missing_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SITREP_CACHE", str(tmp_path / "cache"))
    r = invoke("gazetteer", "import", tmp_path / "missing.txt")
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit)
    assert "missing.txt: not found" in flat(r.output)


def test_gazetteer_import_of_a_file_that_is_not_geonames(tmp_path, monkeypatch):
    monkeypatch.setenv("SITREP_CACHE", str(tmp_path / "cache"))
    notes = tmp_path / "places.txt"
    notes.write_text("Gao, Mali\nMenaka, Mali\n", encoding="utf-8")
    r = invoke("gazetteer", "import", notes)
    assert r.exit_code == 1, r.output
    assert "not a GeoNames dump" in flat(r.output) and "imported" not in r.output
    assert not (tmp_path / "cache" / "overlay").exists()          # nothing written
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    r = invoke("gazetteer", "import", empty)
    assert r.exit_code == 1 and "empty" in flat(r.output)


# ---------------------------------------------------------------------- item 10: watchlists
WATCH_KEY_ORDER = ("name", "country", "admin1", "admin2", "actor", "event_type",
                   "sub_event_type", "point", "min_count", "window_days")
POINT_KEYS = ("lat", "lon", "radius_km")


def test_watchlist_keys_are_the_ones_the_code_reads():
    from sitrep.watch import detect

    assert set(WATCH_KEY_ORDER) == detect.WATCH_KEYS


def test_unknown_watchlist_key_lists_the_valid_keys(tmp_path):
    from sitrep.watch.alerts import load_watchlists

    wl = tmp_path / "w.yaml"
    wl.write_text("- name: north\n  region: Borno\n", encoding="utf-8")
    with pytest.raises(ValueError) as e:
        load_watchlists(wl)
    msg = str(e.value)
    assert "region" in msg and "valid keys" in msg
    assert all(k in msg for k in (*WATCH_KEY_ORDER, *POINT_KEYS))
    r = invoke("alerts", "--watchlist", wl, "--db", tmp_path / "x.db")
    assert r.exit_code == 2 and "valid keys: name, country" in flat(r.output)
    assert "point (lat, lon, radius_km)" in flat(r.output)        # brackets shown literally


def test_watchlist_format_is_documented():
    from sitrep.watch.alerts import load_watchlists

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Watchlists", 1)[1].split("\n## ", 1)[0]
    assert all(f"`{k}`" in section for k in WATCH_KEY_ORDER)
    assert all(k in section for k in POINT_KEYS)
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    p = ROOT / "tests" / ".readme-watchlist.yaml"
    try:
        p.write_text(example, encoding="utf-8")
        assert len(load_watchlists(p)) == 2                       # README's example is valid
    finally:
        p.unlink(missing_ok=True)
    r = invoke("alerts", "--help", COLUMNS="200")
    help_text = flat(r.output)
    for k in (*WATCH_KEY_ORDER, *POINT_KEYS):
        assert k in help_text, k


# ---------------------------------------------------------------------- item 11: terminal
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def incidents(st, limit=None) -> list[dict]:
    """What `sitrep events` lists by default: the merged incidents, by date then id."""
    from sitrep.merge import canonical_events

    return list(canonical_events(st, limit=limit))


def test_events_table_at_80_columns_in_a_pipe_keeps_dates_whole(examples_db):
    r = run("events", "--db", examples_db, env_extra={"COLUMNS": "80"})
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    rows = [line for line in lines if line.startswith("│") and DATE.search(line)]
    assert len(rows) == 50
    assert not re.search(r"\d{4}-\d*…", r.stdout)             # no "2019-1…"
    with Store(examples_db) as st:
        want = [e["event_date"] for e in incidents(st, limit=50)]
    assert [DATE.search(line).group() for line in rows] == want


def test_events_table_ids_whole_when_wide(examples_db):
    r = invoke("events", "--db", examples_db, "--limit", "5", COLUMNS="130")
    assert r.exit_code == 0, r.output
    with Store(examples_db) as st:
        ids = [e["id"] for e in incidents(st, limit=5)]
    assert all(i in r.output for i in ids)
    assert all(len(line) <= 130 for line in r.output.splitlines())


def test_events_csv_and_json_for_pipes(examples_db):
    r = invoke("events", "--db", examples_db, "--format", "csv", "--limit", "0")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    with Store(examples_db) as st:
        merged = incidents(st)
        stored = list(st.iter_events())
    assert [x["sitrep_id"] for x in rows] == [e["id"] for e in merged]
    assert [x["event_date"] for x in rows] == [e["event_date"] or "" for e in merged]
    r = invoke("events", "--db", examples_db, "--format", "csv", "--limit", "0", "--reports")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["sitrep_id"] for x in rows] == [e["id"] for e in stored]
    assert len(stored) > len(merged)
    r = invoke("events", "--db", examples_db, "--format", "json", "--limit", "3",
               "--sources")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert len(data) == 3 and all(d["sources"] and d["event_date"] for d in data)
    r = invoke("events", "--db", examples_db, "--format", "yaml")
    assert r.exit_code == 2 and "table, csv or json" in flat(r.output)


def test_limit_says_how_many_are_hidden(examples_db):
    with Store(examples_db) as st:
        total = len(incidents(st))
    assert total > 5
    r = invoke("events", "--db", examples_db, "--limit", "5")
    assert r.exit_code == 0
    assert f"showing 5 of {total} events" in flat(r.output)
    r = invoke("events", "--db", examples_db, "--limit", "0")
    assert f"{total} events" in r.output and "showing" not in r.output
    r = invoke("events", "--db", examples_db, "--limit", "5", "--format", "csv")
    assert f"showing 5 of {total} events" in flat(r.stderr)
    assert len(list(csv.DictReader(io.StringIO(r.stdout)))) == 5


def test_type_filter_is_case_insensitive(examples_db):
    def ids(*args):
        r = invoke("events", "--db", examples_db, "--format", "json", "--limit", "0", *args)
        assert r.exit_code == 0, r.output
        return [d["sitrep_id"] for d in json.loads(r.stdout)]

    riots = ids("--type", "Riots")
    assert riots and ids("--type", "riots") == riots == ids("--type", "RIOTS")
    sub = ids("--sub-type", "Armed clash")
    assert sub and ids("--sub-type", "armed CLASH") == sub
    r = invoke("events", "--db", examples_db, "--type", "riot")
    assert r.exit_code == 2 and "Riots" in r.output and "Battles" in r.output


def test_export_accepts_csv_and_acled_csv(examples_db, tmp_path):
    a = invoke("export", "--db", examples_db, "--format", "csv")
    b = invoke("export", "--db", examples_db, "--format", "acled-csv")
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout and a.stdout.startswith("event_id_cnty,event_date,year")
    assert invoke("export", "--db", examples_db).stdout == a.stdout     # csv by default


@pytest.mark.parametrize("command", [["events"], ["events", "--sources"], ["export"],
                                     ["export", "--merged"], ["serve"], ["alerts"],
                                     ["merge"]])
def test_read_commands_never_create_a_database(tmp_path, command, monkeypatch):
    import uvicorn

    def no_server(*a, **k):
        raise AssertionError("started a server on a database that does not exist")

    monkeypatch.setattr(uvicorn, "run", no_server)
    db = tmp_path / "typo" / "sitrep.db"
    r = invoke(*command, "--db", db)
    assert r.exit_code == 2, r.output
    assert isinstance(r.exception, SystemExit)
    assert f"no database at {db}; run sitrep extract first" in flat(r.output)
    assert not (tmp_path / "typo").exists()
    # nor through the default database
    r = invoke(*command, SITREP_DB=str(tmp_path / "default.db"))
    assert r.exit_code == 2 and not (tmp_path / "default.db").exists()


def test_events_sources_does_not_write(tmp_path):
    folder = copy_examples(tmp_path / "in")
    db = tmp_path / "s.db"
    r = invoke("extract", folder, "--db", db, "--quiet", "--no-merge")
    assert r.exit_code == 0, r.output
    def tables() -> set[str]:
        with sqlite3.connect(db) as conn:
            return {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}

    def merged_rows() -> int:
        if "event_reports" not in tables():
            return 0
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM event_reports").fetchone()[0]

    before = tables()
    for args in (["events", "--sources"], ["export", "--merged"]):
        r = invoke(*args, "--db", db)
        assert r.exit_code == 0, r.output
        assert "not merged yet" in flat(r.output) and "sitrep merge" in flat(r.output)
    assert merged_rows() == 0                               # nothing merged behind our back
    assert tables() == before
    assert invoke("merge", "--db", db, "-q").exit_code == 0
    r = invoke("events", "--db", db, "--sources", COLUMNS="200")
    assert "not merged yet" not in r.output and "sources" in r.output


def test_a_file_that_is_not_a_database(tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_text("", encoding="utf-8")
    r = invoke("events", "--db", notes)
    assert r.exit_code == 2 and "no Sitrep database at" in flat(r.output)


def test_empty_folder_says_no_documents(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = invoke("extract", empty, "--db", tmp_path / "s.db")
    assert r.exit_code == 1
    assert f"no documents found in {empty}" in flat(r.output)
    assert not (tmp_path / "s.db").exists()


def test_bench_help_lists_every_bench():
    from sitrep import bench

    bench._load_plugins()
    assert {"merge", "serve", "scale"} <= set(bench.BENCHES)
    r = invoke("bench", "--help", COLUMNS="200")
    assert r.exit_code == 0
    assert all(name in r.output for name in bench.BENCHES)


def test_readme_demo_uses_the_default_database():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.S)
    first = blocks[0].strip()
    assert len(first.splitlines()) == 1 and len(blocks[1].strip().splitlines()) == 1
    assert "sitrep extract src/sitrep/examples" in first and "sitrep events" in first
    assert "--db" not in first                         # `sitrep serve` then shows the same


def test_progress_has_a_total_the_merge_phase_and_the_index_build(tmp_path, monkeypatch):
    from sitrep.geo import gazetteer

    out = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=out, force_terminal=True, width=150))
    monkeypatch.setattr(gazetteer, "index_is_built", lambda cache_dir_=None: False,
                        raising=False)
    folder = copy_examples(tmp_path / "in")
    r = invoke("extract", folder, "--db", tmp_path / "s.db")
    assert r.exit_code == 0, r.output
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())
    assert "building the place index, about 20 s, once" in text
    assert re.search(r"extract .*2/2", text)            # a known total
    assert "eta" in text
    assert "merging the events of 2 documents" in text


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path, monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=out, force_terminal=False, width=150))
    folder = copy_examples(tmp_path / "in")
    r = invoke("extract", folder, "--db", tmp_path / "s.db")
    assert r.exit_code == 0, r.output
    assert "eta" not in out.getvalue() and "documents read" in out.getvalue()


def test_evaluate_prints_gold_and_predicted_text_literally():
    from dataclasses import replace

    from sitrep.evaluate import evaluate, load_gold, print_report

    items = load_gold(ROOT / "tests" / "data" / "tiny_gold.jsonl")
    items = [replace(i, source="[bold]acled") for i in items]

    class Pipe:
        def run_text(self, text, published=None, doc_id=None, url="", title=""):
            from sitrep.models import Event

            return [Event(doc_id=doc_id, event_type="Riots", sub_event_type="Mob violence",
                          actor1="Rioters [/dim] (Otherland)", country="Otherland")]

    console = Console(record=True, width=300)
    print_report(evaluate(items, Pipe()), console, errors=5)
    out = console.export_text()
    assert "Rioters [/dim] (Otherland)" in out          # not a MarkupError
    assert "[[bold]acled]" in out                          # the source, in brackets


def test_every_command_and_option_is_in_readmes_table():
    """README's command table names every command and every option it takes (--db is
    documented once for all commands, under the table); a new flag without a line fails."""
    import typer

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {m.group(1): line for line in readme.splitlines()
            if (m := re.match(r"\| `sitrep ([a-z]+(?: [a-z]+)?)[ `]", line))}
    assert "`--db`" in readme and "override it" in readme
    missing = []

    def walk(group, prefix=""):
        for name, c in group.commands.items():
            full = f"{prefix} {name}".strip()
            if hasattr(c, "commands"):
                walk(c, full)
                continue
            row = rows.get(full)
            if row is None:
                missing.append(full)
                continue
            for p in c.params:
                opts = [o for o in p.opts + p.secondary_opts if o.startswith("--")]
                if getattr(p, "hidden", False) or not opts or "--db" in opts:
                    continue
                if not any(re.search(re.escape(o) + r"(?![\w-])", row) for o in opts):
                    missing.append(f"{full} {opts[0]}")

    walk(typer.main.get_command(cli.app))
    assert not missing, f"not in README's command table: {missing}"
