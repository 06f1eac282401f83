"""The client's OpenAPI document and models are the service's as it is now."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATE = ROOT / "clients" / "python" / "generate.py"
PACKAGE = ROOT / "clients" / "python" / "crosscheck_client"


@pytest.fixture(scope="module")
def generate() -> object:
    spec = importlib.util.spec_from_file_location("client_generate", GENERATE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_checked_in_document_is_the_live_one(generate: object) -> None:
    live = generate.openapi_document()  # type: ignore[attr-defined]
    checked_in = (PACKAGE / "openapi.json").read_text(encoding="utf-8")
    assert checked_in == live, "the API changed: run `make client` and commit the result"


def test_the_models_are_generated_from_it(generate: object) -> None:
    document = (PACKAGE / "openapi.json").read_text(encoding="utf-8")
    models = generate.models_of(document)  # type: ignore[attr-defined]
    assert (PACKAGE / "_models.py").read_text(encoding="utf-8") == models, "run `make client`"
