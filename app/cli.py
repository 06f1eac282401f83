"""The ``crosscheck`` command: serve, migrate, ingest, conflicts, eval."""

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

cli = typer.Typer(help="crosscheck: claims that agree and numbers that disagree across sources.")
console = Console()

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def migrate_database(database_url: str | None = None) -> None:
    """Bring the database the settings name (or ``database_url``) to the latest schema."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    if database_url is not None:
        config.attributes["database_url"] = database_url
    command.upgrade(config, "head")


@cli.command()
def migrate() -> None:
    """Apply the Alembic migrations to the configured database."""
    migrate_database()
    console.print(f"database at head: {get_settings().database_url}")


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
    from app.articles.schemas import ArticleIn
    from app.articles.service import create_article
    from app.db.session import create_db_engine, create_session_factory, session_scope
    from app.embeddings import load_embedder
    from app.search import create_index

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
    engine = create_db_engine(settings.database_url, settings)
    sessions = create_session_factory(engine)
    embedder = load_embedder(settings)
    index = create_index(engine, embedder.dimension, settings)
    totals = {"stored": 0, "already": 0, "claims": 0, "conflicts": 0}
    with Progress(console=console) as progress:
        task = progress.add_task("ingesting", total=len(entries))
        for entry in entries:
            fields = {k: v for k, v in entry.items() if k != "file" and v is not None}
            data = ArticleIn(text=Path(entry["file"]).read_text(encoding="utf-8"), **fields)
            with session_scope(sessions) as session:
                article, created = create_article(session, index, embedder, settings, data)
            totals["stored" if created else "already"] += 1
            totals["claims"] += article.claim_count
            totals["conflicts"] += article.conflict_count if created else 0
            progress.advance(task)
    engine.dispose()
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

    settings = get_settings()
    engine = create_db_engine(settings.database_url)
    with session_scope(create_session_factory(engine)) as session:
        page = list_conflicts(session, limit, None, order, source, None)
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


@cli.command("eval")
def evaluate(
    pairs: Annotated[Path, typer.Argument(help="CSV with premise,hypothesis[,label].")],
    out: Annotated[
        Path | None, typer.Option(help="Write one JSON verdict per row (JSON Lines).")
    ] = None,
) -> None:
    """Judge each (premise, hypothesis) pair as two claims from two sources on the same day.

    With labels, prints precision, recall and F1 of `conflict` against `contradiction`, and
    the share of `entailment` and `neutral` pairs flagged.
    """
    import numpy as np

    from app.claims.service import policy_of
    from app.core.evaluate import judge_pairs, read_pairs, score, verdict_to_json
    from app.embeddings import load_embedder

    settings = get_settings()
    rows = read_pairs(pairs)
    embedder = load_embedder(settings)
    with console.status(f"embedding {2 * len(rows)} sentences"):
        premises = embedder.encode([row.premise for row in rows])
        hypotheses = embedder.encode([row.hypothesis for row in rows])
    similarities = np.einsum("ij,ij->i", premises, hypotheses).tolist()
    verdicts = judge_pairs(rows, similarities, policy_of(settings))
    if out is not None:
        with out.open("w", encoding="utf-8") as handle:
            for verdict, similarity in zip(verdicts, similarities, strict=True):
                record = {**verdict_to_json(verdict), "similarity": round(similarity, 4)}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    console.print(f"{len(rows)} pairs, {sum(v.relation == 'conflict' for v in verdicts)} flagged")
    if any(row.label for row in rows):
        report = score(rows, verdicts)
        table = Table(title=str(pairs))
        for column in ("precision", "recall", "F1", "entailment flagged", "neutral flagged"):
            table.add_column(column)
        table.add_row(
            f"{report.precision:.3f}",
            f"{report.recall:.3f}",
            f"{report.f1:.3f}",
            f"{report.share_entailment_flagged:.1%}",
            f"{report.share_neutral_flagged:.1%}",
        )
        console.print(table)


@cli.command("build-model")
def build_model_command() -> None:
    """Build the ONNX models (fp32 and int8) from the bundled weights into the model cache."""
    from app.embeddings import bundled_model_path
    from app.embeddings.build import ensure_built

    settings = get_settings()
    path = settings.embedding_model_path or bundled_model_path()
    for variant in ("fp32", "int8"):
        built = ensure_built(path, settings.embedding_cache_dir, variant, in_process=True)
        console.print(f"{variant}: {built}")


@cli.command()
def bench(
    quick: Annotated[
        bool, typer.Option("--quick", help="10k claims, SQLite, one round: about a minute.")
    ] = False,
    sizes: Annotated[
        str, typer.Option(help="Store sizes, comma-separated.")
    ] = "10000,100000,1000000",
    databases: Annotated[str, typer.Option(help="sqlite and/or postgresql.")] = "sqlite,postgresql",
    rounds: Annotated[int, typer.Option(min=1, help="Repetitions; medians are reported.")] = 3,
    sections: Annotated[
        str, typer.Option(help="Any of embedding, ingest, check, comma-separated.")
    ] = "embedding,ingest,check",
    out: Annotated[Path, typer.Option(help="Where the JSON results go.")] = Path(
        "bench/results.json"
    ),
    workers: Annotated[
        str, typer.Option(help="API worker processes to measure /v1/check with, comma-separated.")
    ] = "1,2",
) -> None:
    """Measure encode, ingest and check speed, latency growth and memory (not a test)."""
    import sys

    from app.bench import BenchConfig, run_bench

    config = BenchConfig(
        command="crosscheck " + " ".join(sys.argv[1:]),
        out=out,
        quick=quick,
        sizes=(10_000,) if quick else tuple(int(s) for s in sizes.split(",")),
        databases=("sqlite",) if quick else tuple(databases.split(",")),
        rounds=1 if quick else rounds,
        sections=tuple(sections.split(",")),
        workers=tuple(int(w) for w in workers.split(",")),
    )
    run_bench(config, console)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
