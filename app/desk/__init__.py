"""The review desk for fact-checkers at /desk/: server-rendered pages over the services."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.desk.endpoints import STATIC, router
from app.desk.session import Sessions, desk_key

__all__ = ["Sessions", "desk_key", "install_desk"]


def install_desk(app: FastAPI) -> None:
    """The desk's pages and its static files (its script and style, served from the package)."""
    app.include_router(router)
    app.mount("/desk/static", StaticFiles(directory=STATIC), name="desk-static")
