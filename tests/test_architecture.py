"""The import-linter contracts (run by ``make lint``) keep up with the packages: a part of app
added later is covered by them without anyone remembering to add it."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path
from typing import Any

import app

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS: list[dict[str, Any]] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][
    "importlinter"
]["contracts"]


def contract(starting: str) -> dict[str, Any]:
    [found] = [c for c in CONTRACTS if c["name"].startswith(starting)]
    return found


def app_parts() -> set[str]:
    return {f"app.{module.name}" for module in pkgutil.iter_modules(app.__path__)}


def test_the_core_is_forbidden_every_other_part_of_app() -> None:
    forbidden = set(contract("The core is pure")["forbidden_modules"])
    assert app_parts() - {"app.core"} <= forbidden


def test_every_slice_service_is_in_the_independence_contract() -> None:
    services = {f"app.{path.parent.name}.service" for path in (ROOT / "app").glob("*/service.py")}
    assert services == set(contract("Feature slices")["modules"])


def test_every_repository_is_storage() -> None:
    sources = set(contract("Storage does not import HTTP")["source_modules"])
    repositories = {
        f"app.{path.parent.name}.repository" for path in (ROOT / "app").glob("*/repository.py")
    }
    covered = {r for r in repositories if r in sources or r.rsplit(".", 1)[0] in sources}
    assert covered == repositories


def test_the_desk_has_no_storage_of_its_own() -> None:
    """Every part of app that holds data (and every slice's repository) is forbidden to the
    desk, so its pages read and write through the services the API uses."""
    forbidden = set(contract("The desk reads and writes")["forbidden_modules"])
    assert {"app.db", "app.search", "app.sources"} <= forbidden
    assert contract("The desk reads and writes")["source_modules"] == ["app.desk"]
