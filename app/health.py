"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db.session import write_problem
from app.problems import NOT_READY, problem_response, responses

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str
    model: str
    indexed_claims: int


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is alive (it says nothing of the database or the model)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses=responses(503))
def readyz(request: Request) -> Readiness | JSONResponse:
    """Ready to serve: the embedding model is loaded, the database answers and can be
    written (a rolled-back write; for a SQLite file, free space on its disk)."""
    state = request.app.state
    if getattr(state, "embedder", None) is None:
        return problem_response(request, NOT_READY, "The embedding model is not loaded.")
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return problem_response(
            request,
            NOT_READY,
            f"The database is not reachable: {type(error).__name__}.",
        )
    problem = write_problem(state.engine, state.settings.database.min_free_mb)
    if problem is not None:
        return problem_response(request, NOT_READY, problem)
    return Readiness(
        status="ready",
        database=state.engine.dialect.name,
        model=state.embedder.name,
        indexed_claims=state.search.count(),
    )
