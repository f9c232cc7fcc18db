"""`sitrep merge`: group stored event reports into canonical events."""

from __future__ import annotations

import typer
from rich.console import Console

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    @app.command("merge")
    def merge_cmd(
        db: str | None = typer.Option(None, help="Database path or URL (default: SITREP_DB "
                                         "or the user data directory)."),
        all_: bool = typer.Option(False, "--all", help="Re-cluster every stored event from "
                                  "scratch (canonical ids are kept where reports overlap)."),
        quiet: bool = typer.Option(False, "--quiet", "-q"),
    ):
        """Merge stored events into canonical events (one per incident, with its sources).
        By default only events not merged yet are added."""
        from rich.markup import escape

        from ..store import NoDatabase, Store, default_db_path
        from . import merge_documents

        try:     # merging needs stored events: a typo in --db must not create a database
            store = Store(db or default_db_path(), create=False)
        except NoDatabase as e:
            err.print(f"[red]{escape(str(e))}[/red]")
            raise typer.Exit(2) from None
        try:
            res = merge_documents(store, rebuild=all_)
        finally:
            store.close()
        if not quiet:
            err.print(f"merge: {res.reports} reports; {res.created} canonical events created, "
                      f"{res.updated} updated, {res.deleted} deleted, {res.pruned} stale "
                      f"reports pruned; {res.canonical_total} canonical events in "
                      f"{res.seconds:.2f} s")
