"""How the core's values are stored: a claim's analysis and a conflict's quantity pairs as JSON.

These are storage shapes, apart from the API's schemas: a change to a response never changes
what is stored, and the rows say which version of the shape they hold.

- ``claims.analysis``: what ``analyse_claim`` read in the claim, written at ingest and read
  back for every comparison, so that what is compared is what was stored. It records the
  ``ANALYSIS_VERSION`` of the reader that wrote it; a row written by another version (or
  before analyses were stored) is analysed again from its text when read, until
  ``crosscheck reanalyse`` rewrites it.
- ``conflicts.details``: every disagreeing quantity pair of a conflict, in the order
  (claim a, claim b).

A quantity is stored as a list in ``_QUANTITY_FIELDS`` order rather than as an object: it is
read for every neighbour of every check, and the list is about half the bytes and decodes in
half the time. Its text is not stored: it is ``claim_text[start:end]``.
"""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache
from typing import Any

from app.core.analysis import ANALYSIS_VERSION, ClaimFacts, DateSpan, analyse_claim
from app.core.compare import QuantityConflict
from app.core.interval import Interval
from app.core.quantities import Quantity

DETAILS_VERSION = 1

_QUANTITY_FIELDS = (
    "start",
    "end",
    "value",
    "low",  # null: -inf
    "high",  # null: +inf
    "low_open",
    "high_open",
    "kind",
    "unit",
    "noun",
    "predicate",
    "qualifier",
    "tolerance",
    "negated",
    "direction",
    "role",
    "modifiers",
    "subject",
    "context",
    "slot",
    "names",
    "places",
    "scope",
)


def quantity_to_json(q: Quantity) -> list[Any]:
    """A quantity as a JSON list (``_QUANTITY_FIELDS`` order)."""
    iv = q.interval
    return [
        q.start,
        q.end,
        q.value,
        None if math.isinf(iv.low) else iv.low,
        None if math.isinf(iv.high) else iv.high,
        iv.low_open,
        iv.high_open,
        q.kind,
        q.unit,
        q.noun,
        q.predicate,
        q.qualifier,
        q.tolerance,
        q.negated,
        q.direction,
        q.role,
        list(q.modifiers),
        q.subject,
        q.context,
        q.slot,
        list(q.names),
        list(q.places),
        q.scope,
    ]


def quantity_from_json(data: list[Any], span: str) -> Quantity:
    """The quantity ``quantity_to_json`` wrote; ``span`` is its text as written.

    Lists written before the frame's names, places and scope were stored (conflict details of
    older rows) are read with those left empty."""
    if len(data) < len(_QUANTITY_FIELDS):
        data = [*data, [], [], None][: len(_QUANTITY_FIELDS)]
    (
        start,
        end,
        value,
        low,
        high,
        low_open,
        high_open,
        kind,
        unit,
        noun,
        predicate,
        qualifier,
        tolerance,
        negated,
        direction,
        role,
        modifiers,
        subject,
        context,
        slot,
        names,
        places,
        scope,
    ) = data
    return Quantity(
        text=span,
        start=start,
        end=end,
        value=value,
        interval=Interval(
            -math.inf if low is None else low,
            math.inf if high is None else high,
            low_open,
            high_open,
        ),
        kind=kind,
        unit=unit,
        noun=noun,
        predicate=predicate,
        qualifier=qualifier,
        tolerance=tolerance,
        negated=negated,
        direction=direction,
        role=role,
        modifiers=tuple(modifiers),
        subject=subject,
        context=context,
        slot=slot,
        names=tuple(names),
        places=tuple(places),
        scope=scope,
    )


def analysis_to_json(facts: ClaimFacts) -> dict[str, Any]:
    """A claim's analysis as stored in ``claims.analysis``."""
    when = facts.when
    return {
        "v": ANALYSIS_VERSION,
        "quantities": [quantity_to_json(q) for q in facts.quantities],
        "when": None if when is None else [when.first.isoformat(), when.last.isoformat()],
        "when_from_text": facts.when_from_text,
    }


def analysis_from_json(
    data: dict[str, Any] | None, text: str, published_at: date | None
) -> ClaimFacts:
    """The stored analysis of a claim; read again from its text if none is stored or it was
    written by another version of the reader."""
    if data is None or data.get("v") != ANALYSIS_VERSION:
        return _analysed(text, published_at)
    when = data["when"]
    return ClaimFacts(
        text=text,
        published_at=published_at,
        quantities=tuple(quantity_from_json(q, text[q[0] : q[1]]) for q in data["quantities"]),
        when=None
        if when is None
        else DateSpan(date.fromisoformat(when[0]), date.fromisoformat(when[1])),
        when_from_text=data["when_from_text"],
    )


def is_current(data: dict[str, Any] | None) -> bool:
    """Whether a stored analysis was written by this version of the reader."""
    return data is not None and data.get("v") == ANALYSIS_VERSION


@lru_cache(maxsize=10_000)
def _analysed(text: str, published_at: date | None) -> ClaimFacts:
    # Only rows from before analyses were stored, or from another reader version, come here,
    # and the same ones come back as neighbours again and again until they are rewritten.
    return analyse_claim(text, published_at)


def details_to_json(pairs: tuple[QuantityConflict, ...]) -> dict[str, Any]:
    """A conflict's quantity pairs as stored in ``conflicts.details``, each quantity with its
    text (the feed reads them without the claims' sentences)."""
    return {
        "v": DETAILS_VERSION,
        "pairs": [
            {
                "measure": c.measure,
                "rule": c.rule,
                "relative_gap": c.relative_gap,
                "severity": c.severity,
                "basis": c.basis,
                "a": {"text": c.a.text, "quantity": quantity_to_json(c.a)},
                "b": {"text": c.b.text, "quantity": quantity_to_json(c.b)},
            }
            for c in pairs
        ],
    }


def details_from_json(data: dict[str, Any]) -> tuple[QuantityConflict, ...]:
    """The quantity pairs ``details_to_json`` wrote."""
    if data.get("v") != DETAILS_VERSION:
        raise ValueError(f"conflict details of version {data.get('v')!r} are not readable here")
    return tuple(
        QuantityConflict(
            a=quantity_from_json(pair["a"]["quantity"], pair["a"]["text"]),
            b=quantity_from_json(pair["b"]["quantity"], pair["b"]["text"]),
            measure=pair["measure"],
            relative_gap=pair["relative_gap"],
            rule=pair["rule"],
            severity=pair["severity"],
            basis=pair.get("basis", ""),  # pairs stored before frames have none
        )
        for pair in data["pairs"]
    )
