"""FastAPI dependencies: the request's session (the transaction boundary), the settings and the
cross-check, built once at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.config import Settings
from app.pagination import PageTokens
from app.pipeline import CrossChecker


def _session(request: Request) -> Iterator[Session]:
    """One session per request: committed once when the endpoint succeeds, else rolled back.

    Scoped to the endpoint function so the commit happens before the response is sent: a client
    never sees 201 for a write that then failed to commit.
    """
    session: Session = request.app.state.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _checker(request: Request) -> CrossChecker:
    checker: CrossChecker = request.app.state.checker
    return checker


async def _page_tokens(request: Request) -> PageTokens:
    tokens: PageTokens = request.app.state.page_tokens
    return tokens


# The dependencies below that only read app state are ``async``: FastAPI runs a plain ``def``
# dependency in the thread pool, a hop of its own for every request.
SessionDep = Annotated[Session, Depends(_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(_settings)]
CheckerDep = Annotated[CrossChecker, Depends(_checker)]
PageTokensDep = Annotated[PageTokens, Depends(_page_tokens)]
