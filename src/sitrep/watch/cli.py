"""`sitrep alerts`: surges and watchlists over the stored events (see sitrep.watch)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("alerts")(alerts_command)


def alerts_command(
    db: str | None = typer.Option(None, help="Database path or URL."),
    watchlist: str | None = typer.Option(
        None, "--watchlist",
        help="YAML or JSON file: a list of entries (or {watchlists: [...]}). Each entry has a "
             "unique name and at least one criterion: country, admin1, admin2, actor "
             "(substring of any actor), event_type, sub_event_type, point {lat, lon, "
             "radius_km}; optional min_count (default 1) and window_days (default "
             "--window-days). Example: [{name: capital, point: {lat: 2.05, lon: 45.32, "
             "radius_km: 30}}]. See README, Watchlists."),
    as_of: str | None = typer.Option(None, "--as-of",
                                     help="Last day of the window (default: latest event)."),
    window_days: int = typer.Option(7, "--window-days", min=1, help="Recent window (days)."),
    baseline_days: int = typer.Option(56, "--baseline-days", min=1,
                                      help="Baseline before the window (days)."),
    min_count: int = typer.Option(5, "--min-count", min=1,
                                  help="Fewest events in the window for a surge."),
    p_value: float = typer.Option(0.001, "--p-value", min=0.0, max=1.0,
                                  help="Poisson upper-tail threshold for a surge."),
    method: str = typer.Option("poisson", "--method", help="Baseline: poisson (flat) | ewma."),
    level: str = typer.Option("both", "--level", help="Surge series: admin1 | admin2 | both."),
    no_surge: bool = typer.Option(False, "--no-surge", help="Watchlists only."),
    jsonl: str | None = typer.Option(None, "--jsonl", help="Append new alerts to this file."),
    webhook: str | None = typer.Option(None, "--webhook", help="POST new alerts (JSON) here."),
    retries: int = typer.Option(3, "--webhook-retries", min=0),
    timeout: float = typer.Option(10.0, "--webhook-timeout", min=0.1),
):
    """Surge detection per admin area and event type, and watchlist matches, over incidents
    (reports merged across documents); new alerts go to the terminal, a JSONL feed and a
    webhook. An alert is sent once."""

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from ..store import NoDatabase, Store, default_db_path
    from .alerts import load_watchlists, run_alerts
    from .detect import SurgeConfig

    err = Console(stderr=True)
    if method not in ("poisson", "ewma"):
        raise typer.BadParameter("--method must be poisson or ewma")
    levels = {"both": ("admin1", "admin2"), "admin1": ("admin1",), "admin2": ("admin2",)}
    if level not in levels:
        raise typer.BadParameter("--level must be admin1, admin2 or both")
    from ..cli import _parse_date

    day = _parse_date(as_of, "--as-of")
    try:
        wl = load_watchlists(watchlist) if watchlist else None
    except (OSError, ValueError) as e:
        err.print(f"[red]watchlist:[/red] {escape(str(e))}")
        raise typer.Exit(2) from e
    cfg = SurgeConfig(window_days=window_days, baseline_days=baseline_days,
                      min_count=min_count, p_value=p_value, method=method,
                      levels=levels[level])
    try:     # alerts read an existing database: a typo in --db must not create one
        store = Store(db or default_db_path(), create=False)
    except NoDatabase as e:
        err.print(f"[red]{escape(str(e))}[/red]")
        raise typer.Exit(2) from None
    try:
        run = run_alerts(store, as_of=day, watchlists=wl, surge=cfg, surges=not no_surge,
                         jsonl=jsonl, webhook=webhook, retries=retries, timeout=timeout)
    finally:
        store.close()
    out = Console()
    if run.as_of is None:
        out.print("no events stored")
        return
    t = Table(title=f"sitrep alerts as of {run.as_of}", show_lines=True)
    for col in ("kind", "alert", "events", "why"):
        t.add_column(col)
    for a in run.new:
        ids = ", ".join(a.event_ids[:3]) + (" ..." if len(a.event_ids) > 3 else "")
        t.add_row(escape(a.kind), escape(a.name), f"{len(a.events)}\n[dim]{escape(ids)}[/dim]",
                  escape(a.why))
    if run.new:
        out.print(t)
    out.print(f"{len(run.new)} new alert(s); {len(run.repeated)} already sent, "
              f"{len(run.suppressed)} suppressed (series alerted in this window); "
              f"{run.n_events} incidents read")
    if jsonl and run.new:
        err.print(f"appended {len(run.new)} alert(s) to {escape(jsonl)}")
    for aid, d in run.deliveries.items():
        if d.ok:
            err.print(f"webhook: {escape(aid)} delivered (attempt {d.attempts})")
        else:
            err.print(f"[red]webhook: {escape(aid)} not delivered after {d.attempts} "
                      f"attempt(s): {escape(str(d.error))}[/red]")
    if run.delivery_failed:
        raise typer.Exit(1)
