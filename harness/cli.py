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
    lexical_neighbours: Annotated[
        int,
        typer.Option(
            min=0,
            help="Also /v1/check p50 with this many keyword neighbours per claim, alternating "
            "with semantic-only servers on the same store (0: not measured).",
        ),
    ] = 0,
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
        lexical_neighbours=lexical_neighbours,
    )
    run_bench(config, console)


DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _encode_cached(embedder: Any, texts: list[str], cache: Path | None) -> Any:
    """The model's vectors of ``texts``, kept in ``cache`` (a .npy file) keyed by the texts."""
    import hashlib

    import numpy as np

    key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    path = cache.with_name(f"{cache.stem}-{key}.npy") if cache is not None else None
    if path is not None and path.exists():
        return np.load(path)
    with console.status(f"embedding {len(texts)} texts"):
        vectors = np.concatenate(
            [embedder.encode(texts[i : i + 256]) for i in range(0, len(texts), 256)]
        )
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


def evaluate_clef(
    data: Annotated[Path, typer.Option(help="The CLEF 2020 Task 2 folder.")] = DATA / "clef2020",
    split: Annotated[str, typer.Option(help="train or dev.")] = "dev",
    sweep: Annotated[
        bool, typer.Option("--sweep", help="Also MAP@5 of other fusion parameters.")
    ] = False,
    database_url: Annotated[
        str | None, typer.Option(help="A new empty database (default: a temporary SQLite file).")
    ] = None,
    cache: Annotated[
        Path | None, typer.Option(help="Keep the embeddings here (a .npy name) between runs.")
    ] = None,
) -> None:
    """MAP@5 of verified-claim retrieval through the service's search: hybrid, semantic and
    lexical, on CLEF CheckThat! 2020 Task 2 (tune with --split train --sweep, report dev)."""
    import tempfile

    from app.components import Components
    from app.config import Settings
    from app.db.migrate import migrate_database
    from harness.retrieval import (
        TOP,
        ClefRun,
        mean_average_precision,
        read_split,
        read_verified_claims,
        store_claims,
    )
    from harness.retrieval import sweep as sweep_fusion

    claims = read_verified_claims(data / "verified_claims.docs.tsv")
    chosen = read_split(data / split)
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{folder}/clef.db"
        migrate_database(url)
        settings = Settings(database_url=url)
        components = Components.start(settings)
        try:
            vectors = _encode_cached(components.embedder, list(claims.values()), cache)
            vclaim_of = store_claims(components.engine, claims, vectors)
            rankings: dict[str, dict[str, list[str]]] = {}
            candidates = {}
            with console.status(f"searching {len(chosen.queries)} tweets three ways"):
                for mode in ("hybrid", "semantic", "lexical"):
                    ranked: dict[str, list[str]] = {}
                    for tweet, text in chosen.queries.items():
                        with components.sessions() as session:
                            found = components.checker.find(session, text, TOP, None, mode)
                        ranked[tweet] = [vclaim_of[claim.id] for claim, _ in found[:TOP]]
                        if mode == "hybrid":
                            candidates[tweet] = [fused.candidate for _, fused in found]
                    rankings[mode] = ranked
        finally:
            components.close()
    fusion = components.checker.hybrid.policy
    table = Table(title=f"CLEF 2020 Task 2 {split}: MAP@{TOP} over {len(chosen.relevant)} tweets")
    table.add_column("search")
    table.add_column(f"MAP@{TOP}")
    for mode, ranked in rankings.items():
        label = f"{mode} ({fusion.method})" if mode == "hybrid" else mode
        table.add_row(label, f"{mean_average_precision(ranked, chosen.relevant):.4f}")
    console.print(table)
    if sweep:
        run = ClefRun(candidates, vclaim_of)
        swept = Table(title=f"fusion on {split} (the same candidates re-fused)")
        swept.add_column("fusion")
        swept.add_column(f"MAP@{TOP}")
        for label, value in sweep_fusion(run, chosen.relevant, fusion):
            swept.add_row(label, f"{value:.4f}")
        console.print(swept)


def evaluate_mrpc(
    data: Annotated[Path, typer.Option(help="MRPC's training pairs.")] = DATA
    / "mrpc"
    / "msr_paraphrase_train.txt",
    fit: Annotated[
        bool,
        typer.Option("--fit", help="Fit on all pairs and write app/core/match_model.json."),
    ] = False,
    threshold: Annotated[
        float | None,
        typer.Option(help="Score a match from this (default: CROSSCHECK_MATCH_MIN_SCORE)."),
    ] = None,
    cache: Annotated[
        Path | None, typer.Option(help="Keep the embeddings here (a .npy name) between runs.")
    ] = None,
) -> None:
    """The match score on MRPC train, 5-fold cross-validated: ROC-AUC, precision and recall
    of `match` at the threshold, a reliability table, beside plain cosine's."""
    import dataclasses

    import numpy as np

    from app.config import get_settings
    from app.core.match_score import FEATURES, MODEL_FILE
    from app.embeddings import load_embedder
    from app.pipeline import CheckPolicy
    from harness.match_model import (
        cross_validated,
        decision_quality,
        feature_matrix,
        fit_logistic,
        precision_recall,
        read_mrpc,
        reliability,
        roc_auc,
    )

    settings = get_settings()
    pairs = read_mrpc(data)
    embedder = load_embedder(settings.embedding)
    a = _encode_cached(embedder, [p.a for p in pairs], cache)
    b = _encode_cached(embedder, [p.b for p in pairs], cache)
    cosine = np.einsum("ij,ij->i", a, b)
    y = np.asarray([p.paraphrase for p in pairs], dtype=np.float64)
    policy = CheckPolicy.from_settings(settings)
    with console.status("reading both sides of every pair"):
        x, verdicts = feature_matrix(pairs, cosine.tolist(), policy.compare)
    scores = cross_validated(x, y)
    cut = settings.matching.match_min_score if threshold is None else threshold

    def match_at(min_score: float) -> Any:
        chosen = dataclasses.replace(policy, match_min_score=min_score)
        return np.asarray(
            [
                chosen.is_match(float(c), float(s), v)
                for c, s, v in zip(cosine, scores, verdicts, strict=True)
            ]
        )

    table = Table(title=f"MRPC train, {len(pairs)} pairs ({int(y.sum())} paraphrases), 5-fold CV")
    for column in ("score", "ROC-AUC", "threshold", "precision", "recall", "F1"):
        table.add_column(column)
    p, r, f = precision_recall(scores, y, cut)
    table.add_row(
        "match score", f"{roc_auc(scores, y):.4f}", f"{cut}", f"{p:.3f}", f"{r:.3f}", f"{f:.3f}"
    )
    p, r, f = decision_quality(match_at(cut), y)
    table.add_row("match (service rule)", "", f"score {cut}", f"{p:.3f}", f"{r:.3f}", f"{f:.3f}")
    p, r, f = decision_quality(match_at(2.0), y)
    table.add_row("match, cosine rule only", "", "-", f"{p:.3f}", f"{r:.3f}", f"{f:.3f}")
    for cosine_cut in (0.7, 0.8):
        p, r, f = precision_recall(cosine, y, cosine_cut)
        table.add_row(
            "cosine",
            f"{roc_auc(cosine, y):.4f}",
            f"{cosine_cut}",
            f"{p:.3f}",
            f"{r:.3f}",
            f"{f:.3f}",
        )
    console.print(table)
    sweep = Table(title="match score thresholds (cross-validated)")
    for column in (
        "threshold",
        "score: precision",
        "recall",
        "F1",
        "match: precision",
        "recall",
        "F1",
    ):
        sweep.add_column(column)
    for t in (0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9):
        p, r, f = precision_recall(scores, y, t)
        mp, mr, mf = decision_quality(match_at(t), y)
        sweep.add_row(
            f"{t}", f"{p:.3f}", f"{r:.3f}", f"{f:.3f}", f"{mp:.3f}", f"{mr:.3f}", f"{mf:.3f}"
        )
    console.print(sweep)
    bins = Table(title="reliability (cross-validated scores)")
    for column in ("score", "pairs", "mean score", "paraphrases"):
        bins.add_column(column)
    for label, n, mean, share in reliability(scores, y):
        bins.add_row(label, str(n), f"{mean:.3f}", f"{share:.3f}")
    console.print(bins)
    if fit:
        model = fit_logistic(x, y)
        target = Path(__file__).resolve().parents[1] / "app" / "core" / MODEL_FILE
        target.write_text(
            model.to_json(
                fitted_on=f"MRPC train ({len(pairs)} pairs), crosscheck eval-mrpc --fit",
                features=list(FEATURES),
            )
            + "\n",
            encoding="utf-8",
        )
        console.print(f"wrote {target}")
