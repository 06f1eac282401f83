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


class Overloaded(Unavailable):
    """Too much work queued: the caller should retry after ``retry_after`` seconds."""

    def __init__(self, detail: str, retry_after: int = 1):
        super().__init__(detail)
        self.retry_after = retry_after


class Unauthorized(CrosscheckError):
    """No API key, or one the service does not know."""

    title = "Unauthorized"


class RateLimited(CrosscheckError):
    """The caller made too many requests: retry after ``retry_after`` seconds."""

    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int = 1):
        super().__init__(detail)
        self.retry_after = retry_after
