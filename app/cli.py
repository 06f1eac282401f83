"""The ``crosscheck`` command: serve, migrate, ingest, conflicts, reanalyse, build-model.

Made for scripts as well as people: ``--version``; ``--json`` on every command that reports
something (the JSON goes to stdout alone, progress and messages to stderr); choices and dates
checked by the parser, so that a bad ``--order`` or ``--published-at`` exits 2 with one line
that says what is wrong, never a traceback; a failure of the input (a missing file, a manifest
that is not JSON, an article the service refuses) exits 1 with one line per problem.

The development tools (``bench``, ``eval``) live outside the service, in ``harness``; they join
this command through the ``crosscheck.commands`` entry point, so the service never imports them.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from typer._click.exceptions import ClickException, UsageError  # Typer's own copy of click
from typer.core import TyperGroup

from app.config import get_settings
from app.db.migrate import migrate_database

if TYPE_CHECKING:
    from app.articles.schemas import ArticleIn
    from app.conflicts.schemas import ConflictOut


def package_version() -> str:
    try:
        return version("crosscheck")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


class OneLineErrors(TyperGroup):
    """Usage errors as one line on stderr (``crosscheck conflicts: Invalid value for ...``),
    exit status 2; not Typer's framed panel, which a script's log would split over lines."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except ClickException as error:
            context = getattr(error, "ctx", None)
            where = context.command_path if context is not None else "crosscheck"
            hint = " (see --help)" if isinstance(error, UsageError) else ""
            message = error.format_message().replace("Value error, ", "").strip()
            if message:  # blank when the help was shown instead (no arguments at all)
                typer.echo(f"{where}: {message}{hint}", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo("crosscheck: aborted", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


cli = typer.Typer(
    name="crosscheck",
    cls=OneLineErrors,
    help="crosscheck: claims that agree and numbers that disagree across sources.",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)
console = Console(stderr=True)  # people's output; with --json, stdout holds the JSON alone


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"crosscheck {package_version()}")
        raise typer.Exit()


@cli.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """crosscheck: claims that agree and numbers that disagree across sources."""


JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON on stdout (and nothing else).")
]


def _emit(value: Any) -> None:
    """One JSON document on stdout."""
    typer.echo(json.dumps(value, ensure_ascii=False, default=str))


def _fail(message: str, code: int = 1) -> typer.Exit:
    """An input failure: one line on stderr, then exit ``code``."""
    typer.echo(f"crosscheck: {message}", err=True)
    return typer.Exit(code)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@cli.command()
def migrate(as_json: JsonOption = False) -> None:
    """Apply the Alembic migrations to the configured database."""
    migrate_database()
    url = _redacted(get_settings().database.url)
    if as_json:
        _emit({"database": url, "migrated": True})
    else:
        console.print(f"database at head: {url}")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Migrate the database, then serve the API (docs at /docs).

    It reports nothing but its logs, which are JSON lines already (CROSSCHECK_LOG_FORMAT).
    """
    from app import server

    if migrate_first:
        migrate_database()
    server.run(host, port, workers)


# --- ingest -----------------------------------------------------------------------------------


def _manifest_entries(path: Path) -> list[dict[str, Any]]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise _fail(f"{path}: cannot be read ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise _fail(f"{path}: not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("file"), str) for e in entries
    ):
        raise _fail(f"{path}: a manifest is a JSON list of objects, each with a 'file'")
    return [{**entry, "file": str((path.parent / entry["file"]).resolve())} for entry in entries]


def _article(entry: dict[str, Any]) -> ArticleIn:
    """The article a manifest entry (or a plain file) describes; ``ValueError`` when it cannot
    be read, pydantic's ``ValidationError`` when it is not a valid article."""
    from app.articles.schemas import ArticleIn

    path = Path(entry["file"])
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ValueError(f"cannot be read ({reason})") from None
    fields = {k: v for k, v in entry.items() if k != "file" and v is not None}
    body_field = "html" if path.suffix.lower() in (".html", ".htm") else "text"
    return ArticleIn.model_validate({body_field: content, **fields})


def _validation_message(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'article'}: {e['msg']}" for e in error.errors()
    )


@cli.command()
def ingest(
    files: Annotated[
        list[Path], typer.Argument(help="Text or .html files, or manifest.json files.")
    ],
    source: Annotated[str | None, typer.Option(help="Outlet of plain text files.")] = None,
    published_at: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], help="Publication date (YYYY-MM-DD) of plain text files."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Store articles from files and report what was found.

    A ``.json`` argument is a manifest: a list of {file, source, published_at?, title?, url?}.
    An ``.html`` (or ``.htm``) file is read as the article's web page: its main text and title,
    and its date unless given, are read from it. Articles are sent through the batch ingest, up to
    CROSSCHECK_MAX_BATCH_ARTICLES at a time; each is stored, found already stored, or refused
    on its own. Exit status 1 when any was refused (each is named on stderr).
    """
    entries: list[dict[str, Any]] = []
    for path in files:
        if path.suffix == ".json":
            entries.extend(_manifest_entries(path))
        else:
            if source is None:
                raise UsageError("--source is required for plain text files")
            day = published_at.date().isoformat() if published_at is not None else None
            entries.append({"file": str(path), "source": source, "published_at": day})

    from app.components import Components

    settings = get_settings()
    migrate_database()
    components = Components.start(settings)
    try:
        results = list(_ingest_entries(components, entries, quiet=as_json))
    finally:
        components.close()
    totals = {
        "stored": sum(r["status"] == 201 for r in results),
        "already_stored": sum(r["status"] == 200 for r in results),
        "failed": sum(r["status"] >= 400 for r in results),
        "claims": sum(r.get("claims", 0) for r in results),
        "new_conflicts": sum(r.get("conflicts", 0) for r in results if r["status"] == 201),
    }
    for r in results:
        if r["status"] >= 400:
            typer.echo(f"crosscheck: {r['file']}: {r['status']} {r['detail']}", err=True)
    if as_json:
        _emit({**totals, "items": results})
    else:
        console.print(
            f"{totals['stored']} stored, {totals['already_stored']} already stored, "
            f"{totals['failed']} refused; {totals['claims']} claims; "
            f"{totals['new_conflicts']} new conflicts"
        )
    if totals["failed"]:
        raise typer.Exit(1)


def _ingest_entries(
    components: Any, entries: list[dict[str, Any]], quiet: bool
) -> Iterator[dict[str, Any]]:
    """Each entry's outcome, in order: {file, status, id?, claims?, conflicts?, detail?}."""
    from app.articles.flows import ingest_batch
    from app.db.session import session_scope
    from app.problems import INVALID, kind_of

    size = components.settings.limits.max_batch_articles
    with Progress(console=console, disable=quiet) as progress:
        task = progress.add_task("ingesting", total=len(entries))
        for start in range(0, len(entries), size):
            chunk = entries[start : start + size]
            articles: list[tuple[dict[str, Any], ArticleIn]] = []
            refused: dict[int, dict[str, Any]] = {}
            for i, entry in enumerate(chunk):
                try:
                    articles.append((entry, _article(entry)))
                except ValidationError as error:
                    refused[i] = {"status": INVALID.status, "detail": _validation_message(error)}
                except ValueError as error:
                    refused[i] = {"status": INVALID.status, "detail": str(error)}
            with session_scope(components.sessions) as session:
                outcomes = ingest_batch(session, components.checker, [a for _, a in articles])
            answered = iter(zip(articles, outcomes, strict=True))
            for i, entry in enumerate(chunk):
                if i in refused:
                    yield {"file": entry["file"], **refused[i]}
                    continue
                _, outcome = next(answered)
                if outcome.error is not None:
                    kind = kind_of(outcome.error)
                    yield {
                        "file": entry["file"],
                        "status": kind.status,
                        "detail": outcome.error.detail,
                    }
                    continue
                article = outcome.article
                assert article is not None
                yield {
                    "file": entry["file"],
                    "status": 201 if outcome.created else 200,
                    "id": article.id,
                    "claims": article.claim_count,
                    "conflicts": article.conflict_count,
                }
            progress.advance(task, len(chunk))


# --- conflicts --------------------------------------------------------------------------------


class Order(StrEnum):
    newest = "newest"
    severity = "severity"
    oldest = "oldest"


FOLLOW_INTERVAL_SECONDS = 5.0
"""How often ``conflicts --follow`` asks for new conflicts, unless ``--interval`` says."""

_sleep: Callable[[float], None] = time.sleep  # tests replace it to act between two polls


@cli.command()
def conflicts(
    source: Annotated[
        str | None, typer.Option(help="Only conflicts involving this outlet.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Conflicts per page.")] = 50,
    order: Annotated[
        Order | None,
        typer.Option(help="newest first (the default), most severe first, or oldest first."),
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
            help="Only conflicts found at or after this time (UTC).",
        ),
    ] = None,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow",
            "-f",
            help="Print the feed oldest first, then keep printing new conflicts as they are "
            "found (polls every --interval seconds; Ctrl-C stops).",
        ),
    ] = False,
    interval: Annotated[
        float,
        typer.Option(min=0.0, help="With --follow: seconds between two polls."),
    ] = FOLLOW_INTERVAL_SECONDS,
    max_polls: Annotated[
        int | None,
        typer.Option(min=1, help="With --follow: stop after this many polls (default: never)."),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print JSON on stdout: a list of conflicts; with --follow one conflict per "
            "line (JSON Lines), as each is found.",
        ),
    ] = False,
) -> None:
    """Print the stored conflicts as a table, or follow the feed."""
    from app.db.session import create_db_engine, create_session_factory

    if follow and order not in (None, Order.oldest):
        raise UsageError("--follow reads the feed oldest first: drop --order")
    settings = get_settings()
    engine = create_db_engine(settings.database)
    sessions = create_session_factory(engine)
    try:
        if follow:
            _follow(sessions, limit, source, since, interval, max_polls, as_json)
            return
        items, _ = _page(sessions, limit, None, (order or Order.newest).value, source, since)
    finally:
        engine.dispose()
    if as_json:
        _emit([item.model_dump(mode="json") for item in items])
        return
    table = Table(title=f"{len(items)} conflicts", show_lines=True)
    for column in ("id", "measure", "source A", "says", "source B", "says", "gap"):
        table.add_column(column)
    for item in items:
        table.add_row(*_row(item))
    Console().print(table)


def _page(
    sessions: Any,
    limit: int,
    token: str | None,
    order: str,
    source: str | None,
    since: datetime | None,
    tokens: Any = None,
) -> tuple[list[ConflictOut], str | None]:
    """One page of the feed, and the token to go on from: the follow token in oldest order
    (the place after this page, also when it is empty), else the next page's."""
    import secrets

    from app.conflicts.service import list_conflicts
    from app.db.session import session_scope
    from app.pagination import PageScope, PageTokens, Paging

    # The command reads back only tokens it issued itself: a key of its own, for this run.
    signer = tokens if tokens is not None else PageTokens(secrets.token_bytes(32))
    scope = PageScope("crosscheck conflicts", order, {"source": source, "since": since})
    with session_scope(sessions) as session:
        page = list_conflicts(session, Paging(signer, scope, limit, token), order, source, since)
    return page.items, page.follow_token if order == "oldest" else page.next_page_token


def _row(item: ConflictOut) -> tuple[str, ...]:
    pair = item.quantities[0]
    return (
        str(item.id),
        item.measure,
        f"{item.a.source} ({item.a.published_at})",
        f"{pair.a.text} {pair.a.interval.notation}",
        f"{item.b.source} ({item.b.published_at})",
        f"{pair.b.text} {pair.b.interval.notation}",
        f"{item.relative_gap:.0%}",
    )


def _follow(
    sessions: Any,
    limit: int,
    source: str | None,
    since: datetime | None,
    interval: float,
    max_polls: int | None,
    as_json: bool,
) -> None:
    """Page through the feed oldest first, then poll with the last page's token: the feed's
    keyset tokens return exactly the conflicts found since, none twice and none skipped."""
    import secrets

    from app.pagination import PageTokens

    tokens = PageTokens(secrets.token_bytes(32))
    token: str | None = None
    polls = 0
    out = Console(highlight=False)
    try:
        while True:
            items, token = _page(sessions, limit, token, "oldest", source, since, tokens)
            for item in items:
                if as_json:
                    _emit(item.model_dump(mode="json"))
                else:
                    out.print(" | ".join(_row(item)))
                sys.stdout.flush()
            if len(items) == limit:
                continue  # more already waiting: no poll counted, no sleep
            polls += 1
            if max_polls is not None and polls >= max_polls:
                return
            _sleep(interval)
    except KeyboardInterrupt:
        return


# --- maintenance ------------------------------------------------------------------------------


@cli.command()
def reanalyse(
    batch: Annotated[int, typer.Option(min=1, help="Claims per transaction.")] = 1000,
    as_json: JsonOption = False,
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
    if as_json:
        _emit({"analysed": total})
    else:
        console.print(f"{total} claims analysed again")


@cli.command("build-model")
def build_model_command(as_json: JsonOption = False) -> None:
    """Build the ONNX models (fp32 and int8) from the bundled weights into the model cache."""
    from app.embeddings import bundled_model_path
    from app.embeddings.build import ensure_built

    settings = get_settings()
    path = settings.embedding.model_path or bundled_model_path()
    built = {
        variant: str(ensure_built(path, settings.embedding.cache_dir, variant, in_process=True))
        for variant in ("fp32", "int8")
    }
    if as_json:
        _emit(built)
    else:
        for variant, where in built.items():
            console.print(f"{variant}: {where}")


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
        typer.echo(
            f"crosscheck {name} needs the development tools of a checkout, installed with "
            f"pip install -e '.[dev]' ({error.name} cannot be imported).",
            err=True,
        )
        raise typer.Exit(2)

    return unavailable


add_plugin_commands(cli)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
