"""Response shapes shared by several feature slices."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.core.interval import Interval
from app.core.quantities import Quantity


class IntervalOut(BaseModel):
    """The values a quantity allows; ``null`` bounds are infinite."""

    low: float | None
    high: float | None
    low_open: bool
    high_open: bool
    notation: str = Field(examples=["(270000, +inf)"])

    @classmethod
    def of(cls, interval: Interval) -> IntervalOut:
        return cls(
            low=None if math.isinf(interval.low) else interval.low,
            high=None if math.isinf(interval.high) else interval.high,
            low_open=interval.low_open,
            high_open=interval.high_open,
            notation=interval.notation,
        )


class QuantityOut(BaseModel):
    """A quantity as written and as read."""

    text: str = Field(examples=["more than 270,000 people"])
    value: float
    interval: IntervalOut
    kind: str
    unit: str | None
    noun: str | None
    predicate: str | None
    qualifier: str | None

    @classmethod
    def of(cls, quantity: Quantity) -> QuantityOut:
        return cls(
            text=quantity.text,
            value=quantity.value,
            interval=IntervalOut.of(quantity.interval),
            kind=quantity.kind,
            unit=quantity.unit,
            noun=quantity.noun,
            predicate=quantity.predicate,
            qualifier=quantity.qualifier,
        )


class ClaimRef(BaseModel):
    """A claim with where it comes from. ``id`` and ``article_id`` are null for unstored text."""

    model_config = ConfigDict(from_attributes=True)

    id: int | None
    text: str
    article_id: int | None
    source: str | None
    published_at: date | None
    url: str | None = None
    title: str | None = None


MAX_ID = 2**31 - 1
"""Largest id a row can have on every backend (PostgreSQL integer)."""

ResourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="The resource's id.")]
"""A path id: out of range is a 422, never a database error."""


def _iso_text(value: object) -> object:
    # Pydantic would read a JSON number as a Unix time; the API documents ISO dates only.
    if value is not None and not isinstance(value, (str, date)):
        raise ValueError("must be an ISO 8601 string, e.g. 2016-03-14")
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("must be an ISO 8601 string, e.g. 2016-03-14, not a number")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_text)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text)]
