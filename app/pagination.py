"""Opaque page tokens: clients pass back what they were given and never build one.

A token is a keyset position (ids, a score) signed with HMAC-SHA256 and bound to where it was
issued: the endpoint, the order and the filters of the request. A token altered by hand, or
passed to another endpoint, with another order or with other filters (which would silently
give a wrong or empty page), is a 400 problem that says which. The key (``page_token_key``):
``CROSSCHECK_PAGE_TOKEN_SECRET`` when set; else, for a SQLite file, a random key generated once
and kept beside the database (``crosscheck.db.secret``, mode 0600), so that every worker and
restart agrees; for an in-memory database a key per process; for PostgreSQL a key derived from
the database URL, password included, which every worker and replica given the same URL shares
(set the secret when replicas reach the database by different URLs). Changing the key only
makes outstanding tokens 400: clients start again from the first page.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from app.exceptions import BadRequest

MAX_TOKEN_CHARS = 512  # the longest token issued is well under 200 characters
MAC_BYTES = 16
_KEY_LABEL = b"crosscheck page tokens v1\x00"
_START_AGAIN = "omit page_token to start again from the first page"


@dataclass(frozen=True, slots=True)
class PageScope:
    """Where a token is valid: an endpoint, an order and the request's filters (the values
    that change which items a page holds; ``None`` values are filters not set)."""

    endpoint: str
    order: str = "newest"
    filters: Mapping[str, object] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """A short digest of the filters' values (the token carries it, not the values)."""
        canonical = json.dumps(
            {k: _canonical(v) for k, v in self.filters.items() if v is not None},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=True,
        )
        return _b64(hashlib.sha256(canonical.encode()).digest()[:9])


class PageTokens:
    """Issues and reads the signed page tokens of one deployment."""

    def __init__(self, key: bytes):
        self._key = key

    def issue(self, scope: PageScope, position: Mapping[str, Any]) -> str:
        payload = {
            "e": scope.endpoint,
            "o": scope.order,
            "f": scope.fingerprint(),
            "p": dict(position),
        }
        raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(raw)}.{_b64(self._mac(raw))}"

    def read(self, token: str, scope: PageScope, expected: set[str]) -> dict[str, Any]:
        """The position a token names, after checking that this service issued it for this
        very request (endpoint, order, filters); else a 400 that says what differs."""
        raw = self._verified(token)
        try:
            payload = json.loads(raw)
        except (ValueError, RecursionError):
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("p"), dict):
            raise BadRequest(f"page_token is not one this service issued: {_START_AGAIN}.")
        if payload.get("e") != scope.endpoint:
            raise BadRequest(
                f"page_token was issued by {payload.get('e')}, not by {scope.endpoint}: a "
                f"token pages only the list that gave it; {_START_AGAIN}."
            )
        if payload.get("o") != scope.order:
            raise BadRequest(
                f"page_token was issued for order={payload.get('o')}, not order={scope.order}: "
                f"pass the same order as for the first page, or {_START_AGAIN}."
            )
        if payload.get("f") != scope.fingerprint():
            names = ", ".join(scope.filters) or "none"
            raise BadRequest(
                "page_token was issued for other filters than this request's (filters: "
                f"{names}): pass the same filters as for the first page, or {_START_AGAIN} "
                "with these."
            )
        position: dict[str, Any] = payload["p"]
        if set(position) != expected or not _numbers(position):
            raise BadRequest(f"page_token is not one this service issued: {_START_AGAIN}.")
        return position

    def _mac(self, raw: bytes) -> bytes:
        return hmac.new(self._key, raw, hashlib.sha256).digest()[:MAC_BYTES]

    def _verified(self, token: str) -> bytes:
        try:
            if len(token) > MAX_TOKEN_CHARS:
                raise ValueError("longer than any token this service issues")
            body, dot, mac = token.partition(".")
            if not dot:
                raise ValueError("no signature")
            raw, signature = _unb64(body), _unb64(mac)
        except (binascii.Error, ValueError):
            raise BadRequest(
                "page_token is not one this service issued (it is not a signed token): pass "
                f"the next_page_token of the previous page unchanged, or {_START_AGAIN}."
            ) from None
        if not hmac.compare_digest(signature, self._mac(raw)):
            raise BadRequest(
                "page_token has been altered, or was issued under another key (its signature "
                f"does not match): pass next_page_token unchanged, or {_START_AGAIN}."
            )
        return raw


def page_token_key(secret: str | None, database_url: str) -> bytes:
    """The key tokens are signed with (see the module's docstring for where it comes from)."""
    if secret:
        return hashlib.sha256(_KEY_LABEL + secret.encode()).digest()
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            return secrets.token_bytes(32)
        return _key_beside(Path(database))
    rendered = url.render_as_string(hide_password=False)
    return hashlib.sha256(_KEY_LABEL + rendered.encode()).digest()


def _key_beside(database: Path) -> bytes:
    """The key kept in ``<database>.secret`` (mode 0600), created whole by whoever comes
    first: written to a file of its own, then linked into place, which fails if another
    worker was quicker, so no one ever reads a half-written key."""
    path = database.with_name(database.name + ".secret")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(32) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink()
    text = path.read_text().strip()
    if len(text) < 32:
        raise RuntimeError(f"{path} holds no usable page-token key: delete it and restart")
    return hashlib.sha256(_KEY_LABEL + text.encode()).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    if not text or not text.isascii():
        raise ValueError("not base64")
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


def _canonical(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (str, int, bool)):
        return value
    return str(value)


def _numbers(position: dict[str, Any]) -> bool:
    """Positions are ids and scores: finite numbers an integer column can hold."""
    return all(
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and abs(value) < 2**31
        and math.isfinite(value)
        for value in position.values()
    )


@dataclass(frozen=True, slots=True)
class Paging:
    """One list request's paging: how many items, from where, and the scope its tokens are
    bound to. Services read the position and issue the next token through it."""

    tokens: PageTokens
    scope: PageScope
    size: int
    token: str | None = None

    def after(self, expected: set[str]) -> dict[str, Any] | None:
        """The position to continue after; ``None`` on the first page."""
        return self.tokens.read(self.token, self.scope, expected) if self.token else None

    def token_for(self, position: Mapping[str, Any]) -> str:
        return self.tokens.issue(self.scope, position)

    @classmethod
    def first_page(cls, scope: PageScope, size: int) -> Paging:
        """A first page outside any request (the CLI): its tokens are never read back."""
        return cls(PageTokens(secrets.token_bytes(32)), scope, size)
