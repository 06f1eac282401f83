"""The crosscheck API over httpx: ``Client`` (sync) and ``AsyncClient``, the same methods.

- Every answer is parsed into the models generated from the API's OpenAPI document
  (``crosscheck_client.models``); an error is raised as ``ProblemError`` holding the RFC 9457
  problem the service sent (``type``, ``title``, ``status``, ``detail``, ``errors``).
- 429 and 503 answers, and connections that fail, are retried up to ``max_retries`` times,
  after the ``Retry-After`` the service sent (at most ``max_retry_wait`` seconds). Every call
  is safe to retry: ``create_article`` sends an ``Idempotency-Key`` (a new one per call, the
  same on each of its retries), a batch is recognised by the service as already stored, the
  other writes set a state.
- Pages are iterated for you (``iter_articles``, ``iter_conflicts``), and
  ``follow_conflicts`` tails the feed: the pages of conflicts found since, as they are found,
  each with the token to resume after it.

Each method is described once, as a request (``_Call``), and sent by either client.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, Literal, TypeVar

import httpx
from pydantic import BaseModel

from crosscheck_client._models import (
    ArticleOut,
    ArticlePage,
    BatchOut,
    CheckOut,
    CompareOut,
    ConflictOut,
    ConflictPage,
    MatchReviewOut,
    Problem,
    SearchResults,
)

__all__ = ["AsyncClient", "Client", "Ingested", "ProblemError"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

RETRIED_STATUSES = frozenset({429, 503})
FOLLOW_INTERVAL_SECONDS = 5.0


class ProblemError(Exception):
    """The service refused a request: ``problem`` is its RFC 9457 problem details."""

    def __init__(self, problem: Problem, response: httpx.Response):
        super().__init__(f"{problem.status} {problem.title}: {problem.detail}")
        self.problem = problem
        self.response = response

    @property
    def status(self) -> int:
        return self.problem.status


@dataclass(frozen=True)
class Ingested:
    """``create_article``'s answer: the article, and whether this call stored it."""

    article: ArticleOut
    created: bool  # False: the same article was already stored (status 200)
    replayed: bool  # True: the answer to an earlier call with the same Idempotency-Key


@dataclass(frozen=True)
class _Call(Generic[T]):
    """One API call, independent of how it is sent."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, Any] = field(default_factory=dict)
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


def _model(model: type[M]) -> Callable[[httpx.Response], M]:
    return lambda response: model.model_validate_json(response.content)


def _ingested(response: httpx.Response) -> Ingested:
    return Ingested(
        ArticleOut.model_validate_json(response.content),
        created=response.status_code == 201,
        replayed=response.headers.get("Idempotent-Replayed") == "true",
    )


def _nothing(response: httpx.Response) -> None:
    return None


def _params(**values: Any) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in values.items()
        if value is not None
    }


def _article_body(
    source: str,
    text: str | None,
    html: str | None,
    published_at: date | str | None,
    url: str | None,
    title: str | None,
) -> dict[str, Any]:
    if (text is None) == (html is None):
        raise ValueError("pass exactly one of text and html")
    return _params(
        source=source, text=text, html=html, published_at=published_at, url=url, title=title
    )


class _Calls:
    """The API's operations as ``_Call``s (their operation ids in the docstrings)."""

    @staticmethod
    def create_article(
        source: str,
        *,
        text: str | None = None,
        html: str | None = None,
        published_at: date | str | None = None,
        url: str | None = None,
        title: str | None = None,
        idempotency_key: str | None = None,
    ) -> _Call[Ingested]:
        """createArticle"""
        key = idempotency_key or uuid.uuid4().hex
        body = _article_body(source, text, html, published_at, url, title)
        return _Call("POST", "/v1/articles", _ingested, json=body, headers={"Idempotency-Key": key})

    @staticmethod
    def batch_create_articles(articles: Sequence[Mapping[str, Any]]) -> _Call[BatchOut]:
        """batchCreateArticles"""
        body = {"articles": [_params(**article) for article in articles]}
        return _Call("POST", "/v1/articles:batch", _model(BatchOut), json=body)

    @staticmethod
    def get_article(article_id: int) -> _Call[ArticleOut]:
        """getArticle"""
        return _Call("GET", f"/v1/articles/{article_id}", _model(ArticleOut))

    @staticmethod
    def delete_article(article_id: int) -> _Call[None]:
        """deleteArticle"""
        return _Call("DELETE", f"/v1/articles/{article_id}", _nothing)

    @staticmethod
    def list_articles(
        source: str | None = None, page_size: int | None = None, page_token: str | None = None
    ) -> _Call[ArticlePage]:
        """listArticles"""
        params = _params(source=source, page_size=page_size, page_token=page_token)
        return _Call("GET", "/v1/articles", _model(ArticlePage), params=params)

    @staticmethod
    def list_conflicts(
        *,
        source: str | None = None,
        other_source: str | None = None,
        since: date | str | None = None,
        min_gap: float | None = None,
        q: str | None = None,
        status: Literal["new", "confirmed", "dismissed"] | None = None,
        order: Literal["newest", "severity", "oldest"] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> _Call[ConflictPage]:
        """listConflicts"""
        params = _params(
            source=source,
            other_source=other_source,
            since=since,
            min_gap=min_gap,
            q=q,
            status=status,
            order=order,
            page_size=page_size,
            page_token=page_token,
        )
        return _Call("GET", "/v1/conflicts", _model(ConflictPage), params=params)

    @staticmethod
    def get_conflict(conflict_id: int) -> _Call[ConflictOut]:
        """getConflict"""
        return _Call("GET", f"/v1/conflicts/{conflict_id}", _model(ConflictOut))

    @staticmethod
    def review_conflict(
        conflict_id: int,
        status: Literal["new", "confirmed", "dismissed"],
        note: str | None = None,
    ) -> _Call[ConflictOut]:
        """reviewConflict (``note=None`` keeps the current note)"""
        body: dict[str, Any] = (
            {"status": status} if note is None else {"status": status, "note": note}
        )
        return _Call("PATCH", f"/v1/conflicts/{conflict_id}", _model(ConflictOut), json=body)

    @staticmethod
    def check_text(
        text: str,
        *,
        source: str | None = None,
        published_at: date | str | None = None,
        title: str | None = None,
    ) -> _Call[CheckOut]:
        """checkText"""
        body = _params(text=text, source=source, published_at=published_at, title=title)
        return _Call("POST", "/v1/check", _model(CheckOut), json=body)

    @staticmethod
    def compare_texts(
        a: str,
        b: str,
        *,
        a_published_at: date | str | None = None,
        b_published_at: date | str | None = None,
    ) -> _Call[CompareOut]:
        """compareTexts"""
        body = {
            "a": _params(text=a, published_at=a_published_at),
            "b": _params(text=b, published_at=b_published_at),
        }
        return _Call("POST", "/v1/compare", _model(CompareOut), json=body)

    @staticmethod
    def search_claims(q: str, k: int = 10, **filters: Any) -> _Call[SearchResults]:
        """searchClaims (filters: mode, source, exclude_source, since, until, page_token)"""
        params = _params(q=q, k=k, **filters)
        return _Call("GET", "/v1/claims/search", _model(SearchResults), params=params)

    @staticmethod
    def review_match(
        claim_id: int,
        other_claim_id: int,
        status: Literal["confirmed", "rejected"],
        note: str | None = None,
    ) -> _Call[MatchReviewOut]:
        """reviewMatch"""
        body = _params(status=status, note=note)
        path = f"/v1/matches/{claim_id}/{other_claim_id}"
        return _Call("PUT", path, _model(MatchReviewOut), json=body)


class _Base:
    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        max_retries: int,
        max_retry_wait: float,
    ):
        self.base_url = base_url.rstrip("/")
        self.headers = {"X-API-Key": api_key} if api_key else {}
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait

    def _wait(self, response: httpx.Response | None, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the answer is final."""
        if attempt >= self.max_retries:
            return None
        if response is None:  # the connection failed: back off 0.5, 1, 2 ... s
            return float(min(self.max_retry_wait, 0.5 * 2**attempt))
        if response.status_code not in RETRIED_STATUSES:
            return None
        try:
            seconds = float(response.headers.get("Retry-After", "1"))
        except ValueError:
            seconds = 1.0
        return min(self.max_retry_wait, max(0.0, seconds))

    @staticmethod
    def _result(call: _Call[T], response: httpx.Response) -> T:
        if response.is_success:
            return call.parse(response)
        if "json" in response.headers.get("content-type", ""):
            raise ProblemError(Problem.model_validate_json(response.content), response)
        problem = Problem(
            type="about:blank",
            title=response.reason_phrase,
            status=response.status_code,
            detail=response.text[:500],
        )
        raise ProblemError(problem, response)


class Client(_Base):
    """A synchronous client; use it as a context manager, or ``close()`` it."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 3,
        max_retry_wait: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        super().__init__(base_url, api_key, max_retries, max_retry_wait)
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)
        self._sleep = sleep

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: _Call[T]) -> T:
        attempt = 0
        while True:
            response: httpx.Response | None
            try:
                response = self._http.request(
                    call.method,
                    call.path,
                    params=call.params,
                    json=call.json,
                    headers={**self.headers, **call.headers},
                )
            except httpx.TransportError:
                response = None
                if attempt >= self.max_retries:
                    raise
            wait = self._wait(response, attempt)
            if wait is None:
                assert response is not None
                return self._result(call, response)
            self._sleep(wait)
            attempt += 1

    def create_article(self, source: str, **fields: Any) -> Ingested:
        """Store an article (``text=`` or ``html=``; ``published_at``, ``url``, ``title``)."""
        return self._send(_Calls.create_article(source, **fields))

    def batch_create_articles(self, articles: Sequence[Mapping[str, Any]]) -> BatchOut:
        """Store up to the service's batch size of articles, each answered on its own."""
        return self._send(_Calls.batch_create_articles(articles))

    def get_article(self, article_id: int) -> ArticleOut:
        return self._send(_Calls.get_article(article_id))

    def delete_article(self, article_id: int) -> None:
        self._send(_Calls.delete_article(article_id))

    def iter_articles(self, source: str | None = None, page_size: int = 100) -> Iterator[Any]:
        """Every stored article (summaries), newest first, page by page."""
        token: str | None = None
        while True:
            page = self._send(_Calls.list_articles(source, page_size, token))
            yield from page.items
            token = page.next_page_token
            if not token:
                return

    def list_conflicts(self, **filters: Any) -> ConflictPage:
        return self._send(_Calls.list_conflicts(**filters))

    def iter_conflicts(self, **filters: Any) -> Iterator[ConflictOut]:
        """Every conflict the filters select, page by page (``order``: newest by default)."""
        token = filters.pop("page_token", None)
        while True:
            page = self._send(_Calls.list_conflicts(**filters, page_token=token))
            yield from page.items
            if not page.items or not page.next_page_token:
                return
            token = page.next_page_token

    def follow_conflicts(
        self,
        *,
        page_token: str | None = None,
        interval: float = FOLLOW_INTERVAL_SECONDS,
        **filters: Any,
    ) -> Iterator[ConflictPage]:
        """Tail the feed, oldest first, forever: each page of conflicts found since
        ``page_token`` (from the start without one), as they are found. Keep the last page's
        ``follow_token`` to resume later exactly there; polls that find nothing sleep
        ``interval`` seconds."""
        token = page_token
        while True:
            page = self._send(_Calls.list_conflicts(**filters, order="oldest", page_token=token))
            token = page.follow_token or token
            if page.items:
                yield page
            else:
                self._sleep(interval)

    def get_conflict(self, conflict_id: int) -> ConflictOut:
        return self._send(_Calls.get_conflict(conflict_id))

    def review_conflict(
        self,
        conflict_id: int,
        status: Literal["new", "confirmed", "dismissed"],
        note: str | None = None,
    ) -> ConflictOut:
        return self._send(_Calls.review_conflict(conflict_id, status, note))

    def check_text(self, text: str, **fields: Any) -> CheckOut:
        """Analyse text against the store without storing it."""
        return self._send(_Calls.check_text(text, **fields))

    def compare_texts(self, a: str, b: str, **dates: Any) -> CompareOut:
        return self._send(_Calls.compare_texts(a, b, **dates))

    def search_claims(self, q: str, k: int = 10, **filters: Any) -> SearchResults:
        """Stored claims for q (mode=hybrid|semantic|lexical, source, exclude_source, since,
        until, page_token)."""
        return self._send(_Calls.search_claims(q, k, **filters))

    def review_match(
        self,
        claim_id: int,
        other_claim_id: int,
        status: Literal["confirmed", "rejected"],
        note: str | None = None,
    ) -> MatchReviewOut:
        """Confirm or reject two stored claims as a match."""
        return self._send(_Calls.review_match(claim_id, other_claim_id, status, note))


class AsyncClient(_Base):
    """The same methods as ``Client``, for asyncio; ``async with`` it, or ``await aclose()``."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 3,
        max_retry_wait: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ):
        super().__init__(base_url, api_key, max_retries, max_retry_wait)
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, transport=transport)
        self._sleep = sleep

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, call: _Call[T]) -> T:
        attempt = 0
        while True:
            response: httpx.Response | None
            try:
                response = await self._http.request(
                    call.method,
                    call.path,
                    params=call.params,
                    json=call.json,
                    headers={**self.headers, **call.headers},
                )
            except httpx.TransportError:
                response = None
                if attempt >= self.max_retries:
                    raise
            wait = self._wait(response, attempt)
            if wait is None:
                assert response is not None
                return self._result(call, response)
            await self._sleep(wait)
            attempt += 1

    async def create_article(self, source: str, **fields: Any) -> Ingested:
        return await self._send(_Calls.create_article(source, **fields))

    async def batch_create_articles(self, articles: Sequence[Mapping[str, Any]]) -> BatchOut:
        return await self._send(_Calls.batch_create_articles(articles))

    async def get_article(self, article_id: int) -> ArticleOut:
        return await self._send(_Calls.get_article(article_id))

    async def delete_article(self, article_id: int) -> None:
        await self._send(_Calls.delete_article(article_id))

    async def iter_articles(
        self, source: str | None = None, page_size: int = 100
    ) -> AsyncIterator[Any]:
        token: str | None = None
        while True:
            page = await self._send(_Calls.list_articles(source, page_size, token))
            for item in page.items:
                yield item
            token = page.next_page_token
            if not token:
                return

    async def list_conflicts(self, **filters: Any) -> ConflictPage:
        return await self._send(_Calls.list_conflicts(**filters))

    async def iter_conflicts(self, **filters: Any) -> AsyncIterator[ConflictOut]:
        token = filters.pop("page_token", None)
        while True:
            page = await self._send(_Calls.list_conflicts(**filters, page_token=token))
            for item in page.items:
                yield item
            if not page.items or not page.next_page_token:
                return
            token = page.next_page_token

    async def follow_conflicts(
        self,
        *,
        page_token: str | None = None,
        interval: float = FOLLOW_INTERVAL_SECONDS,
        **filters: Any,
    ) -> AsyncIterator[ConflictPage]:
        """As ``Client.follow_conflicts``."""
        token = page_token
        while True:
            page = await self._send(
                _Calls.list_conflicts(**filters, order="oldest", page_token=token)
            )
            token = page.follow_token or token
            if page.items:
                yield page
            else:
                await self._sleep(interval)

    async def get_conflict(self, conflict_id: int) -> ConflictOut:
        return await self._send(_Calls.get_conflict(conflict_id))

    async def review_conflict(
        self,
        conflict_id: int,
        status: Literal["new", "confirmed", "dismissed"],
        note: str | None = None,
    ) -> ConflictOut:
        return await self._send(_Calls.review_conflict(conflict_id, status, note))

    async def check_text(self, text: str, **fields: Any) -> CheckOut:
        return await self._send(_Calls.check_text(text, **fields))

    async def compare_texts(self, a: str, b: str, **dates: Any) -> CompareOut:
        return await self._send(_Calls.compare_texts(a, b, **dates))

    async def search_claims(self, q: str, k: int = 10, **filters: Any) -> SearchResults:
        return await self._send(_Calls.search_claims(q, k, **filters))

    async def review_match(
        self,
        claim_id: int,
        other_claim_id: int,
        status: Literal["confirmed", "rejected"],
        note: str | None = None,
    ) -> MatchReviewOut:
        return await self._send(_Calls.review_match(claim_id, other_claim_id, status, note))
