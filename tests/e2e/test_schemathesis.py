"""Hostile input: schemathesis against the service's own OpenAPI document, every operation.

Generated requests, valid and invalid, through every phase (examples, coverage, fuzzing,
stateful sequences), with the checks: no 5xx; every status, content type, header and body as
documented; invalid data refused; auth not ignored; deleted resources gone; 405 with an exact
Allow. Left out: ``positive_data_acceptance``, which wants every schema-valid request accepted,
while the service rightly refuses some on rules a schema cannot state (a page token it never
issued, a blank text, an Idempotency-Key reused with another body, a webhook host not allowed).
Bounded by CROSSCHECK_SCHEMATHESIS_EXAMPLES examples per operation (default 40); the seed is
fixed so that CI is repeatable (CROSSCHECK_SCHEMATHESIS_SEED to explore).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import API_KEY, Server

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


@pytest.mark.slow
def test_every_operation_survives_generated_requests(
    server_factory: type[Server], tmp_path: Path
) -> None:
    assert SCHEMATHESIS.exists(), "schemathesis is not installed"
    server = server_factory(
        tmp_path,
        settings={
            # Off so that the generated traffic is judged, not throttled (the limit has tests
            # of its own); webhooks may only call this machine.
            "rate_limit_per_minute": 0,
            "webhook_allowed_hosts": ["127.0.0.1"],
            "webhook_private_networks": ["127.0.0.1/32"],
            "max_text_chars": 20_000,
        },
    ).start()
    examples = os.environ.get("CROSSCHECK_SCHEMATHESIS_EXAMPLES", "40")
    seed = os.environ.get("CROSSCHECK_SCHEMATHESIS_SEED", "20261122")
    # A batch answers an invalid article inside its 200, as that item's 422 problem: by design,
    # so that the valid ones are stored. The schema still types the items as articles for
    # clients, so "invalid data must be rejected" does not hold for that one operation.
    config = tmp_path / "schemathesis.toml"
    # Every check runs (the default), except positive_data_acceptance, in the file: checks
    # named on the command line would override the per-operation setting.
    config.write_text(
        "[checks.positive_data_acceptance]\n"
        "enabled = false\n\n"
        "[[operations]]\n"
        'include-operation-id = "batchCreateArticles"\n'
        "checks.negative_data_rejection.enabled = false\n"
    )
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{server.url}/openapi.json",
        "--header",
        f"X-API-Key: {API_KEY}",
        "--max-examples",
        examples,
        "--seed",
        seed,
        "--request-timeout",
        "60",
        # One worker: Hypothesis's lambda introspection is not thread-safe on CPython 3.11.
        "--workers",
        "1",
        "--no-color",
    ]
    result = subprocess.run(
        command,
        cwd=server.directory,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    report = result.stdout + result.stderr
    print(report[-6000:])
    assert result.returncode == 0, report[-20000:]
    summary = report.split("SUMMARY")[-1]
    assert "Failures:" not in summary, summary
    assert "Errors:" not in summary, summary
