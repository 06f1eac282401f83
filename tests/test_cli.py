"""The crosscheck command: ingest the seeds from their manifest, print the conflicts, eval."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli, package_version
from app.config import get_settings
from app.embeddings import Embedder
from harness.bench.corpus import SEEDS
from tests.support.models import Borrowed
from tests.support.webpages import article_page

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


# --- For scripts: --version, --json, one-line usage errors, --follow --------------------------


def manifest_of(tmp_path: Path, entries: list[dict[str, object]]) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(entries))
    return path


def seed_entries() -> list[dict[str, object]]:
    entries: list[dict[str, object]] = json.loads((SEEDS / "manifest.json").read_text())
    return [{**entry, "file": str(SEEDS / str(entry["file"]))} for entry in entries]


def test_version() -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"crosscheck {package_version()}"
    assert package_version() != "unknown"


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["conflicts", "--order", "bogus"], ["--order", "'bogus' is not one of"]),
        (["conflicts", "--follow", "--order", "severity"], ["--follow", "drop --order"]),
        (["conflicts", "--since", "yesterday"], ["--since", "yesterday"]),
        (
            ["ingest", "a.txt", "--source", "AP", "--published-at", "2016-13-01"],
            ["--published-at", "2016-13-01"],
        ),
        (["ingest", "a.txt"], ["--source is required"]),
        (["conflicts", "--limit", "0"], ["--limit"]),
    ],
    ids=["order", "follow-order", "since", "published-at", "source", "limit"],
)
def test_a_bad_option_is_one_line_and_exit_2(
    database: Path, args: list[str], needles: list[str]
) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("crosscheck")
    for needle in needles:
        assert needle in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_no_arguments_shows_the_help() -> None:
    result = runner.invoke(cli, [])
    assert result.exit_code == 2
    assert "conflicts" in result.stdout
    assert result.stderr.strip() == ""


def test_ingest_and_conflicts_as_json(database: Path, tmp_path: Path) -> None:
    first = runner.invoke(cli, ["ingest", str(SEEDS / "manifest.json"), "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert (report["stored"], report["already_stored"], report["failed"]) == (5, 0, 0)
    assert report["new_conflicts"] == 2
    assert [item["status"] for item in report["items"]] == [201] * 5
    assert all(item["id"] >= 1 and item["claims"] > 0 for item in report["items"])

    again = json.loads(
        runner.invoke(cli, ["ingest", str(SEEDS / "manifest.json"), "--json"]).stdout
    )
    assert [item["status"] for item in again["items"]] == [200] * 5
    assert [item["id"] for item in again["items"]] == [item["id"] for item in report["items"]]

    listed = runner.invoke(cli, ["conflicts", "--json", "--order", "severity"])
    assert listed.exit_code == 0, listed.output
    conflicts = json.loads(listed.stdout)
    assert len(conflicts) == 2
    assert {c["measure"] for c in conflicts} == {"people killed"}

    for command in (["migrate", "--json"], ["reanalyse", "--json"]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 0, result.output
        assert isinstance(json.loads(result.stdout), dict)
    assert json.loads(runner.invoke(cli, ["reanalyse", "--json"]).stdout) == {"analysed": 0}


def test_ingest_reports_each_refused_file_and_stores_the_others(
    database: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    entries = [
        *seed_entries()[:2],
        {"file": str(tmp_path / "missing.txt"), "source": "AP"},
        {"file": str(empty), "source": "AP"},
        {"file": str(SEEDS / "002_0dfca36762ad2456.txt"), "source": "AP", "published_at": "3 May"},
        seed_entries()[2],
    ]
    result = runner.invoke(cli, ["ingest", str(manifest_of(tmp_path, entries)), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [item["status"] for item in report["items"]] == [201, 201, 422, 422, 422, 201]
    assert "cannot be read" in report["items"][2]["detail"]
    assert "text is empty" in report["items"][3]["detail"]
    assert "published_at" in report["items"][4]["detail"]
    refusals = result.stderr.strip().splitlines()
    assert len(refusals) == 3
    assert all(line.startswith("crosscheck: ") for line in refusals)
    assert report["new_conflicts"] == 2  # AP against RFE/RL and AFP


def test_a_manifest_that_is_not_json_is_one_line(database: Path, tmp_path: Path) -> None:
    bad = tmp_path / "manifest.json"
    bad.write_text("[{")
    result = runner.invoke(cli, ["ingest", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "not JSON" in result.stderr
    assert "Traceback" not in result.output


def test_follow_prints_each_conflict_once_as_it_is_found(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: Embedder
) -> None:
    seeds = seed_entries()
    afp = [e for e in seeds if str(e["source"]).startswith("AFP")]
    others = [e for e in seeds if e not in afp]
    assert runner.invoke(cli, ["ingest", str(manifest_of(tmp_path, others))]).exit_code == 0
    later = tmp_path / "later"
    later.mkdir()
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        # Between two polls another process stores AFP's article, and with it a conflict.
        sleeps.append(seconds)
        if len(sleeps) == 1:
            ingested = runner.invoke(cli, ["ingest", str(manifest_of(later, afp))])
            assert ingested.exit_code == 0, ingested.output

    monkeypatch.setattr("app.cli._sleep", sleep)
    result = runner.invoke(
        cli, ["conflicts", "--follow", "--json", "--interval", "0.5", "--max-polls", "3"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2  # RFE/RL-AP first, then AFP-AP once it was found; none twice
    assert len({line["id"] for line in lines}) == 2
    assert not any(s.startswith("AFP") for s in (lines[0]["a"]["source"], lines[0]["b"]["source"]))
    assert any(s.startswith("AFP") for s in (lines[1]["a"]["source"], lines[1]["b"]["source"]))
    assert sleeps == [0.5, 0.5]  # three polls, a sleep between each


def test_follow_pages_through_a_backlog_without_sleeping(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(cli, ["ingest", str(SEEDS / "manifest.json")]).exit_code == 0
    sleeps: list[float] = []
    monkeypatch.setattr("app.cli._sleep", sleeps.append)
    result = runner.invoke(
        cli, ["conflicts", "--follow", "--json", "--limit", "1", "--max-polls", "1"]
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2
    assert sleeps == []


def test_ingest_reads_html_files_as_pages(database: Path, tmp_path: Path) -> None:
    seed = seed_entries()[2]
    page = tmp_path / "ap.html"
    text = Path(str(seed["file"])).read_text(encoding="utf-8")
    page.write_text(article_page(text, str(seed["title"]), "AP", str(seed["published_at"])))
    result = runner.invoke(cli, ["ingest", str(page), "--source", "AP", "--json"])
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.stdout)["items"]
    assert item["status"] == 201
    again = runner.invoke(cli, ["ingest", str(page), "--source", "AP", "--json"])
    assert json.loads(again.stdout)["items"][0]["status"] == 200
