"""HTTP routes for the conflict feed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.conflicts import service
from app.conflicts.schemas import ConflictOut, ConflictPage
from app.dependencies import SessionDep, SettingsDep
from app.problems import responses

router = APIRouter(prefix="/v1/conflicts", tags=["conflicts"])


@router.get("", response_model=ConflictPage, responses=responses(400, 422, 503))
def list_conflicts(
    session: SessionDep,
    settings: SettingsDep,
    source: Annotated[
        str | None, Query(description="Only conflicts with a claim from this outlet.")
    ] = None,
    since: Annotated[
        datetime | None,
        Query(description="Only conflicts found at or after this time (ISO)."),
    ] = None,
    order: Annotated[
        Literal["newest", "severity"],
        Query(description="Newest first, or most severe first."),
    ] = "newest",
    page_size: Annotated[int | None, Query(ge=1, description="Items per page (capped).")] = None,
    page_token: Annotated[str | None, Query(description="next_page_token of a page.")] = None,
) -> ConflictPage:
    """Claims from different sources that disagree on a number, page by page."""
    size = min(page_size or settings.default_page_size, settings.max_page_size)
    return service.list_conflicts(session, size, page_token, order, source, since)


@router.get("/{conflict_id}", response_model=ConflictOut, responses=responses(404, 422, 503))
def get_conflict(conflict_id: int, session: SessionDep) -> ConflictOut:
    """One conflict with its full explanation: both claims, both numbers, the rule, the gap."""
    return service.get_conflict(session, conflict_id)
