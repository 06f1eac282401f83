"""Every way of writing a number reads the same value on /v1/check, /v1/compare and ingest;
an ambiguous one ("250.000") is read nowhere rather than misread."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from app.core.quantities import extract_quantities
from tests.support.api import post

FORMS = [
    ("250,000", 250_000.0),
    ("250 000", 250_000.0),
    ("250\u00a0000", 250_000.0),  # no-break space
    ("250\u202f000", 250_000.0),  # narrow no-break space
    ("250\u2009000", 250_000.0),  # thin space
    ("250\u200b000", 250_000.0),  # zero-width space
    ("250'000", 250_000.0),
    ("\uff12\uff15\uff10\uff0c\uff10\uff10\uff10", 250_000.0),  # full width
    ("\u0662\u0665\u0660\u066c\u0660\u0660\u0660", 250_000.0),  # Arabic-Indic digits
    ("1.234.567", 1_234_567.0),
    ("\u22125", -5.0),  # minus sign
    ("\u22122.5", -2.5),
    ("1,5 million", 1_500_000.0),
    ("1.125 billion", 1_125_000_000.0),
]
AMBIGUOUS = ["250.000", "1.500"]


def sentence(number: str) -> str:
    return f"The agency said {number} people were affected by the floods."


def values(quantities: list[dict]) -> list[float]:
    return [q["value"] for q in quantities]


@pytest.mark.parametrize(("written", "value"), FORMS)
def test_one_reading_on_every_path(client: TestClient, written: str, value: float) -> None:
    text = sentence(written)
    stored = post(client, "Reuters", text)
    [claim] = stored["claims"]
    checked = client.post("/v1/check", json={"text": text, "source": "AP"}).json()
    compared = client.post("/v1/compare", json={"a": {"text": text}, "b": {"text": text}}).json()
    readings = [
        values(claim["quantities"]),
        values(checked["claims"][0]["quantities"]),
        values(compared["a"]["quantities"]),
    ]
    assert readings == [[value]] * 3


@pytest.mark.parametrize("written", AMBIGUOUS)
def test_an_ambiguous_number_is_compared_nowhere(client: TestClient, written: str) -> None:
    text = sentence(written)
    [claim] = post(client, "Reuters", text)["claims"]
    compared = client.post(
        "/v1/compare", json={"a": {"text": text}, "b": {"text": sentence("250")}}
    ).json()
    assert claim["quantities"] == []
    assert compared["a"]["quantities"] == []
    assert compared["relation"] != "conflict"


SEPARATORS = [",", " ", "\u00a0", "\u202f", "\u2009", "'"]


@given(st.integers(min_value=1_000, max_value=999_999_999), st.sampled_from(SEPARATORS))
def test_grouped_digits_read_back_their_value(number: int, separator: str) -> None:
    written = f"{number:,}".replace(",", separator)
    [q] = extract_quantities(f"The agency said {written} people were affected.")
    assert q.value == number


@given(st.integers(min_value=1, max_value=999_999))
def test_digits_of_another_script_read_back_their_value(number: int) -> None:
    arabic = "".join(chr(0x0660 + int(d)) for d in str(number))
    [q] = extract_quantities(f"The agency said {arabic} people were affected.")
    assert q.value == number
