"""The review desk: HTML pages for fact-checkers at /desk/, over the same services as the API.

Every page is rendered on the server and every action is a form that posts and redirects, so
the desk works without JavaScript; ``static/desk.js`` only adds the keys. Pages need a
signed-in reviewer (``app.desk.session``); with no API keys configured, a visitor from this
machine is the "local reviewer", under a warning banner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from app.articles import flows as article_flows
from app.articles import service as articles
from app.articles.repository import StoredArticle
from app.config import Settings
from app.conflicts import service as conflicts
from app.conflicts.schemas import ConflictOut, ConflictReview
from app.dependencies import CheckerDep, PageTokensDep, SessionDep, SettingsDep
from app.desk import views
from app.desk.session import LOCAL_REVIEWER, DeskSession, Sessions, is_loopback
from app.exceptions import BadRequest, NotFound
from app.limits import Limiter
from app.pagination import PageScope, PageTokens, Paging
from app.pipeline import CrossChecker
from app.schemas import MAX_ID
from app.security import key_owner

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["gap"] = views.gap_percent

router = APIRouter(prefix="/desk", include_in_schema=False)

PAGE_SIZE = 25
CSV_MAX_ROWS = 100_000
FEED_SCOPE = "GET /desk/"

# The desk's pages load their own script and style and post only to themselves.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def _sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.desk_sessions
    return sessions


def _keys(request: Request) -> dict[str, str]:
    settings: Settings = request.app.state.settings
    return settings.access.api_keys


def _current(request: Request) -> DeskSession | None:
    """The signed-in session: its reviewer still a configured key's name (or the local
    reviewer while no keys are configured)."""
    session = _sessions(request).read(request)
    if session is None or session.reviewer is None:
        return None
    keys = _keys(request)
    if keys and session.reviewer not in keys:
        return None
    if not keys and (session.reviewer != LOCAL_REVIEWER or not is_loopback(request)):
        return None
    return session


class _Page:
    """One page being answered: its session, and the cookie to set when it made one."""

    def __init__(self, request: Request, session: DeskSession, fresh: bool):
        self.request = request
        self.session = session
        self.fresh = fresh

    def token(self, action: str) -> str:
        return _sessions(self.request).form_token(self.session, action)

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        response = templates.TemplateResponse(
            self.request,
            template,
            {
                "reviewer": self.session.reviewer,
                "local": not _keys(self.request),
                "token": self.token,
                **context,
            },
            status_code=status,
        )
        return _finish(self.request, response, self.session if self.fresh else None)


def _finish(request: Request, response: Response, session: DeskSession | None) -> Response:
    response.headers["content-security-policy"] = POLICY
    response.headers["cache-control"] = "no-store"
    if session is not None:
        _sessions(request).write(response, request, session)
    return response


def _page(request: Request) -> _Page | Response:
    """The page's reviewer, or the answer instead: sign in, or the desk is closed."""
    session = _current(request)
    if session is not None:
        request.state.principal = session.reviewer  # the access log's caller
        return _Page(request, session, fresh=False)
    if not _keys(request):
        if is_loopback(request):
            request.state.principal = LOCAL_REVIEWER
            return _Page(request, Sessions.new(LOCAL_REVIEWER), fresh=True)
        return _closed(request)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return _finish(
        request, RedirectResponse(f"/desk/login?{urlencode({'next': target})}", 303), None
    )


def _closed(request: Request) -> Response:
    response = templates.TemplateResponse(
        request, "closed.html", {"reviewer": None, "local": True}, status_code=403
    )
    return _finish(request, response, None)


def _refused(request: Request, message: str, status: int = 403) -> Response:
    response = templates.TemplateResponse(
        request,
        "refused.html",
        {"reviewer": None, "local": not _keys(request), "message": message},
        status_code=status,
    )
    return _finish(request, response, None)


# --- signing in and out ---------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/desk/") and not target.startswith("//"):
        return target
    return "/desk/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form: one API key, whose name then signs every review."""
    visitor = _sessions(request).read(request) or Sessions.new(None)
    if not _keys(request):
        return RedirectResponse(_safe_next(next), 303)
    page = _Page(request, visitor, fresh=True)
    return page.render("login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    key: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=4000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Check the key (constant time, rate-limited per address) and sign its name in."""
    visitor = _sessions(request).read(request)
    if visitor is None or not _sessions(request).token_is_valid(visitor, request.url.path, csrf):
        return _refused(
            request,
            "This form has expired or did not come from the desk: open the sign-in page again.",
        )
    keys = _keys(request)
    if not keys:
        return RedirectResponse("/desk/", 303)
    limiter: Limiter = request.app.state.rate_limiter
    address = "addr:" + (request.client.host if request.client else "unknown")
    if limiter.acquire(address):
        return _refused(request, "Too many sign-in attempts: wait a minute and try again.", 429)
    owner = key_owner(key, keys)
    if owner is None:
        return _Page(request, visitor, fresh=False).render(
            "login.html",
            status=401,
            next=_safe_next(next),
            error="That key is not one of the API keys of this service.",
        )
    # A new nonce on sign-in: nothing issued to the visitor carries over.
    return _finish(request, RedirectResponse(_safe_next(next), 303), Sessions.new(owner))


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    """Sign out: the cookie is cleared."""
    session = _current(request)
    if not _sessions(request).token_is_valid(session, request.url.path, csrf):
        return _refused(request, "This form has expired or did not come from the desk.")
    response = RedirectResponse("/desk/login" if _keys(request) else "/desk/", 303)
    Sessions.clear(response)
    return _finish(request, response, None)


# --- the feed -------------------------------------------------------------------------------


def _paging(tokens: PageTokens, query: views.FeedQuery, size: int, token: str | None) -> Paging:
    return Paging(tokens, PageScope(FEED_SCOPE, query.order, query.filters()), size, token)


def _feed_page(
    session: Session,
    checker: CrossChecker,
    settings: Settings,
    paging: Paging,
    query: views.FeedQuery,
) -> Any:
    return conflicts.list_conflicts(
        session,
        paging,
        query.order,
        query.source,
        query.since,
        other_source=query.other_source,
        min_gap=query.min_gap,
        status=query.status,
        claim_ids=conflicts.feed_claim_ids(session, checker, query.q, settings.feed),
    )


@router.get("/", response_class=HTMLResponse)
def feed(
    request: Request,
    session: SessionDep,
    checker: CheckerDep,
    settings: SettingsDep,
    tokens: PageTokensDep,
) -> Response:
    """Conflicts newest or most severe first, filtered as the API filters them, paged."""
    page = _page(request)
    if not isinstance(page, _Page):
        return page
    query = views.FeedQuery.parse(request.query_params)
    token = request.query_params.get("page") or None
    items: list[ConflictOut] = []
    next_page = None
    errors = list(query.errors)
    try:
        found = _feed_page(
            session, checker, settings, _paging(tokens, query, PAGE_SIZE, token), query
        )
        items, next_page = found.items, found.next_page_token
    except BadRequest as error:  # a page link from another filter or key: start again
        errors.append(f"{error} Start again from the first page.")
    return page.render(
        "feed.html",
        status=400 if errors and not items else 200,
        query=query,
        items=items,
        next_page=next_page,
        errors=errors,
        orders=views.ORDERS,
        statuses=views.STATUSES,
    )


@router.get("/feed.csv")
def feed_csv(
    request: Request,
    session: SessionDep,
    checker: CheckerDep,
    settings: SettingsDep,
    tokens: PageTokensDep,
) -> Response:
    """The filtered feed as CSV: every conflict it lists (up to CSV_MAX_ROWS), one a row."""
    page = _page(request)
    if not isinstance(page, _Page):
        return page
    query = views.FeedQuery.parse(request.query_params)
    size = settings.limits.max_page_size
    rows: list[ConflictOut] = []
    token = None
    while len(rows) < CSV_MAX_ROWS:
        found = _feed_page(session, checker, settings, _paging(tokens, query, size, token), query)
        rows.extend(found.items)
        token = found.next_page_token
        if token is None:
            break
    response = Response(
        views.csv_rows(rows[:CSV_MAX_ROWS]),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="conflicts.csv"'},
    )
    return _finish(request, response, page.session if page.fresh else None)


# --- one conflict ---------------------------------------------------------------------------


def _passage(article: StoredArticle, claim_id: int | None, quantity: Any) -> dict[str, Any]:
    """A claim in a few paragraphs of its article, the claim and its quantities marked."""
    claim = next((c for c in article.claims if c.id == claim_id), None)
    if claim is None:
        return {"html": None, "article": article}
    quantities = [quantity] if quantity is not None else []
    spans = [views.Span(claim.start, claim.end, "claim")]
    spans += views.quantity_spans(article.text, claim.start, claim.end, claim.text, quantities)
    start, end = views.around(article.text, claim.start, claim.end)
    return {"html": views.marked(article.text, start, end, spans), "article": article}


def _neighbour(
    session: Session,
    checker: CrossChecker,
    settings: Settings,
    tokens: PageTokens,
    query: views.FeedQuery,
    conflict: ConflictOut,
    forward: bool,
) -> int | None:
    """The next (or previous) conflict of the feed this one was opened from."""
    order = query.order
    if not forward:
        reverse = {"newest": "oldest", "oldest": "newest"}.get(order)
        if reverse is None:
            return None  # most severe first has no way back but the browser's
        order = reverse
    scoped = views.FeedQuery(**{**{k: getattr(query, k) for k in views.FILTERS}, "order": order})
    position: dict[str, object] = {"id": conflict.id}
    if order == "severity":
        position["severity"] = conflict.severity
    paging = _paging(tokens, scoped, 1, None)
    paging = _paging(tokens, scoped, 1, paging.token_for(position))
    found = _feed_page(session, checker, settings, paging, scoped)
    return found.items[0].id if found.items else None


@router.get("/conflicts/{conflict_id}", response_class=HTMLResponse)
def conflict_page(
    conflict_id: int,
    request: Request,
    session: SessionDep,
    checker: CheckerDep,
    settings: SettingsDep,
    tokens: PageTokensDep,
) -> Response:
    """Both claims in their articles, the intervals drawn, the verdict's form and history."""
    page = _page(request)
    if not isinstance(page, _Page):
        return page
    if not 1 <= conflict_id <= MAX_ID:
        return _refused(request, f"There is no conflict {conflict_id}.", 404)
    try:
        conflict = conflicts.get_conflict(session, conflict_id)
    except NotFound as error:
        return _refused(request, str(error), 404)
    query = views.FeedQuery.parse(request.query_params)
    head = conflict.quantities[0] if conflict.quantities else None
    sides = []
    for ref, quantity in (
        (conflict.a, head.a if head else None),
        (conflict.b, head.b if head else None),
    ):
        article = articles.get_article(session, ref.article_id) if ref.article_id else None
        passage = _passage(article, ref.id, quantity) if article else {"html": None}
        sides.append({"ref": ref, **passage})
    return page.render(
        "conflict.html",
        conflict=conflict,
        head=head,
        pictures=[(pair, views.picture(conflict, pair)) for pair in conflict.quantities],
        sides=sides,
        query=query,
        back=query.query_string(),
        next_id=_neighbour(session, checker, settings, tokens, query, conflict, True),
        previous_id=_neighbour(session, checker, settings, tokens, query, conflict, False),
        done=request.query_params.get("done"),
    )


@router.post("/conflicts/{conflict_id}/review")
def review(
    conflict_id: int,
    request: Request,
    session: SessionDep,
    status: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
    back: Annotated[str, Form(max_length=4000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Confirm, dismiss or reopen, with the note as typed (empty: none); then back to the
    conflict, its history showing the review. The one way a review is made,
    ``conflicts.review_conflict``, records it."""
    page = _page(request)
    if not isinstance(page, _Page):
        return page
    if page.fresh or not _sessions(request).token_is_valid(page.session, request.url.path, csrf):
        return _refused(
            request,
            "This form has expired or did not come from the desk: open the conflict again "
            "and repeat the review.",
        )
    if status not in views.STATUSES or not 1 <= conflict_id <= MAX_ID:
        return _refused(request, "A review is confirmed, dismissed or new.", 400)
    reviewer = page.session.reviewer or LOCAL_REVIEWER
    review = ConflictReview(status=status, note=note.strip() or None)
    try:
        conflicts.review_conflict(session, conflict_id, review, reviewer)
    except NotFound as error:
        return _refused(request, str(error), 404)
    query = views.FeedQuery.parse(dict(parse_qsl(back)))
    target = f"/desk/conflicts/{conflict_id}?{query.query_string(done=status)}"
    return _finish(request, RedirectResponse(target, 303), None)


# --- articles and sources -------------------------------------------------------------------


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    article_id: int, request: Request, session: SessionDep, checker: CheckerDep
) -> Response:
    """An article: its claims and their quantities marked; each claim's matches and
    conflicts, linking to the other articles."""
    page = _page(request)
    if not isinstance(page, _Page):
        return page
    if not 1 <= article_id <= MAX_ID:
        return _refused(request, f"There is no article {article_id}.", 404)
    try:
        stored = articles.get_article(session, article_id)
    except NotFound as error:
        return _refused(request, str(error), 404)
    rendered = article_flows.render_article(session, checker, stored)
    conflicted = {c.id for c in rendered.claims if c.conflicts}
    spans: list[views.Span] = []
    for claim in stored.claims:
        css = "conflicted" if claim.id in conflicted else ""
        spans.append(views.Span(claim.start, claim.end, "claim", f"claim-{claim.id}", css))
        spans += views.quantity_spans(
            stored.text, claim.start, claim.end, claim.text, claim.facts.quantities
        )
    return page.render(
        "article.html",
        article=rendered,
        text=views.marked(stored.text, 0, len(stored.text), spans),
        claims=[c for c in rendered.claims if c.matches or c.conflicts or c.quantities],
    )


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, session: SessionDep) -> Response:
    """For each pair of outlets: conflicts found, new, confirmed, dismissed; a chart; links to
    the feed of one pair."""
    page = _page(request)
    if not isinstance(page, _Page):
        return page
    pairs = conflicts.source_pairs(session)
    return page.render("sources.html", pairs=pairs, chart=views.pairs_chart(pairs))
