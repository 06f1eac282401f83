"""Domain errors. They know nothing of HTTP; ``app.problems`` renders them in one place, each
as its problem kind (type URI, status, the status phrase as title)."""

from __future__ import annotations


class CrosscheckError(Exception):
    """Base of every error the service reports to its caller."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class BadRequest(CrosscheckError):
    """The request cannot be read (malformed JSON, a page token the service did not issue)."""


class NotFound(CrosscheckError):
    """No such resource."""


class AlreadyExists(CrosscheckError):
    """The request contradicts what is stored."""


class InvalidInput(CrosscheckError):
    """A field is invalid."""


class TooLarge(CrosscheckError):
    """The request is larger than the service accepts."""


class Unavailable(CrosscheckError):
    """A dependency (the database, the model) cannot serve now."""


class Overloaded(Unavailable):
    """Too much work queued: the caller should retry after ``retry_after`` seconds."""

    def __init__(self, detail: str, retry_after: int = 1):
        super().__init__(detail)
        self.retry_after = retry_after


class Unauthorized(CrosscheckError):
    """No API key, or one the service does not know."""


class RateLimited(CrosscheckError):
    """The caller made too many requests: retry after ``retry_after`` seconds."""

    def __init__(self, detail: str, retry_after: int = 1):
        super().__init__(detail)
        self.retry_after = retry_after
