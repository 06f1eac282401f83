"""The crosscheck command: ingest the seeds from their manifest, print the conflicts, eval."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.embeddings import Embedder
from harness.bench.corpus import SEEDS
from tests.support.models import Borrowed

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: Embedder) -> Iterator[Path]:
    # The commands load the model themselves; lend them the session's already loaded one.
    monkeypatch.setattr("app.components.load_embedder", lambda settings: Borrowed(embedder))
    monkeypatch.setattr("app.embeddings.load_embedder", lambda settings: Borrowed(embedder))
    path = tmp_path / "nested" / "cli.db"
    monkeypatch.setenv("CROSSCHECK_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_ingest_the_manifest_then_list_conflicts(database: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(SEEDS / "manifest.json")])
    assert result.exit_code == 0, result.output
    assert "5 stored, 0 already stored" in result.output
    assert "2 new conflicts" in result.output
    assert database.exists()

    again = runner.invoke(cli, ["ingest", str(SEEDS / "manifest.json")])
    assert "0 stored, 5 already stored" in again.output

    table = runner.invoke(cli, ["conflicts", "--order", "severity"])
    assert table.exit_code == 0, table.output
    assert "2 conflicts" in table.output
    assert table.output.count("people killed") == 2
    assert "250,000" in table.output


def test_ingest_plain_files_needs_a_source(database: Path, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Officials said 12 people were hurt in the blast on Monday.\n")
    refused = runner.invoke(cli, ["ingest", str(article)])
    assert refused.exit_code != 0
    assert "--source" in refused.output
    done = runner.invoke(
        cli, ["ingest", str(article), "--source", "Local", "--published-at", "2024-05-01"]
    )
    assert done.exit_code == 0, done.output
    assert "1 stored" in done.output


def test_eval_writes_one_verdict_per_row_in_order(database: Path, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "premise,hypothesis,label\n"
        '"The war has killed 250,000 people.","The war has killed more than 270,000 people.",'
        "contradiction\n"
        '"The war has killed 250,000 people.","The war has killed people.",entailment\n'
    )
    out = tmp_path / "verdicts.jsonl"
    result = runner.invoke(cli, ["eval", str(pairs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    verdicts = [json.loads(line) for line in out.read_text().splitlines()]
    assert [v["conflict"] for v in verdicts] == [True, False]
    assert "precision" in result.output
