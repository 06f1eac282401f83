"""Opaque page tokens: clients pass back what they were given and never build one."""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any

from app.exceptions import BadRequest

MAX_TOKEN_CHARS = 512  # the longest position issued is well under 100 characters


def encode_page_token(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, expected: set[str]) -> dict[str, Any]:
    """The position a token names; a token this service did not issue is a 400."""
    try:
        if len(token) > MAX_TOKEN_CHARS:
            raise ValueError("longer than any token this service issues")
        padded = token + "=" * (-len(token) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: json.loads recurses per nesting level, and '[' * 1500 nests deeper
        # than the interpreter's stack allows.
        position = None
    if not isinstance(position, dict) or set(position) != expected or not _numbers(position):
        raise BadRequest(
            "page_token is not one this service issued: pass the next_page_token of the "
            "previous page unchanged, or omit it for the first page."
        )
    return position


def _numbers(position: dict[str, Any]) -> bool:
    """Positions are ids and scores: finite numbers an integer column can hold."""
    return all(
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and abs(value) < 2**31
        and math.isfinite(value)
        for value in position.values()
    )
