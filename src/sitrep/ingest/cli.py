"""Ingest's own commands, registered on the `sitrep` app: `sitrep watch`."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def watch(
        sources: list[str] = typer.Argument(..., metavar="FEED_OR_URL",
                                            help="RSS/Atom feed or page URLs (or local files)."),
        every: str = typer.Option("5m", help="Poll interval: 30s, 5m, 1h, ..."),
        db: str | None = typer.Option(None, help="Database path or URL."),
        published: str | None = typer.Option(None, help="Publication date (YYYY-MM-DD) where "
                                                "a source gives none."),
        once: bool = typer.Option(False, "--once", help="Poll once, then exit (exit code 1 "
                                                        "if any source or item failed)."),
        allow_private: bool = typer.Option(
            False, "--allow-private",
            help="Allow fetching loopback/private/link-local addresses (refused by default)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Only print errors."),
    ):
        """Poll feeds and pages and ingest what is new (remembers what it has seen; sends
        ETag/Last-Modified back)."""

        from ..pipeline import Pipeline
        from ..store import Store, default_db_path
        from .poll import parse_interval
        from .poll import watch as run_watch

        try:
            interval = parse_interval(every)
        except ValueError as e:
            raise typer.BadParameter(str(e), param_hint="--every") from None
        from ..cli import _parse_date

        pub = _parse_date(published)
        store = Store(db or default_db_path())
        pipe = Pipeline()

        def report(r) -> None:
            if r.events:            # what alerts, the API and dashboard show are incidents
                from ..api.review import reapply_stored_reviews
                from ..merge import merge_documents

                try:
                    merge_documents(store)
                    reapply_stored_reviews(store)   # recomputed incidents keep corrections
                except Exception as e:  # noqa: BLE001 - the next poll merges again
                    err.print(f"[red]merge failed[/red] {escape(str(e))}")
            if not quiet:
                what = ("not modified" if r.not_modified else
                        f"{r.new_documents} new, {r.seen_before} seen, {r.events} events")
                err.print(f"[bold]watch[/bold] {escape(str(r.source))}: {what}")
            for e in r.errors:
                err.print(f"[red]error[/red] {escape(str(e))}")

        try:
            results = run_watch(sources, store, pipe, every=interval, once=once,
                                published=pub, allow_private=allow_private or None,
                                report=report)
        except KeyboardInterrupt:
            results = []
        finally:
            store.close()
        if once and any(not r.ok for r in results):
            raise typer.Exit(1)
