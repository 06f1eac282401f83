"""Write the client's OpenAPI document and its models from the service as it is now.

    .venv/bin/python clients/python/generate.py        (or: make client)

``openapi.json`` is the live document of ``app.main.create_app``; ``_models.py`` is generated
from it by datamodel-code-generator, pinned in pyproject.toml's dev extra so that the output
is reproducible. ``tests/client/test_drift.py`` regenerates both and fails if the checked-in
ones differ: a change to the API's wire shapes shows up in the client in the same commit.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "crosscheck_client"

CODEGEN_OPTIONS = [
    "--input-file-type",
    "openapi",
    "--output-model-type",
    "pydantic_v2.BaseModel",
    "--target-python-version",
    "3.11",
    "--use-standard-collections",
    "--use-union-operator",
    "--use-annotated",
    "--collapse-root-models",
    "--use-schema-description",
    "--enum-field-as-literal",
    "all",
    "--use-double-quotes",
    "--output-datetime-class",
    "datetime",
    "--disable-timestamp",
    "--custom-file-header",
    "# Generated from openapi.json by clients/python/generate.py: do not edit.",
]


def openapi_document() -> str:
    """The service's OpenAPI document, as the default settings serve it."""
    from app.config import Settings
    from app.main import create_app

    document = create_app(Settings(database_url="sqlite:///:memory:")).openapi()
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def models_of(document: str) -> str:
    """The pydantic models datamodel-code-generator writes for ``document``."""
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "openapi.json"
        source.write_text(document, encoding="utf-8")
        target = Path(directory) / "models.py"
        command = [
            str(Path(sys.executable).parent / "datamodel-codegen"),
            "--input",
            str(source),
            "--output",
            str(target),
            *CODEGEN_OPTIONS,
        ]
        subprocess.run(command, check=True, capture_output=True, text=True)
        return target.read_text(encoding="utf-8")


def main() -> None:
    document = openapi_document()
    (PACKAGE / "openapi.json").write_text(document, encoding="utf-8")
    (PACKAGE / "_models.py").write_text(models_of(document), encoding="utf-8")
    print(f"wrote {PACKAGE / 'openapi.json'} and {PACKAGE / '_models.py'}")


if __name__ == "__main__":
    main()
