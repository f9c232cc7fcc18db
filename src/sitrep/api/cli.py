"""`sitrep serve`: the API and dashboard (registered on the main CLI by sitrep.cli)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        db: str | None = typer.Option(None, help="Database path or URL (default: SITREP_DB "
                                         "or the user data directory)."),
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, help="Port."),
        public_read: bool = typer.Option(False, "--public-read", help="Reads without token "
                                         "from any address (also SITREP_PUBLIC_READ=1)."),
        new_token: bool = typer.Option(False, "--new-token", help="Generate another API "
                                       "token, print it once, and start."),
        log_level: str = typer.Option("info", help="uvicorn log level."),
        watchlist: str | None = typer.Option(None, "--watchlist", help="Watchlists (the "
                                             "file of sitrep alerts --watchlist) for the "
                                             "dashboard's alerts panel and /api/alerts."),
    ):
        """Serve the dashboard (/), the API (/api) and its docs (/docs)."""
        import uvicorn

        from ..store import NoDatabase, Store, default_db_path
        from .app import create_app
        from .auth import env_flag, generate_token, is_loopback
        from .limits import max_body_from_env
        from .schema import create_api_tables

        try:
            max_body = max_body_from_env()
        except ValueError as e:
            err.print(f"[red]{escape(str(e))}[/red]")
            raise typer.Exit(2) from e
        try:     # serve reads an existing database: a typo in --db must not create one
            store = Store(db or default_db_path(), create=False)
        except NoDatabase as e:
            err.print(f"[red]{escape(str(e))}[/red]")
            raise typer.Exit(2) from None
        watchlists = None
        if watchlist:
            from ..watch import load_watchlists

            try:
                watchlists = load_watchlists(watchlist)
            except (OSError, ValueError) as e:
                err.print(f"[red]watchlist:[/red] {escape(str(e))}")
                raise typer.Exit(2) from None
        create_api_tables(store.engine)
        extra = generate_token(store.engine, "cli") if new_token else None
        app = create_app(store=store, public_read=public_read or None,
                         allowed_hosts=(host,), max_body=max_body, watchlists=watchlists)
        shown = app.state.tokens.new_token or extra
        if shown:
            err.print("[bold]API token for reviews (shown once; it is stored only as a hash):"
                      f"[/bold]\n{shown}")
        if not is_loopback(host) and host != "localhost" and not (
                public_read or env_flag("SITREP_PUBLIC_READ")):
            err.print(f"[yellow]listening on {escape(host)}: reads from other machines need the token "
                      "(or --public-read)[/yellow]")
        err.print(escape(f"database: {store.url}\ndashboard: http://{host}:{port}/  "
                         f"docs: http://{host}:{port}/docs"))
        uvicorn.run(app, host=host, port=port, log_level=log_level)
