"""The work on articles that spans features: ingest, the article view, delete.

Ingest, hop by hop (``ingest_article``):

1. the text (read from the page by ``webpage.read_html`` when html was sent), then
   ``CrossChecker.read``: claims, their analysis and embeddings, before any transaction (the
   model never runs while the write lock is held);
2. ``begin_write``: one writer at a time from here to the commit;
3. the source, and the duplicate check (same source and url, or same source and text);
4. ``CrossChecker.relate``: the stored claims of other sources near each claim, judged;
5. the article and its claims stored, each with its analysis; the search backend told;
6. every conflict found recorded (``app.conflicts.service.record_conflict``);
7. the article rendered with its matches and conflicts.

``ingest_batch`` runs the same steps for many articles: step 1 for all of them, then steps 2-7
in one transaction, each article in a savepoint of its own. ``ingest_article_once`` adds the
Idempotency-Key in the same transaction. Nothing here commits:
the request's session (or the CLI's ``session_scope``) does, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from app.articles.repository import ArticleClaim, ArticleRepository, StoredArticle
from app.articles.schemas import ArticleIn, ArticleOut
from app.articles.service import content_hash, get_article, summary_of
from app.articles.webpage import read_html
from app.claims.schemas import ClaimOut, MatchOut
from app.conflicts.schemas import ConflictOut
from app.conflicts.service import conflicts_of_claims, record_conflict
from app.core.claims import Claim as ClaimText
from app.db.codecs import analysis_to_json
from app.db.models import Claim
from app.db.session import begin_conflict_writes, begin_ingest_write, begin_write
from app.events import publish
from app.exceptions import AlreadyExists, CrosscheckError, InvalidInput
from app.idempotency import HEADER, IdempotencyRepository, request_digest
from app.matches.service import reviews_of_claims
from app.pipeline import CrossChecker, Probe, Related, StoredClaim
from app.schemas import ClaimRef, QuantityOut
from app.sources.repository import SourceRepository


@dataclass(frozen=True, slots=True)
class Prepared:
    """An article read and embedded, before any transaction: ready to be stored."""

    data: ArticleIn
    text: str  # what the claims come from: the text sent, or the one read from the html
    title: str | None
    published_at: date | None
    url: str | None
    digest: str
    probes: list[Probe]


def prepare_article(checker: CrossChecker, data: ArticleIn) -> Prepared:
    """Step 1 of the ingest: the text (read from the page when html was sent), the claims,
    their analysis and embeddings. No database."""
    text, title, published_at = _resolve(data)
    probes = checker.read(text, title, published_at)
    return _prepared(data, text, title, published_at, probes)


def _resolve(data: ArticleIn) -> tuple[str, str | None, date | None]:
    """The article's text, title and date: as sent, or read from its page."""
    text, title, published_at = data.text, data.title, data.published_at
    if data.html is not None:
        page = read_html(data.html)
        text = page.text
        title = title or page.title
        published_at = published_at or page.published_at
    assert text is not None  # ArticleIn holds text or html
    return text, title, published_at


def _prepared(
    data: ArticleIn, text: str, title: str | None, published_at: date | None, probes: list[Probe]
) -> Prepared:
    url = str(data.url) if data.url is not None else None
    return Prepared(data, text, title, published_at, url, content_hash(text), probes)


def _prepare_many(
    checker: CrossChecker, articles: Sequence[ArticleIn]
) -> list[Prepared | CrosscheckError]:
    """Step 1 for many articles, with one model call for all their claims."""
    resolved: list[tuple[str, str | None, date | None] | CrosscheckError] = []
    for data in articles:
        try:
            resolved.append(_resolve(data))
        except CrosscheckError as error:
            resolved.append(error)
    readable = [r for r in resolved if not isinstance(r, CrosscheckError)]
    read = iter(checker.read_many(readable))
    out: list[Prepared | CrosscheckError] = []
    for data, item in zip(articles, resolved, strict=True):
        if isinstance(item, CrosscheckError):
            out.append(item)
            continue
        probes = next(read)
        out.append(
            probes if isinstance(probes, CrosscheckError) else _prepared(data, *item, probes)
        )
    return out


def ingest_article(
    session: Session, checker: CrossChecker, data: ArticleIn
) -> tuple[ArticleOut, bool]:
    """Store an article with its claims and conflicts; ``False`` when it was already stored."""
    prepared = prepare_article(checker, data)
    # From here to the commit no other writer whose claims could conflict with these runs
    # (see begin_ingest_write): the duplicate check and the search below see every such
    # article committed before, including concurrent ones.
    _begin_ingest(session, checker, [prepared])
    return _store(session, checker, prepared)


def _begin_ingest(session: Session, checker: CrossChecker, prepared: Sequence[Prepared]) -> None:
    spans = [
        None if p.facts.when is None else (p.facts.when.first, p.facts.when.last)
        for item in prepared
        for p in item.probes
    ]
    begin_ingest_write(session, spans, checker.policy.compare.event_window_days)


def _store(session: Session, checker: CrossChecker, prepared: Prepared) -> tuple[ArticleOut, bool]:
    """Steps 3-7 of the ingest, in the write transaction ``begin_write`` opened."""
    data, url, digest, probes = prepared.data, prepared.url, prepared.digest, prepared.probes
    articles = ArticleRepository(session)
    source = SourceRepository(session).get_or_create(data.source)
    existing = articles.find_duplicate(source.id, url, digest)
    if existing is None:
        related = checker.relate(session, probes, source.id)
        claims = [_claim_row(source.id, probe) for probe in probes]
        added = articles.add_unless_stored(
            source.id, url, prepared.title, prepared.text, digest, prepared.published_at, claims
        )
        if added is not None:
            article_id, created_at = added
            checker.search.claims_added(session, [claim.id for claim in claims])
            if any(r.verdict.relation == "conflict" for rows in related for r in rows):
                begin_conflict_writes(session)
            for claim, rows in zip(claims, related, strict=True):
                for r in rows:
                    if r.verdict.relation == "conflict":
                        record_conflict(session, claim.id, r.other.id, r.similarity, r.verdict)
            session.flush()
            # What was just stored, from memory: reading it back would decode every claim's
            # analysis again (a twentieth of an ingest, profiled).
            article = StoredArticle(
                id=article_id,
                source_id=source.id,
                source=source.name,
                url=url,
                title=prepared.title,
                text=prepared.text,
                content_hash=digest,
                published_at=prepared.published_at,
                created_at=created_at,
                claims=tuple(
                    ArticleClaim(c.id, c.position, c.text, c.start, c.end, p.vector, p.facts)
                    for c, p in zip(claims, probes, strict=True)
                ),
            )
            return render_article(session, checker, article, related), True
        # Stored by a writer that did not take the lock: ON CONFLICT kept it single.
        existing = articles.find_duplicate(source.id, url, digest)
        assert existing is not None

    stored = get_article(session, existing)
    if stored.content_hash != digest:
        raise AlreadyExists(
            f"Article {stored.id} from {data.source!r} already has the url {url} with "
            "a different text; DELETE it first to replace it."
        )
    return render_article(session, checker, stored), False


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """One article of a batch: stored (``created``), found already stored, or refused."""

    article: ArticleOut | None
    created: bool
    error: CrosscheckError | None


UNSTORABLE = (
    "A value in the article cannot be stored (for example a NUL character in its text): "
    "remove it and retry."
)


def ingest_batch(
    session: Session, checker: CrossChecker, articles: Sequence[ArticleIn]
) -> list[BatchOutcome]:
    """Store each article as ``ingest_article`` would, and answer each on its own, in order.

    Every article is read and embedded first, outside any transaction (one model call for all
    their claims: a model too busy to take them fails the batch, 503); then one write
    transaction stores them in order, each inside a savepoint, so that one refused article
    (a url already stored with another text, a value the database refuses) is rolled back
    alone while the others are kept. Later articles are checked against the earlier ones of
    the same batch, and an article sent twice in one batch is stored once (the second answer
    is "already stored"). A failure of the database itself fails the whole batch.
    """
    prepared = _prepare_many(checker, articles)
    if not any(isinstance(item, Prepared) for item in prepared):
        return [
            BatchOutcome(None, False, item) for item in prepared if not isinstance(item, Prepared)
        ]
    _begin_ingest(session, checker, [item for item in prepared if isinstance(item, Prepared)])
    outcomes = []
    for item in prepared:
        if not isinstance(item, Prepared):
            outcomes.append(BatchOutcome(None, False, item))
            continue
        try:
            with session.begin_nested():
                article, created = _store(session, checker, item)
        except CrosscheckError as error:
            outcomes.append(BatchOutcome(None, False, error))
            continue
        except DataError:
            outcomes.append(BatchOutcome(None, False, InvalidInput(UNSTORABLE)))
            continue
        outcomes.append(BatchOutcome(article, created, None))
    return outcomes


def _claim_row(source_id: int, probe: Probe) -> Claim:
    return Claim(
        source_id=source_id,
        position=probe.claim.position,
        text=probe.claim.text,
        start=probe.claim.start,
        end=probe.claim.end,
        embedding=np.asarray(probe.vector, dtype=np.float32).tobytes(),
        analysis=analysis_to_json(probe.facts),
    )


def ingest_article_once(
    session: Session,
    checker: CrossChecker,
    data: ArticleIn,
    principal: str,
    key: str,
    keep_hours: int,
) -> tuple[ArticleOut, int, bool]:
    """Store the article unless this caller's ``key`` already did: (article, status, replayed).

    The article is analysed and deduplicated as usual first (a retry of a stored article is a
    duplicate, so nothing is stored twice even while the first attempt is still running); the
    key is then claimed in the same write transaction.
    """
    article, created = ingest_article(session, checker, data)
    status = 201 if created else 200
    digest = request_digest(data.model_dump_json())
    keys = IdempotencyRepository(session)
    keys.forget_older_than(keep_hours)
    if keys.add_unless_stored(principal, key, digest, status, article.id):
        return article, status, False
    first = keys.get(principal, key)
    assert first is not None
    if first.request_hash != digest:
        raise InvalidInput(
            f"The {HEADER} {key!r} was already used with another request body: use a new key "
            "for a new request, and the same body for a retry."
        )
    if first.article_id != article.id:
        article = view_article(session, checker, first.article_id)
    return article, first.status_code, True


def view_article(session: Session, checker: CrossChecker, article_id: int) -> ArticleOut:
    """A stored article with each claim's current matches and its stored conflicts."""
    return render_article(session, checker, get_article(session, article_id))


def render_article(
    session: Session,
    checker: CrossChecker,
    article: StoredArticle,
    related: list[list[Related]] | None = None,
) -> ArticleOut:
    """An article with each claim's matches (``related``, or found now) and stored conflicts.

    Matches are found at read time, so that claims stored since by other sources show; what is
    compared is each claim's stored analysis, never a new reading of its text.
    """
    probes = [_probe(claim) for claim in article.claims]
    if related is None:
        related = checker.relate(session, probes, article.source_id)
    reviewed = _reviewed(session, checker, probes, article.claims, related)
    stored = conflicts_of_claims(session, [c.id for c in article.claims])
    out_claims = []
    for claim, rows in zip(article.claims, reviewed, strict=True):
        own = [c for c in stored if claim.id in (c.a.id, c.b.id)]
        out_claims.append(
            ClaimOut(
                id=claim.id,
                position=claim.position,
                text=claim.text,
                start=claim.start,
                end=claim.end,
                quantities=[QuantityOut.of(q) for q in claim.facts.quantities],
                matches=[
                    MatchOut(
                        claim=_ref(r),
                        similarity=r.similarity,
                        match_score=r.match_score,
                        review="confirmed" if r.confirmed else None,
                    )
                    for r in rows
                    if r.match or r.confirmed
                ],
                conflicts=[ConflictOut.of_stored(c) for c in own],
            )
        )
    return ArticleOut(
        **summary_of(article, len(article.claims)).model_dump(),
        text=article.text,
        match_count=sum(len(c.matches) for c in out_claims),
        conflict_count=len(stored),
        claims=out_claims,
    )


@dataclass(frozen=True, slots=True)
class _Reviewed:
    """A related claim with what a person said of the pair as a match."""

    other: StoredClaim
    similarity: float
    match: bool
    match_score: float
    confirmed: bool


def _reviewed(
    session: Session,
    checker: CrossChecker,
    probes: list[Probe],
    claims: Sequence[ArticleClaim],
    related: list[list[Related]],
) -> list[list[_Reviewed]]:
    """Each claim's related claims after the reviews of its matches: a rejected pair is never a
    match; a confirmed one always is, and is added when the search did not find it."""
    reviews = reviews_of_claims(session, [c.id for c in claims])
    out = []
    for probe, claim, rows in zip(probes, claims, related, strict=True):
        confirmed = {
            other for (mine, other), s in reviews.items() if mine == claim.id and s == "confirmed"
        }
        rejected = {
            other for (mine, other), s in reviews.items() if mine == claim.id and s == "rejected"
        }
        kept = [
            _Reviewed(
                r.other,
                r.similarity,
                r.match and r.other.id not in rejected,
                r.match_score,
                r.other.id in confirmed,
            )
            for r in rows
        ]
        missing = sorted(confirmed - {r.other.id for r in rows})
        if missing:
            kept.extend(
                _Reviewed(r.other, r.similarity, r.match, r.match_score, True)
                for r in checker.relate_to(session, probe, missing)
            )
        out.append(kept)
    return out


def _probe(claim: ArticleClaim) -> Probe:
    """A stored claim as the cross-check reads one: its stored analysis and embedding."""
    text = ClaimText(claim.text, claim.position, claim.start, claim.end)
    return Probe(text, claim.facts, claim.vector)


def _ref(related: Related | _Reviewed) -> ClaimRef:
    return ClaimRef.model_validate(related.other, from_attributes=True)


def delete_article(session: Session, checker: CrossChecker, article_id: int) -> None:
    """Remove an article with its claims and conflicts; webhooks are told (article.deleted)."""
    begin_write(session)
    article = get_article(session, article_id)
    claim_ids = [claim.id for claim in article.claims]
    deleted = {
        **summary_of(article, len(claim_ids)).model_dump(mode="json"),
        "conflict_ids": [c.id for c in conflicts_of_claims(session, claim_ids)],
    }
    checker.search.claims_removed(session, claim_ids)
    ArticleRepository(session).delete(article_id)
    publish(session, "article.deleted", deleted)
