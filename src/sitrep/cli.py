"""The `sitrep` command: wires ingest -> extract -> geo -> store, and the tools around them."""

from __future__ import annotations

import logging
import sys
import time
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from . import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Sitrep: conflict news in, ACLED-coded events with evidence out.")
gaz_app = typer.Typer(no_args_is_help=True, help="Manage the offline gazetteer.")
app.add_typer(gaz_app, name="gazetteer")
err = Console(stderr=True)


def _version(value: bool):
    if value:
        print(f"sitrep {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")):
    pass


def _parse_date(value: str | None, option: str = "--published") -> date | None:
    """A YYYY-MM-DD option value as a date; anything else is a usage error (exit 2)."""
    from .models import parse_day

    if not value:
        return None
    try:
        return parse_day(value)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint=option) from e


def _store(db: str | None):
    from .store import Store, default_db_path

    return Store(db or default_db_path())


def _existing_store(db: str | None):
    """The database a command that only reads names: it must exist (a typo in --db must not
    create an empty one)."""
    from .store import NoDatabase, Store, default_db_path

    try:
        return Store(db or default_db_path(), create=False)
    except NoDatabase as e:
        err.print(f"[red]{escape(str(e))}[/red]")
        raise typer.Exit(2) from None


def _progress(quiet: bool) -> Progress:
    """Progress on stderr, shown only when stderr is a terminal: total, ETA, current item."""
    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"),
                    TimeRemainingColumn(), TextColumn("{task.fields[name]}", markup=False),
                    console=err, disable=quiet or not err.is_terminal, transient=True)


def _choice(value: str | None, valid, what: str) -> str | None:
    """``value`` in its canonical spelling (case-insensitive), or a BadParameter listing the
    valid values."""
    if not value:
        return value
    by_fold = {v.casefold(): v for v in valid}
    got = by_fold.get(value.strip().casefold())
    if got is None:
        raise typer.BadParameter(f"unknown {what} {value!r}; use one of: "
                                 f"{', '.join(valid)} (any case)")
    return got


@app.command()
def extract(
    paths: list[str] = typer.Argument(..., help="Files, folders, .jsonl, .html, RSS/Atom "
                                      "feeds, http(s) URLs, or - for stdin."),
    published: str | None = typer.Option(None, help="Publication date (YYYY-MM-DD) where a "
                                            "source (or a stored copy) gives none; relative "
                                            "dates resolve to it. Without it, undated "
                                            "documents resolve against their ingest date."),
    db: str | None = typer.Option(None, help="Database path or URL (default: SITREP_DB or "
                                     "the user data directory)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or table."),
    engine: str = typer.Option("local", help="local | dask: map extraction over a Dask "
                               "cluster (results identical to local)."),
    scheduler: str | None = typer.Option(None, help="Dask scheduler address (default: "
                                            "a local cluster of --workers processes)."),
    workers: int = typer.Option(2, help="Workers of the local Dask cluster."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Allow fetching "
                                       "loopback/private/link-local URLs."),
    merge: bool = typer.Option(True, "--merge/--no-merge", help="Merge reports of the same "
                               "event across documents after extraction."),
):
    """Ingest articles, code their events and store both."""
    from .ingest import IngestError, count_inputs
    from .pipeline import Pipeline

    pub = _parse_date(published)
    if engine not in ("local", "dask"):
        raise typer.BadParameter(f"unknown engine {engine!r}; use local or dask")
    expected = count_inputs(paths)
    if expected == 0:           # only empty folders: say so, and create no database
        err.print(f"[red]no documents found in {escape(', '.join(paths))}[/red]")
        raise typer.Exit(1)
    if engine == "dask":
        from .scale import DaskMissing, run_dask

        try:
            summary = run_dask(paths, pub, db, scheduler=scheduler, n_workers=workers,
                               merge_events=merge)
        except DaskMissing as e:
            err.print(f"[red]{escape(str(e))}[/red]")
            raise typer.Exit(2) from None
        if not quiet:
            t = Table(title="sitrep extract (dask)")
            t.add_column("what")
            t.add_column("value", justify="right")
            for k in ("partitions", "documents", "new_documents", "events", "merged_events",
                      "workers", "seconds", "docs_per_s"):
                t.add_row(k, escape(str(summary.get(k))))
            err.print(t)
        for path, reason in summary.get("failures") or []:
            err.print(f"[red]skipped[/red] {escape(str(path))}: {escape(str(reason))}")
        if not summary.get("documents") and not summary.get("failures"):
            err.print(f"[red]no documents found in {escape(', '.join(paths))}[/red]")
            raise typer.Exit(1)
        raise typer.Exit(1 if summary.get("failures") else 0)
    from .scale.stream import extract_to_store

    store = _store(db)
    pipe = Pipeline()
    progress = _progress(quiet)
    with progress:
        if pipe.use_geo:
            from .geo.gazetteer import index_is_built

            if not index_is_built():     # the first run builds the gazetteer index
                note = "building the place index, about 20 s, once"
                if not quiet and progress.disable:
                    err.print(f"{note} ...")
                g = progress.add_task(note, total=None, name="")
                progress.refresh()
                _ = pipe.gazetteer
                progress.remove_task(g)
        task = progress.add_task("extract", total=expected, name="")

        def advance(item) -> None:
            if isinstance(item, IngestError):
                progress.advance(task)
                return
            progress.update(task, advance=1, description="extract",
                            name=Path(item.path).name[:40] if item.path else item.id)

        def merging(n: int) -> None:
            progress.update(task, description=f"merging the events of {n} documents")
            progress.refresh()

        # documents and events are written (and merged) a batch at a time: memory stays flat
        summary = extract_to_store(paths, store, pipe, published=pub,
                                   allow_private=allow_private or None, merge=merge,
                                   on_item=advance, on_merge=merging)
        if merge and summary["documents"]:
            from .api.review import reapply_stored_reviews

            reapply_stored_reviews(store)     # a recomputed incident keeps its corrections
    n_docs, n_new, n_events = (summary["documents"], summary["new_documents"],
                               summary["events"])
    by_type, failures = summary["by_type"], summary["failures"]
    merged_total = summary["canonical_total"]
    elapsed = summary["seconds"]
    if not quiet:
        t = Table(title="sitrep extract")
        t.add_column("what")
        t.add_column("count", justify="right")
        t.add_row("documents read", str(n_docs))
        t.add_row("new documents stored", str(n_new))
        t.add_row("events coded", str(n_events))
        for k, v in sorted(by_type.items()):
            t.add_row(f"  {k}", str(v))
        if merged_total is not None:
            t.add_row("merged events (total)", str(merged_total))
        t.add_row("failed inputs", str(len(failures)))
        t.add_row("seconds", f"{elapsed:.2f}")
        err.print(t)
        err.print(f"database: {escape(store.url)}")
    for path, reason in failures:
        err.print(f"[red]skipped[/red] {escape(str(path))}: {escape(str(reason))}")
    if summary["undated"]:
        err.print(undated_warning(list(summary["undated"].values())), markup=False,
                  highlight=False, soft_wrap=True)
    store.close()
    if not n_docs and not failures:
        err.print(f"[red]no documents found in {escape(', '.join(paths))}[/red]")
        raise typer.Exit(1)
    if failures:
        raise typer.Exit(1)


def undated_warning(days: list[date]) -> str:
    """One line saying how many documents had no publication date and what was assumed."""
    n, lo, hi = len(days), min(days), max(days)
    what = (f"the ingest date {lo.isoformat()}" if lo == hi else
            f"their ingest dates ({lo.isoformat()} to {hi.isoformat()})")
    return (f"warning: {n} document{'s' if n != 1 else ''} had no publication date; relative "
            f"dates were resolved against {what} (give --published or a NAME.meta.json date "
            f"file)")


# Table columns of `sitrep events`: key -> (header, minimum width, fixed). Fixed columns
# (dates, ids, codes) are never wrapped or cut; the others wrap. When the terminal is narrow,
# columns are dropped, never cut: the first five always show, then the optional ones are
# added in their order while they fit.
_EVENT_COLUMNS = {
    "date": ("date", 10, True), "type": ("type / sub-type", 14, False),
    "actor1": ("actor1", 12, False), "location": ("location", 12, False),
    "fat": ("fat.", 4, True), "actor2": ("actor2", 12, False), "id": ("id", 16, True),
    "tp": ("tp", 2, True), "gp": ("gp", 2, True), "claim": ("claim", 9, False),
}
_ALWAYS = ("date", "type", "actor1", "location", "fat")
_OPTIONAL = ("actor2", "id", "tp", "gp", "claim")
_ORDER = ("date", "tp", "id", "type", "actor1", "actor2", "location", "gp", "fat", "claim")


def event_columns(width: int, id_width: int = 16) -> list[str]:
    """The events-table columns that fit ``width`` terminal cells, in display order."""
    def need(cols) -> int:      # cells + 2 padding + 1 border each, 1 border, 2 to spare
        return sum(id_width if c == "id" else _EVENT_COLUMNS[c][1] for c in cols) \
            + 3 * len(cols) + 3

    chosen = list(_ALWAYS)
    for c in _OPTIONAL:
        if need([*chosen, c]) > width:
            break
        chosen.append(c)
    return [c for c in _ORDER if c in chosen]


def _event_cells(r: dict, evidence: bool, sources: bool) -> dict[str, str]:
    """The table cells of one event row, as Rich markup with every stored text escaped."""
    extra = ""
    if evidence:
        extra += "\n" + "\n".join(f"[dim]{escape(str(e['field']))}:[/dim] "
                                   f"{escape(repr(e['text']))}"
                                   for e in r.get("evidence", []))
    if sources:
        extra += f"\n[dim]{r.get('n_sources', len(r.get('sources', [])))} sources[/dim]\n"
        extra += "\n".join(
            f"[dim]{escape(str(s['role']))}:[/dim] "
            f"{escape(str(s.get('outlet') or s.get('title') or s['doc_id']))}"
            for s in r.get("sources", []))
    place = ", ".join(str(x) for x in (r.get("location"), r.get("admin1"), r.get("country"))
                      if x)
    return {
        "date": escape(str(r.get("event_date") or "")),
        "tp": escape(str(r.get("time_precision") or "")),
        "id": escape(str(r.get("id") or "")),
        "type": escape(f"{r.get('event_type')}\n{r.get('sub_event_type')}") + extra,
        "actor1": escape(str(r.get("actor1") or "")),
        "actor2": escape(str(r.get("actor2") or "")),
        "location": escape(place),
        "gp": escape(str(r.get("geo_precision") or "")),
        "fat": escape(str(r.get("fatalities") or 0)),
        "claim": escape(str(r.get("claim_status") or "")),
    }


def _count_events(store, merged: bool, filters: dict) -> int:
    """How many events (stored, or merged) match the filters."""
    from sqlalchemy import func, select

    from .store import event_filters

    if merged:
        from .merge.schema import canonical_events as table
    else:
        from .store.schema import events as table
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)
                            .where(*event_filters(table.c, **filters))).scalar_one()


def _incidents(store, filters: dict, limit: int | None, evidence: bool = False
               ) -> tuple[list[dict], int]:
    """(incidents matching the filters, how many in all), warning on stderr about stored
    reports not merged yet (they are not shown)."""
    from .merge import canonical_events, merge_pending

    pending = merge_pending(store)
    if pending is None:
        rows, total = [], 0
        pending = store.counts()["events"]
    else:
        rows = list(canonical_events(store, **filters, limit=limit))
        total = _count_events(store, True, filters)
        if evidence and rows:
            from .api.query import incident_evidence

            with store.engine.connect() as conn:
                incident_evidence(conn, rows)
    if pending:
        err.print(f"[yellow]{pending} stored report(s) not merged yet (not shown); run sitrep "
                  "merge, or give --reports[/yellow]")
    return rows, total


@app.command()
def events(
    db: str | None = typer.Option(None, help="Database path or URL (default: SITREP_DB or "
                                     "the user data directory)."),
    country: str | None = typer.Option(None, help="Country name or ISO2 code (any case)."),
    event_type: str | None = typer.Option(None, "--type", help="ACLED event type, e.g. "
                                          "riots or Battles (any case)."),
    sub_event_type: str | None = typer.Option(None, "--sub-type", help="ACLED sub-event "
                                              "type, e.g. 'armed clash' (any case)."),
    actor: str | None = typer.Option(None, help="Substring of actor1/actor2."),
    date_from: str | None = typer.Option(None, "--from", help="First date (YYYY-MM-DD)."),
    date_to: str | None = typer.Option(None, "--to", help="Last date (YYYY-MM-DD)."),
    limit: int = typer.Option(50, min=0, help="Show at most N events (0: all)."),
    evidence: bool = typer.Option(False, "--evidence", help="Show the evidence spans."),
    sources: bool = typer.Option(False, "--sources", help="Show the sources of each event."),
    reports: bool = typer.Option(False, "--reports", help="One row per report of one "
                                 "document instead of one per incident (merged across "
                                 "documents)."),
    fmt: str = typer.Option("table", "--format", help="table | csv | json (csv and json "
                            "for pipes: every column, nothing cut)."),
):
    """Print stored incidents (events merged across documents, with their sources) as a
    table; --reports: one row per report."""
    from .models import EVENT_TYPES, SUB_TO_TYPE

    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter(f"unknown format {fmt!r}; use table, csv or json",
                                 param_hint="--format")
    event_type = _choice(event_type, list(EVENT_TYPES), "event type")
    sub_event_type = _choice(sub_event_type, list(SUB_TO_TYPE), "sub-event type")
    filters = dict(country=country, event_type=event_type, sub_event_type=sub_event_type,
                   actor=actor, date_from=_parse_date(date_from, "--from"),
                   date_to=_parse_date(date_to, "--to"))
    store = _existing_store(db)
    try:
        if not reports:
            rows, total = _incidents(store, filters, limit or None, evidence)
        else:
            rows = list(store.iter_events(**filters, limit=limit or None))
            total = _count_events(store, False, filters)
    finally:
        store.close()
    shown = (f"showing {len(rows)} of {total} events (--limit {limit}; --limit 0 for all)"
             if len(rows) < total else f"{total} events")
    if fmt != "table":
        from . import export as ex

        (ex.write_acled_csv if fmt == "csv" else ex.write_json)(rows, sys.stdout)
        if len(rows) < total:
            err.print(shown)
        return
    out = Console()
    id_width = max([len(str(r.get("id") or "")) for r in rows] + [2])
    cols = event_columns(out.width, id_width)
    t = Table(show_lines=evidence or sources)
    for c in cols:
        header, min_width, fixed = _EVENT_COLUMNS[c]
        t.add_column(header, min_width=id_width if c == "id" else min_width, no_wrap=fixed,
                     overflow="ignore" if fixed else "fold")
    for r in rows:
        cells = _event_cells(r, evidence, sources)
        t.add_row(*(cells[c] for c in cols))
    out.print(t)
    out.print(shown)


@app.command()
def export(
    fmt: str = typer.Option("csv", "--format", help="csv (ACLED's columns; also acled-csv) | "
                            "geojson | jsonl"),
    db: str | None = typer.Option(None, help="Database path or URL."),
    output: str | None = typer.Option(None, "--output", "-o", help="File (default stdout)."),
    reports: bool = typer.Option(False, "--reports", help="One row per report of one "
                                 "document instead of one per incident (merged across "
                                 "documents, with its sources: the default)."),
    merged: bool = typer.Option(False, "--merged", hidden=True,
                                help="One row per incident: the default now (kept so old "
                                "scripts run)."),
):
    """Export stored incidents (or, with --reports, every report) as ACLED-compatible CSV,
    GeoJSON or JSONL."""
    from . import export as ex

    writers = {"csv": ex.write_acled_csv, "acled-csv": ex.write_acled_csv,
               "geojson": ex.write_geojson, "jsonl": ex.write_jsonl}
    if fmt not in writers:
        raise typer.BadParameter(f"unknown format {fmt!r}; use csv (or acled-csv), geojson "
                                 "or jsonl", param_hint="--format")
    if merged and reports:
        raise typer.BadParameter("--merged and --reports exclude each other",
                                 param_hint="--reports")
    store = _existing_store(db)
    if not reports:
        from .merge import canonical_events, merge_pending

        pending = merge_pending(store)
        if pending is None:
            pending, rows = store.counts()["events"], iter(())
        else:
            rows = canonical_events(store)
        if pending:
            err.print(f"[yellow]{pending} stored report(s) not merged yet (not exported); "
                      "run sitrep merge, or give --reports[/yellow]")
    else:
        rows = store.iter_events()
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            writers[fmt](rows, fh)
        err.print(f"wrote {escape(output)}")
    else:
        writers[fmt](rows, sys.stdout)
    store.close()


@app.command()
def evaluate(
    gold: str = typer.Argument(..., help="Gold JSONL (../shared/gold format) or ACLED CSV."),
    json_out: str | None = typer.Option(None, "--json", help="Write the report as JSON."),
    errors: int = typer.Option(0, "--errors", help="Print the N worst cases."),
    limit: int | None = typer.Option(None, help="Only the first N texts."),
    split: str | None = typer.Option(None, "--split", help="tune | check: one half of the set "
                                     "(sha1('split:'+id) starting 0-7 is tune)."),
):
    """Score the pipeline against human-coded gold events."""
    from .evaluate import main as eval_main

    raise typer.Exit(eval_main(gold, json_out=json_out, errors=errors, limit=limit,
                               split=split))


@app.command()
def bench(
    json_out: str | None = typer.Option(None, "--json", help="Write the figures as JSON."),
    docs: int = typer.Option(2000, help="Corpus size (documents)."),
    what: str = typer.Argument("pipeline", help="pipeline | gazetteer | merge | serve | "
                               "scale | all, or several joined by commas (scale needs "
                               "the scale extra)."),
    sizes: str | None = typer.Option(None, "--sizes", help="scale: corpus sizes, "
                                     "comma-separated (default 300,1000; e.g. 100000)."),
):
    """Measure speed and memory against baselines run on the same corpus."""
    from .bench import main as bench_main

    try:
        scale_sizes = [int(x) for x in (sizes or "").replace("_", "").split(",") if x.strip()]
    except ValueError:
        raise typer.BadParameter(f"not a list of numbers: {sizes!r}",
                                 param_hint="--sizes") from None
    if any(n < 1 for n in scale_sizes):
        raise typer.BadParameter("sizes must be at least 1", param_hint="--sizes")
    raise typer.Exit(bench_main(what=what, n_docs=docs, json_out=json_out,
                                scale_sizes=scale_sizes or None))


@app.command()
def train(output: Path = typer.Option(None, "--output", help="Where to write the head "
                                      "(default: the package's data/model/head.npz).")):
    """Fit the event coder's learned head on the project's own corpus (data/train)."""
    from .train import main as train_main

    try:
        meta = train_main(output)
    except ValueError as exc:
        err.print(f"[red]error[/red]: {escape(str(exc))}")
        raise typer.Exit(2) from None
    err.print(f"trained on {meta['rows']} rows ({meta['countries']} countries), "
              f"training accuracy {meta['train_accuracy']:.1%}")


class _ImportProgress:
    """`sitrep gazetteer import`'s display: a bar per dump file, rows, rows/s and ETA."""

    def __init__(self):
        from .geo.imports import Progress as _Base  # noqa: F401  (the protocol)

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                            TextColumn("{task.fields[rows]:>12,} rows"),
                            TextColumn("{task.fields[rate]:>9,.0f} rows/s"),
                            TimeRemainingColumn(), console=err, transient=False)
        self.task = None
        self.t0 = 0.0
        self.rows0 = 0
        self.began = time.perf_counter()

    def start(self, label: str, total: int, rows: int) -> None:
        self.bar.start()
        self.t0, self.rows0 = time.perf_counter(), rows
        self.task = self.bar.add_task(escape(label), total=total or None, rows=rows, rate=0.0)

    def update(self, done: int, rows: int) -> None:
        dt = time.perf_counter() - self.t0
        self.bar.update(self.task, completed=done, rows=rows,
                        rate=(rows - self.rows0) / dt if dt > 0 else 0.0)

    def end(self) -> None:
        self.bar.stop()

    def log(self, msg: str) -> None:
        err.print(f"[dim]{time.perf_counter() - self.began:6.1f} s  {escape(msg)}[/dim]")


@gaz_app.command("import")
def gazetteer_import(files: list[str] = typer.Argument(..., help="GeoNames dump files.")):
    """Add GeoNames dump files (allCountries.zip, XX.zip, alternateNamesV2, admin1CodesASCII,
    admin2Codes; zipped or not) to the on-disk gazetteer. An interrupted import resumes."""
    from .geo import import_geonames

    try:
        r = import_geonames(files, progress=_ImportProgress())
    except ValueError as e:     # missing, unreadable, or not a GeoNames dump: nothing imported
        err.print(f"[red]gazetteer import:[/red] {escape(str(e))}")
        raise typer.Exit(1) from None
    rate = r["rows"] / r["seconds"] if r["seconds"] else 0
    err.print(f"imported {r['places']:,} places, {r['altnames']:,} alternate names, "
              f"{r['admin1']:,} admin1 and {r['admin2']:,} admin2 names "
              f"({r['rows']:,} rows in {r['seconds']:.1f} s, {rate:,.0f} rows/s) into "
              f"{escape(r['index'])}")


@gaz_app.command("build")
def gazetteer_build():
    """Build (or rebuild) the on-disk gazetteer index now (imported dumps are imported
    again when their files are still there)."""
    from .geo.gazetteer import Gazetteer, build_disk, cache_dir

    t0 = time.perf_counter()
    build_disk(cache_dir(), log=lambda m: err.print(f"[dim]{escape(m)}[/dim]"))
    g = Gazetteer.load()
    err.print(f"gazetteer: {len(g):,} entries in {time.perf_counter() - t0:.1f} s")


# Stages that add their own commands: each module has `register(app)`.
for _mod in ("sitrep.ingest.cli", "sitrep.merge.cli", "sitrep.api.cli", "sitrep.watch.cli"):
    try:
        __import__(_mod, fromlist=["register"]).register(app)
    except ModuleNotFoundError as _e:  # the stage is not installed in this tree
        if _e.name is None or not _mod.startswith(_e.name):
            raise


def main():
    # Library warnings (a fallback parser in use, say) reach the user as one plain stderr line.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("warning: %(message)s"))
    logger = logging.getLogger("sitrep")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    app()


if __name__ == "__main__":
    main()
