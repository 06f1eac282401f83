"""The ``crosscheck`` command: serve, migrate, ingest, conflicts, build-model.

The development tools (``bench``, ``eval``) live outside the service, in ``harness``; they join
this command through the ``crosscheck.commands`` entry point, so the service never imports them.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from app.config import get_settings
from app.db.migrate import migrate_database

cli = typer.Typer(help="crosscheck: claims that agree and numbers that disagree across sources.")
console = Console()


@cli.command()
def migrate() -> None:
    """Apply the Alembic migrations to the configured database."""
    migrate_database()
    console.print(f"database at head: {get_settings().database.url}")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Migrate the database, then serve the API (docs at /docs)."""
    from app import server

    if migrate_first:
        migrate_database()
    server.run(host, port, workers)


def _manifest_entries(path: Path) -> list[dict[str, Any]]:
    entries = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise typer.BadParameter(f"{path}: a manifest is a JSON list of objects")
    for entry in entries:
        entry["file"] = str((path.parent / entry["file"]).resolve())
    return entries


@cli.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="Text files, or a manifest.json.")],
    source: Annotated[str | None, typer.Option(help="Outlet of plain text files.")] = None,
    published_at: Annotated[
        str | None,
        typer.Option(help="Publication date (YYYY-MM-DD) of plain text files."),
    ] = None,
) -> None:
    """Store articles from files, with a progress bar, and report what was found.

    A ``.json`` argument is a manifest: a list of {file, source, published_at?, title?, url?}.
    """
    from app.articles.flows import ingest_article
    from app.articles.schemas import ArticleIn
    from app.components import Components
    from app.db.session import session_scope

    entries: list[dict[str, Any]] = []
    for path in files:
        if path.suffix == ".json":
            entries.extend(_manifest_entries(path))
        else:
            if source is None:
                raise typer.BadParameter("--source is required for plain text files")
            entries.append({"file": str(path), "source": source, "published_at": published_at})
    if published_at is not None:
        date.fromisoformat(published_at)

    settings = get_settings()
    migrate_database()
    components = Components.start(settings)
    totals = {"stored": 0, "already": 0, "claims": 0, "conflicts": 0}
    with Progress(console=console) as progress:
        task = progress.add_task("ingesting", total=len(entries))
        for entry in entries:
            fields = {k: v for k, v in entry.items() if k != "file" and v is not None}
            data = ArticleIn(text=Path(entry["file"]).read_text(encoding="utf-8"), **fields)
            with session_scope(components.sessions) as session:
                article, created = ingest_article(session, components.checker, data)
            totals["stored" if created else "already"] += 1
            totals["claims"] += article.claim_count
            totals["conflicts"] += article.conflict_count if created else 0
            progress.advance(task)
    components.close()
    console.print(
        f"{totals['stored']} stored, {totals['already']} already stored; "
        f"{totals['claims']} claims; {totals['conflicts']} new conflicts"
    )


@cli.command()
def conflicts(
    source: Annotated[
        str | None, typer.Option(help="Only conflicts involving this outlet.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    order: Annotated[str, typer.Option(help="newest or severity")] = "newest",
) -> None:
    """Print the stored conflicts as a table."""
    from app.conflicts.service import list_conflicts
    from app.db.session import create_db_engine, create_session_factory, session_scope
    from app.pagination import PageScope, Paging

    settings = get_settings()
    engine = create_db_engine(settings.database)
    with session_scope(create_session_factory(engine)) as session:
        first = Paging.first_page(PageScope("crosscheck conflicts", order), limit)
        page = list_conflicts(session, first, order, source, None)
    engine.dispose()
    table = Table(title=f"{len(page.items)} conflicts", show_lines=True)
    for column in ("id", "measure", "source A", "says", "source B", "says", "gap"):
        table.add_column(column)
    for item in page.items:
        pair = item.quantities[0]
        table.add_row(
            str(item.id),
            item.measure,
            f"{item.a.source} ({item.a.published_at})",
            f"{pair.a.text} {pair.a.interval.notation}",
            f"{item.b.source} ({item.b.published_at})",
            f"{pair.b.text} {pair.b.interval.notation}",
            f"{item.relative_gap:.0%}",
        )
    console.print(table)


@cli.command()
def reanalyse(
    batch: Annotated[int, typer.Option(min=1, help="Claims per transaction.")] = 1000,
) -> None:
    """Store the analysis of every claim stored without one, or by another reader version.

    Until then such claims are analysed from their text each time they are read; run it after
    an upgrade that changes the reader (the release notes say so). Safe to run while serving.
    """
    from app.db.session import begin_write, create_db_engine, create_session_factory, session_scope
    from app.pipeline.repository import StoredClaimRepository

    settings = get_settings()
    engine = create_db_engine(settings.database)
    sessions = create_session_factory(engine)
    last, total = 0, 0
    while True:
        with session_scope(sessions) as session:
            begin_write(session)
            seen, rewritten = StoredClaimRepository(session).reanalyse(last, batch)
        total += rewritten
        if seen == last:
            break
        last = seen
    engine.dispose()
    console.print(f"{total} claims analysed again")


@cli.command("build-model")
def build_model_command() -> None:
    """Build the ONNX models (fp32 and int8) from the bundled weights into the model cache."""
    from app.embeddings import bundled_model_path
    from app.embeddings.build import ensure_built

    settings = get_settings()
    path = settings.embedding.model_path or bundled_model_path()
    for variant in ("fp32", "int8"):
        built = ensure_built(path, settings.embedding.cache_dir, variant, in_process=True)
        console.print(f"{variant}: {built}")


COMMAND_PLUGINS = "crosscheck.commands"
"""Entry-point group of commands defined outside the service (``harness``: bench, eval)."""


def add_plugin_commands(command: typer.Typer) -> None:
    """Add the commands installed under ``COMMAND_PLUGINS``, each under its entry point's name.

    One that cannot be imported (an image holds ``app/`` but not the development tools)
    becomes a command that says so, instead of breaking the whole CLI.
    """
    from importlib.metadata import entry_points

    for plugin in entry_points(group=COMMAND_PLUGINS):
        try:
            function = plugin.load()
        except ImportError as error:
            function = _unavailable(plugin.name, error)
        command.command(plugin.name)(function)


def _unavailable(name: str, error: ImportError) -> Any:
    def unavailable() -> None:
        """Not available here: needs the development tools of a checkout."""
        console.print(
            f"crosscheck {name} needs the development tools of a checkout, installed with "
            f"pip install -e '.[dev]' ({error.name} cannot be imported)."
        )
        raise typer.Exit(2)

    return unavailable


add_plugin_commands(cli)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
