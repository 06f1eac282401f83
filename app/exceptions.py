"""Domain errors. They know nothing of HTTP; ``app.problems`` renders them in one place."""

from __future__ import annotations


class CrosscheckError(Exception):
    """Base of every error the service reports to its caller."""

    title = "Request failed"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class BadRequest(CrosscheckError):
    title = "Malformed request"


class NotFound(CrosscheckError):
    title = "Not found"


class AlreadyExists(CrosscheckError):
    title = "Conflicts with stored data"


class InvalidInput(CrosscheckError):
    title = "Invalid input"


class TooLarge(CrosscheckError):
    title = "Request too large"


class Unavailable(CrosscheckError):
    title = "Service unavailable"
