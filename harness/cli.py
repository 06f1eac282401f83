"""``crosscheck eval`` and ``crosscheck bench``: the development tools' commands.

They are added to the ``crosscheck`` command through the ``crosscheck.commands`` entry point
(see ``app.cli.add_plugin_commands``): the service's own code never imports this package.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def evaluate(
    pairs: Annotated[Path, typer.Argument(help="CSV with premise,hypothesis[,label].")],
    out: Annotated[
        Path | None, typer.Option(help="Write one JSON verdict per row (JSON Lines).")
    ] = None,
    examples: Annotated[
        int, typer.Option(min=0, help="Examples shown per group of misses and false alarms.")
    ] = 2,
    groups: Annotated[
        int, typer.Option(min=0, help="Groups of misses and of false alarms shown.")
    ] = 6,
    sweep: Annotated[
        list[str] | None,
        typer.Option(
            help="Also score the policy with one threshold changed: NAME=V1,V2,... (a "
            "ComparePolicy field); repeatable. Prints precision and recall for each value."
        ),
    ] = None,
) -> None:
    """Judge each (premise, hypothesis) pair as two claims from two sources.

    The claims are published on the file's premise_published_at and hypothesis_published_at
    when it has them, else on unknown dates. With labels, prints precision, recall and F1 of
    `conflict` against `contradiction`, the share of `entailment` and `neutral` pairs flagged,
    and the misses and false alarms grouped by the verdict's reason, with examples.
    """
    import numpy as np

    from app.config import get_settings
    from app.embeddings import load_embedder
    from app.pipeline import CheckPolicy
    from harness.evaluate import error_groups, judge_pairs, read_pairs, score, verdict_to_json

    settings = get_settings()
    rows = read_pairs(pairs)
    embedder = load_embedder(settings.embedding)
    with console.status(f"embedding {2 * len(rows)} sentences"):
        premises = embedder.encode([row.premise for row in rows])
        hypotheses = embedder.encode([row.hypothesis for row in rows])
    similarities = np.einsum("ij,ij->i", premises, hypotheses).tolist()
    policy = CheckPolicy.from_settings(settings).compare
    verdicts = judge_pairs(rows, similarities, policy)
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
        if sweep:
            _print_sweep(rows, similarities, policy, sweep)
        for misses, title in ((True, "misses"), (False, "false alarms")):
            found = error_groups(rows, verdicts, misses=misses, examples=examples)
            total = sum(g.count for g in found)
            console.print(f"\n[bold]{total} {title}[/bold], by reason:")
            for group in found[:groups]:
                console.print(f"  [bold]{group.code}[/bold]: {group.count}")
                for row, verdict in group.examples:
                    console.print(f"    - {row.premise[:160]}", markup=False, highlight=False)
                    console.print(f"      {row.hypothesis[:160]}", markup=False, highlight=False)
                    console.print(f"      -> {verdict.reason[:240]}", markup=False, highlight=False)


def _print_sweep(rows: Any, similarities: list[float], policy: Any, sweep: list[str]) -> None:
    """Precision and recall with one ComparePolicy threshold changed at a time."""
    import dataclasses

    from harness.evaluate import judge_pairs, score

    table = Table(title="calibration")
    for column in ("threshold", "value", "precision", "recall", "flagged"):
        table.add_column(column)
    fields = {f.name for f in dataclasses.fields(policy)}
    for spec in sweep:
        name, _, values = spec.partition("=")
        if name not in fields or not values:
            console.print(
                f"--sweep {spec!r}: expected NAME=V1,V2 with NAME one of {sorted(fields)}"
            )
            raise typer.Exit(2)
        for value in values.split(","):
            changed = dataclasses.replace(policy, **{name: type(getattr(policy, name))(value)})
            report = score(rows, judge_pairs(rows, similarities, changed))
            mark = " (default)" if getattr(policy, name) == getattr(changed, name) else ""
            table.add_row(
                name,
                f"{value}{mark}",
                f"{report.precision:.3f}",
                f"{report.recall:.3f}",
                str(report.flagged),
            )
    console.print(table)


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
        str | None,
        typer.Option(
            help="Any of embedding, ingest, check, hostile, desk (its pages at 100k conflicts on "
            "SQLite), comma-separated. Default: all but desk, or all but hostile and desk "
            "with --quick."
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="Where the JSON results go.")] = Path(
        "bench/results.json"
    ),
    workers: Annotated[
        str, typer.Option(help="API worker processes to measure /v1/check with, comma-separated.")
    ] = "1,2",
) -> None:
    """Measure encode, ingest and check speed, latency growth and memory, and the CPU cost of
    hostile input (not a test)."""
    try:
        from harness.bench import BenchConfig, run_bench
    except ImportError as error:  # psutil and pgserver come with the dev extra
        console.print(f"crosscheck bench needs pip install -e '.[dev]' ({error.name} is missing)")
        raise typer.Exit(2) from None

    config = BenchConfig(
        command="crosscheck " + " ".join(sys.argv[1:]),
        out=out,
        quick=quick,
        sizes=(10_000,) if quick else tuple(int(s) for s in sizes.split(",")),
        databases=("sqlite",) if quick else tuple(databases.split(",")),
        rounds=1 if quick else rounds,
        sections=tuple(
            (
                sections
                or ("embedding,ingest,check" if quick else "embedding,ingest,check,hostile")
            ).split(",")
        ),
        workers=tuple(int(w) for w in workers.split(",")),
    )
    run_bench(config, console)
