"""Who is at the desk: a signed session cookie, and a token for every form.

The cookie (HttpOnly, SameSite=Strict, Secure when served over https) holds the reviewer's
name (their API key's name, never the key) and a random nonce, signed with itsdangerous under
the desk's key and valid for ``SESSION_HOURS``. Every form carries a token bound to that nonce
and to the form's action (HMAC), so a post is accepted only from a page this server rendered
for this session; the sign-in form is bound to a visitor's nonce the same way.

The key: ``CROSSCHECK_SESSION_SECRET`` when set, else derived from the page-token key (kept
beside a SQLite file database in ``crosscheck.db.secret``; derived from the URL for
PostgreSQL), so every worker and restart agrees.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from ipaddress import ip_address

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "crosscheck_desk"
SESSION_HOURS = 12
LOCAL_REVIEWER = "local reviewer"
_LABEL = b"crosscheck desk sessions v1\x00"


def desk_key(secret: str | None, page_token_key: bytes) -> bytes:
    """The key sessions and form tokens are signed with."""
    if secret:
        return hashlib.sha256(_LABEL + secret.encode()).digest()
    return hashlib.sha256(_LABEL + page_token_key).digest()


@dataclass(frozen=True, slots=True)
class DeskSession:
    """A session: a signed-in reviewer (or a visitor, ``reviewer`` None) and its nonce."""

    reviewer: str | None
    nonce: str


class Sessions:
    """Reads and writes the session cookie, and makes and checks form tokens."""

    def __init__(self, key: bytes):
        self._key = key
        self._serializer = URLSafeTimedSerializer(key, salt="desk-session")

    def read(self, request: Request) -> DeskSession | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("n"), str):
            return None
        reviewer = data.get("r")
        return DeskSession(reviewer if isinstance(reviewer, str) else None, data["n"])

    def write(self, response: Response, request: Request, session: DeskSession) -> None:
        response.set_cookie(
            COOKIE,
            self._serializer.dumps({"r": session.reviewer, "n": session.nonce}),
            max_age=SESSION_HOURS * 3600,
            path="/desk",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/desk", httponly=True, samesite="strict")

    @staticmethod
    def new(reviewer: str | None) -> DeskSession:
        return DeskSession(reviewer, secrets.token_urlsafe(16))

    def form_token(self, session: DeskSession, action: str) -> str:
        """The token of the form posting to ``action`` in this session."""
        message = f"{session.nonce}\x00{action}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:40]

    def token_is_valid(self, session: DeskSession | None, action: str, token: str | None) -> bool:
        if session is None or not token:
            return False
        return hmac.compare_digest(self.form_token(session, action), token)


def is_loopback(request: Request) -> bool:
    """Whether the request came from this machine (the only place a keyless desk opens)."""
    host = request.client.host if request.client else ""
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
