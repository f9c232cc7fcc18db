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
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
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
    from .ingest import IngestError, iter_documents
    from .pipeline import Pipeline

    pub = _parse_date(published)
    if engine not in ("local", "dask"):
        raise typer.BadParameter(f"unknown engine {engine!r}; use local or dask")
    if engine == "dask":
        from .scale import run_dask

        summary = run_dask(paths, pub, db, scheduler=scheduler, n_workers=workers)
        if not quiet:
            t = Table(title="sitrep extract (dask)")
            t.add_column("what")
            t.add_column("value", justify="right")
            for k in ("partitions", "documents", "new_documents", "events", "workers",
                      "seconds", "docs_per_s"):
                t.add_row(k, str(summary.get(k)))
            err.print(t)
        for path, reason in summary.get("failures") or []:
            err.print(f"[red]skipped[/red] {path}: {reason}")
        raise typer.Exit(1 if summary.get("failures") else 0)
    store = _store(db)
    pipe = Pipeline()
    n_docs = n_new = n_events = 0
    saved_ids: list[str] = []
    failures: list[tuple[str, str]] = []
    by_type: dict[str, int] = {}
    undated: dict[str, date] = {}     # undated documents: the day they resolved against
    t0 = time.perf_counter()
    progress = Progress(TextColumn("[bold]extract"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[name]}"), TimeElapsedColumn(),
                        console=err, disable=quiet, transient=True)
    with progress:
        task = progress.add_task("extract", total=None, name="")
        # the --published fallback is applied after the stored copy's metadata (below)
        for item in iter_documents(paths, None, allow_private=allow_private or None):
            if isinstance(item, IngestError):
                failures.append((item.path, item.reason))
                progress.advance(task)
                continue
            n_docs += 1
            progress.update(task, name=Path(item.path).name[:40] if item.path else item.id)
            item, day = store.with_known_metadata(item, pub)
            try:
                events = pipe.run(item, ref=day)
            except Exception as e:  # one bad document never loses the others
                failures.append((item.path or item.id, f"extraction failed: {e!r}"))
                progress.advance(task)
                continue
            if store.save(item, events):
                n_new += 1
            saved_ids.append(item.id)
            if item.published is None:
                undated[item.id] = day
            n_events += len(events)
            for ev in events:
                by_type[ev.event_type] = by_type.get(ev.event_type, 0) + 1
            progress.advance(task)
    merged = None
    if saved_ids and merge:
        from .merge import merge_documents

        merged = merge_documents(store, list(dict.fromkeys(saved_ids)))   # each once
    elapsed = time.perf_counter() - t0
    if not quiet:
        t = Table(title="sitrep extract")
        t.add_column("what")
        t.add_column("count", justify="right")
        t.add_row("documents read", str(n_docs))
        t.add_row("new documents stored", str(n_new))
        t.add_row("events coded", str(n_events))
        for k, v in sorted(by_type.items()):
            t.add_row(f"  {k}", str(v))
        if merged is not None:
            t.add_row("merged events (total)", str(merged.canonical_total))
        t.add_row("failed inputs", str(len(failures)))
        t.add_row("seconds", f"{elapsed:.2f}")
        err.print(t)
        err.print(f"database: {store.url}")
    for path, reason in failures:
        err.print(f"[red]skipped[/red] {path}: {reason}")
    if undated:
        err.print(undated_warning(list(undated.values())), markup=False, highlight=False, soft_wrap=True)
    store.close()
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


@app.command()
def events(
    db: str | None = typer.Option(None, help="Database path or URL."),
    country: str | None = typer.Option(None),
    event_type: str | None = typer.Option(None, "--type"),
    sub_event_type: str | None = typer.Option(None, "--sub-type"),
    actor: str | None = typer.Option(None, help="Substring of actor1/actor2."),
    date_from: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD."),
    date_to: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD."),
    limit: int = typer.Option(50),
    evidence: bool = typer.Option(False, "--evidence", help="Show the evidence spans."),
    sources: bool = typer.Option(False, "--sources", help="Show the sources of each event."),
):
    """Print stored events as a table (with --sources: merged events and their sources)."""
    day_from, day_to = _parse_date(date_from, "--from"), _parse_date(date_to, "--to")
    store = _store(db)
    if sources:
        from .merge import canonical_events, merge_documents

        merge_documents(store)   # anything stored but not merged yet
        rows = list(canonical_events(store, country=country, event_type=event_type,
                                     sub_event_type=sub_event_type, actor=actor,
                                     date_from=day_from, date_to=day_to, limit=limit))
    else:
        rows = list(store.iter_events(country=country, event_type=event_type,
                                      sub_event_type=sub_event_type, actor=actor,
                                      date_from=day_from, date_to=day_to, limit=limit))
    out = Console()
    t = Table(show_lines=evidence or sources)
    for col in ("date", "tp", "type / sub-type", "actor1", "actor2", "location", "gp", "fat.",
                "claim"):
        t.add_column(col)
    for r in rows:
        extra = ""
        if evidence:
            extra += "\n" + "\n".join(f"[dim]{e['field']}:[/dim] {e['text']!r}"
                                      for e in r.get("evidence", []))
        if sources:
            extra += f"\n[dim]{r.get('n_sources', len(r.get('sources', [])))} sources[/dim]\n"
            extra += "\n".join(f"[dim]{s['role']}:[/dim] {s.get('outlet') or s.get('title') or s['doc_id']}"
                               for s in r.get("sources", []))
        t.add_row(str(r.get("event_date") or ""), str(r.get("time_precision") or ""),
                  f"{r.get('event_type')}\n{r.get('sub_event_type')}" + extra,
                  r.get("actor1") or "", r.get("actor2") or "",
                  ", ".join(x for x in (r.get("location"), r.get("admin1"), r.get("country"))
                            if x),
                  str(r.get("geo_precision") or ""), str(r.get("fatalities") or 0),
                  r.get("claim_status") or "")
    out.print(t)
    out.print(f"{len(rows)} events")
    store.close()


@app.command()
def export(
    fmt: str = typer.Option("acled-csv", "--format", help="acled-csv | geojson | jsonl"),
    db: str | None = typer.Option(None, help="Database path or URL."),
    output: str | None = typer.Option(None, "--output", "-o", help="File (default stdout)."),
    merged: bool = typer.Option(False, "--merged", help="One row per merged event (reports of "
                                "the same event across documents), with its sources."),
):
    """Export stored events as ACLED-compatible CSV, GeoJSON or JSONL."""
    from . import export as ex

    writers = {"acled-csv": ex.write_acled_csv, "geojson": ex.write_geojson,
               "jsonl": ex.write_jsonl}
    if fmt not in writers:
        raise typer.BadParameter(f"unknown format {fmt!r}; use one of {', '.join(writers)}")
    store = _store(db)
    if merged:
        from .merge import canonical_events, merge_documents

        merge_documents(store)
        rows = canonical_events(store)
    else:
        rows = store.iter_events()
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            writers[fmt](rows, fh)
        err.print(f"wrote {output}")
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
    what: str = typer.Argument("pipeline", help="pipeline | gazetteer | all"),
):
    """Measure speed and memory against baselines run on the same corpus."""
    from .bench import main as bench_main

    raise typer.Exit(bench_main(what=what, n_docs=docs, json_out=json_out))


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


@gaz_app.command("import")
def gazetteer_import(files: list[str] = typer.Argument(..., help="GeoNames dump files.")):
    """Add GeoNames dump files (allCountries/XX.txt, alternateNamesV2, admin codes) to the
    gazetteer."""
    from .geo import import_geonames

    result = import_geonames(files)
    err.print(f"imported: {result}")


@gaz_app.command("build")
def gazetteer_build():
    """Build (or rebuild) the cached gazetteer index now."""
    from .geo import Gazetteer

    t0 = time.perf_counter()
    g = Gazetteer.load(rebuild=True)
    err.print(f"gazetteer: {len(g)} entries in {time.perf_counter() - t0:.1f} s")


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
