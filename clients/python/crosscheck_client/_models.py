# Generated from openapi.json by clients/python/generate.py: do not edit.

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AnyUrl, BaseModel, ConfigDict, Field, RootModel


class Html(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="The article's web page, as HTML source, instead of text: its main text (without navigation, footers, scripts or banners) and title are read from it, and its publication date when published_at is absent; the answer's text is what was read. The service never fetches anything: send the page, not its address.",
            min_length=1,
            title="Html",
        ),
    ]


class Text(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="The article's text, as scraped is fine. Exactly one of text and html.",
            min_length=1,
            title="Text",
        ),
    ]


class Title(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="With html, read from the page when absent.",
            max_length=1000,
            title="Title",
        ),
    ]


class Url(RootModel[AnyUrl]):
    root: Annotated[
        AnyUrl, Field(description="Where the article was published.", title="Url")
    ]


class ArticleIn(BaseModel):
    """
    A news article to store and cross-check.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    html: Annotated[
        Html | None,
        Field(
            description="The article's web page, as HTML source, instead of text: its main text (without navigation, footers, scripts or banners) and title are read from it, and its publication date when published_at is absent; the answer's text is what was read. The service never fetches anything: send the page, not its address.",
            title="Html",
        ),
    ] = None
    published_at: Annotated[
        date | None,
        Field(
            description="ISO date, e.g. 2016-03-14; with html, read from the page when absent.",
            title="Published At",
        ),
    ] = None
    source: Annotated[
        str,
        Field(
            description="The outlet.",
            examples=["The Associated Press"],
            max_length=200,
            min_length=1,
            title="Source",
        ),
    ]
    text: Annotated[
        Text | None,
        Field(
            description="The article's text, as scraped is fine. Exactly one of text and html.",
            title="Text",
        ),
    ] = None
    title: Annotated[
        Title | None,
        Field(description="With html, read from the page when absent.", title="Title"),
    ] = None
    url: Annotated[
        Url | None, Field(description="Where the article was published.", title="Url")
    ] = None


class ArticleRef(BaseModel):
    """
    The article a claim was found in.
    """

    id: Annotated[int, Field(title="Id")]
    published_at: Annotated[date | None, Field(title="Published At")]
    source: Annotated[str, Field(title="Source")]
    title: Annotated[str | None, Field(title="Title")]
    url: Annotated[str | None, Field(title="Url")]


class ArticleSummary(BaseModel):
    claim_count: Annotated[int, Field(title="Claim Count")]
    created_at: Annotated[datetime, Field(title="Created At")]
    id: Annotated[int, Field(title="Id")]
    published_at: Annotated[date | None, Field(title="Published At")]
    source: Annotated[str, Field(title="Source")]
    title: Annotated[str | None, Field(title="Title")]
    url: Annotated[str | None, Field(title="Url")]


class Article(BaseModel):
    """
    A news article to store and cross-check.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    html: Annotated[
        Html | None,
        Field(
            description="The article's web page, as HTML source, instead of text: its main text (without navigation, footers, scripts or banners) and title are read from it, and its publication date when published_at is absent; the answer's text is what was read. The service never fetches anything: send the page, not its address.",
            title="Html",
        ),
    ] = None
    published_at: Annotated[
        date | None,
        Field(
            description="ISO date, e.g. 2016-03-14; with html, read from the page when absent.",
            title="Published At",
        ),
    ] = None
    source: Annotated[
        str,
        Field(
            description="The outlet.",
            examples=["The Associated Press"],
            max_length=200,
            min_length=1,
            title="Source",
        ),
    ]
    text: Annotated[
        Text | None,
        Field(
            description="The article's text, as scraped is fine. Exactly one of text and html.",
            title="Text",
        ),
    ] = None
    title: Annotated[
        Title | None,
        Field(description="With html, read from the page when absent.", title="Title"),
    ] = None
    url: Annotated[
        Url | None, Field(description="Where the article was published.", title="Url")
    ] = None


class BatchIn(BaseModel):
    """
    Articles to store, each answered on its own.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    articles: Annotated[
        list[Article],
        Field(
            description="At most CROSSCHECK_MAX_BATCH_ARTICLES (100 by default) articles.",
            min_length=1,
            title="Articles",
        ),
    ]


class Source(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="The text's outlet: its own stored claims are not compared with it.",
            max_length=200,
            min_length=1,
            title="Source",
        ),
    ]


class Title2(RootModel[str]):
    root: Annotated[str, Field(max_length=1000, title="Title")]


class CheckIn(BaseModel):
    """
    Text to analyse against the store without storing it.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    published_at: Annotated[
        date | None,
        Field(description="ISO date, e.g. 2016-03-14.", title="Published At"),
    ] = None
    source: Annotated[
        Source | None,
        Field(
            description="The text's outlet: its own stored claims are not compared with it.",
            title="Source",
        ),
    ] = None
    text: Annotated[
        str, Field(description="The article or claim text.", min_length=1, title="Text")
    ]
    title: Annotated[Title2 | None, Field(title="Title")] = None


class ClaimRef(BaseModel):
    """
    A claim with where it comes from. ``id`` and ``article_id`` are null for unstored text.
    """

    article_id: Annotated[int | None, Field(title="Article Id")]
    id: Annotated[int | None, Field(title="Id")]
    published_at: Annotated[date | None, Field(title="Published At")]
    source: Annotated[str | None, Field(title="Source")]
    text: Annotated[str, Field(title="Text")]
    title: Annotated[str | None, Field(title="Title")] = None
    url: Annotated[str | None, Field(title="Url")] = None


class CompareSide(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    published_at: Annotated[
        date | None,
        Field(description="ISO date, e.g. 2016-03-14.", title="Published At"),
    ] = None
    text: Annotated[
        str,
        Field(
            description="One claim (a sentence).",
            max_length=5000,
            min_length=1,
            title="Text",
        ),
    ]


class Note(RootModel[str]):
    root: Annotated[
        str, Field(examples=["AP updated its toll."], max_length=5000, title="Note")
    ]


class ConflictReview(BaseModel):
    """
    A fact-checker's verdict on a conflict. Omit ``note`` to keep the current one; send
    ``null`` to clear it.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    note: Annotated[
        Note | None, Field(examples=["AP updated its toll."], title="Note")
    ] = None
    status: Annotated[
        Literal["new", "confirmed", "dismissed"],
        Field(description="confirmed, dismissed, or new to reopen it.", title="Status"),
    ]


class DeliveryCounts(BaseModel):
    delivered: Annotated[int, Field(title="Delivered")]
    failed: Annotated[int, Field(title="Failed")]
    pending: Annotated[int, Field(title="Pending")]


class DeliveryOut(BaseModel):
    """
    One event sent (or to send) to one webhook.
    """

    attempts: Annotated[int, Field(title="Attempts")]
    conflict_id: Annotated[
        int | None,
        Field(
            description="The conflict it is about; null for articles.",
            title="Conflict Id",
        ),
    ]
    created_at: Annotated[datetime, Field(title="Created At")]
    delivered_at: Annotated[datetime | None, Field(title="Delivered At")]
    event: Annotated[str, Field(examples=["conflict.created"], title="Event")]
    event_id: Annotated[
        str,
        Field(
            description="The event's webhook-id header: the same in every attempt, and for every webhook it is sent to.",
            examples=["conflict-created-17"],
            title="Event Id",
        ),
    ]
    id: Annotated[int, Field(title="Id")]
    last_attempt_at: Annotated[datetime | None, Field(title="Last Attempt At")]
    last_error: Annotated[
        str | None,
        Field(
            description="Why the last attempt failed, as a category: timeout, connection_failed, tls_error, protocol_error, refused_address (the host is, or now resolves to, a private address), redirect (3xx: not followed) or http_status (any other answer but 2xx; see last_status_code).",
            examples=["timeout"],
            title="Last Error",
        ),
    ]
    last_status_code: Annotated[
        int | None,
        Field(description="The receiver's last HTTP status.", title="Last Status Code"),
    ]
    next_attempt_at: Annotated[
        datetime | None,
        Field(description="Null unless pending.", title="Next Attempt At"),
    ]
    status: Annotated[Literal["pending", "delivered", "failed"], Field(title="Status")]
    webhook_id: Annotated[int, Field(title="Webhook Id")]


class DeliveryPage(BaseModel):
    items: Annotated[list[DeliveryOut], Field(title="Items")]
    next_page_token: Annotated[
        str | None,
        Field(
            description="Pass as page_token for the next page.", title="Next Page Token"
        ),
    ]


class FieldError(BaseModel):
    location: Annotated[
        list[str | int],
        Field(
            description="Where the error is, e.g. ['body', 'text'].", title="Location"
        ),
    ]
    message: Annotated[str, Field(title="Message")]
    type: Annotated[str, Field(title="Type")]


class Health(BaseModel):
    status: Annotated[str, Field(title="Status")]


class IntervalOut(BaseModel):
    """
    The values a quantity allows; ``null`` bounds are infinite.
    """

    high: Annotated[float | None, Field(title="High")]
    high_open: Annotated[bool, Field(title="High Open")]
    low: Annotated[float | None, Field(title="Low")]
    low_open: Annotated[bool, Field(title="Low Open")]
    notation: Annotated[str, Field(examples=["(270000, +inf)"], title="Notation")]


class MatchOut(BaseModel):
    """
    A claim from another source that says the same thing.
    """

    claim: ClaimRef
    match_score: Annotated[
        float,
        Field(
            description="How likely the two claims state the same thing (a calibrated probability; see docs/matching.md). Matches have at least CROSSCHECK_MATCH_MIN_SCORE.",
            ge=0.0,
            le=1.0,
            title="Match Score",
        ),
    ]
    review: Annotated[
        Literal["confirmed"] | None,
        Field(
            description="confirmed: a person confirmed the match (PUT /v1/matches/...), shown whatever its score. Rejected matches are never shown.",
            title="Review",
        ),
    ] = None
    similarity: Annotated[
        float,
        Field(
            description="Cosine similarity of the two claims' embeddings.",
            title="Similarity",
        ),
    ]


class Note1(RootModel[str]):
    root: Annotated[str, Field(max_length=5000, title="Note")]


class MatchReviewIn(BaseModel):
    """
    A person's verdict on two claims as a match.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    note: Annotated[Note1 | None, Field(title="Note")] = None
    status: Annotated[
        Literal["confirmed", "rejected"],
        Field(
            description="confirmed: always shown as a match; rejected: never shown again.",
            title="Status",
        ),
    ]


class MatchReviewOut(BaseModel):
    claim_id: Annotated[int, Field(title="Claim Id")]
    note: Annotated[str | None, Field(title="Note")]
    other_claim_id: Annotated[int, Field(title="Other Claim Id")]
    reviewed_at: Annotated[datetime, Field(title="Reviewed At")]
    reviewed_by: Annotated[
        str,
        Field(
            description="The API key (its name) that recorded the review.",
            title="Reviewed By",
        ),
    ]
    status: Annotated[Literal["confirmed", "rejected"], Field(title="Status")]


class Problem(BaseModel):
    """
    An RFC 9457 problem details object.
    """

    detail: Annotated[
        str, Field(description="What went wrong and what to fix.", title="Detail")
    ]
    errors: Annotated[
        list[FieldError] | None,
        Field(description="Each invalid field, for validation errors.", title="Errors"),
    ] = None
    instance: Annotated[
        str | None, Field(description="The request path.", title="Instance")
    ] = None
    status: Annotated[int, Field(description="The HTTP status code.", title="Status")]
    title: Annotated[
        str,
        Field(
            description="The HTTP status phrase.",
            examples=["Too Many Requests"],
            title="Title",
        ),
    ]
    type: Annotated[
        str,
        Field(
            description="The problem type, a URI reference resolved against the service's address (e.g. /problems/rate-limited); GET it for a short page on what it means. One of: /problems/malformed-request, /problems/unauthorized, /problems/not-found, /problems/method-not-allowed, /problems/conflict, /problems/request-too-large, /problems/invalid-request, /problems/rate-limited, /problems/internal-error, /problems/unavailable, /problems/overloaded, /problems/not-ready.",
            examples=["/problems/rate-limited"],
            title="Type",
        ),
    ]


class QuantityOut(BaseModel):
    """
    A quantity as written and as read.
    """

    interval: IntervalOut
    kind: Annotated[str, Field(title="Kind")]
    noun: Annotated[str | None, Field(title="Noun")]
    predicate: Annotated[str | None, Field(title="Predicate")]
    qualifier: Annotated[str | None, Field(title="Qualifier")]
    text: Annotated[str, Field(examples=["more than 270,000 people"], title="Text")]
    unit: Annotated[str | None, Field(title="Unit")]
    value: Annotated[float, Field(title="Value")]


class QuantityPair(BaseModel):
    """
    Two quantities that measure the same thing and disagree.
    """

    a: QuantityOut
    b: QuantityOut
    measure: Annotated[str, Field(examples=["people killed"], title="Measure")]
    relative_gap: Annotated[
        float,
        Field(
            description="Distance between the intervals / the larger bound.",
            title="Relative Gap",
        ),
    ]
    rule: Annotated[
        str,
        Field(
            description="The rule that fired.",
            examples=["disjoint-intervals"],
            title="Rule",
        ),
    ]
    severity: Annotated[float, Field(ge=0.0, le=1.0, title="Severity")]


class Readiness(BaseModel):
    database: Annotated[str, Field(title="Database")]
    indexed_claims: Annotated[int, Field(title="Indexed Claims")]
    model: Annotated[str, Field(title="Model")]
    status: Annotated[str, Field(title="Status")]


class Redelivered(BaseModel):
    requeued: Annotated[
        int, Field(description="Failed deliveries queued again.", title="Requeued")
    ]


class ReviewOut(BaseModel):
    """
    One review of a conflict: who, when, what, and their note.
    """

    created_at: Annotated[datetime, Field(title="Created At")]
    note: Annotated[str | None, Field(title="Note")]
    reviewer: Annotated[
        str | None,
        Field(
            description="The name of the reviewer's API key; null for reviews made before reviewers were recorded.",
            examples=["alice"],
            title="Reviewer",
        ),
    ]
    status: Annotated[Literal["new", "confirmed", "dismissed"], Field(title="Status")]


class ScoreParts(BaseModel):
    """
    What each index said of a hit, and the fused score it is ranked by.
    """

    lexical: Annotated[
        float | None,
        Field(
            description="The keyword score (BM25 on SQLite, ts_rank on PostgreSQL); null: no content word of q in the claim, or not among the best by keywords.",
            title="Lexical",
        ),
    ]
    lexical_normalised: Annotated[
        float,
        Field(
            description="The keyword score over the query's best.",
            title="Lexical Normalised",
        ),
    ]
    lexical_rank: Annotated[
        int | None,
        Field(
            description="1-based rank by keywords; null: not ranked.",
            title="Lexical Rank",
        ),
    ]
    score: Annotated[
        float,
        Field(description="What the hits are ranked by in this mode.", title="Score"),
    ]
    semantic_rank: Annotated[
        int | None,
        Field(
            description="1-based rank among the claims nearest by embedding; null: not among them.",
            title="Semantic Rank",
        ),
    ]


class SearchHit(BaseModel):
    article: ArticleRef
    claim: ClaimRef
    score: ScoreParts
    similarity: Annotated[
        float,
        Field(
            description="Cosine similarity of q and the claim's embeddings.",
            title="Similarity",
        ),
    ]


class SearchResults(BaseModel):
    items: Annotated[list[SearchHit], Field(title="Items")]
    mode: Annotated[Literal["hybrid", "semantic", "lexical"], Field(title="Mode")]
    next_page_token: Annotated[
        str | None,
        Field(
            description="Pass as page_token for the next page; null on the last.",
            title="Next Page Token",
        ),
    ] = None
    query: Annotated[str, Field(title="Query")]


class SecretRotated(BaseModel):
    id: Annotated[int, Field(title="Id")]
    previous_secret_expires_at: Annotated[
        datetime | None,
        Field(
            description="Until when the previous secret also signs; null: it no longer does.",
            title="Previous Secret Expires At",
        ),
    ]
    secret: Annotated[
        str,
        Field(
            description="The signing secret, in the Standard Webhooks form whsec_<base64 key>: pass it as it is to standardwebhooks.Webhook(secret).verify(body, headers). Shown only in this response: store it.",
            title="Secret",
        ),
    ]


class OverlapSeconds(RootModel[int]):
    root: Annotated[
        int,
        Field(
            description="Seconds both secrets sign (both signatures in webhook-signature); 0 ends the old secret now (it leaked). Absent: CROSSCHECK_WEBHOOK_SECRET_OVERLAP_SECONDS.",
            examples=[3600],
            ge=0,
            le=604800,
            title="Overlap Seconds",
        ),
    ]


class SecretRotationIn(BaseModel):
    """
    How long the old secret keeps signing beside the new one.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    overlap_seconds: Annotated[
        OverlapSeconds | None,
        Field(
            description="Seconds both secrets sign (both signatures in webhook-signature); 0 ends the old secret now (it leaked). Absent: CROSSCHECK_WEBHOOK_SECRET_OVERLAP_SECONDS.",
            examples=[3600],
            title="Overlap Seconds",
        ),
    ] = None


class WebhookCreated(BaseModel):
    created_at: Annotated[datetime, Field(title="Created At")]
    deliveries: Annotated[DeliveryCounts, Field(description="Deliveries by state.")]
    description: Annotated[str | None, Field(title="Description")]
    events: Annotated[
        list[Literal["conflict.created", "conflict.reviewed", "article.deleted"]],
        Field(description="The event types sent to it.", title="Events"),
    ]
    id: Annotated[int, Field(title="Id")]
    previous_secret_expires_at: Annotated[
        datetime | None,
        Field(
            description="After a secret rotation, until when the previous secret still signs beside the new one; null when only one secret signs.",
            title="Previous Secret Expires At",
        ),
    ]
    secret: Annotated[
        str,
        Field(
            description="The signing secret, in the Standard Webhooks form whsec_<base64 key>: pass it as it is to standardwebhooks.Webhook(secret).verify(body, headers). Shown only in this response: store it.",
            examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            title="Secret",
        ),
    ]
    url: Annotated[str, Field(title="Url")]


class Description(RootModel[str]):
    root: Annotated[str, Field(max_length=500, title="Description")]


class Events(
    RootModel[list[Literal["conflict.created", "conflict.reviewed", "article.deleted"]]]
):
    root: Annotated[
        list[Literal["conflict.created", "conflict.reviewed", "article.deleted"]],
        Field(
            description="The event types to send; absent: all of them (conflict.created, conflict.reviewed, article.deleted).",
            examples=[["conflict.created", "conflict.reviewed"]],
            min_length=1,
            title="Events",
        ),
    ]


class WebhookIn(BaseModel):
    """
    A receiver for the events it chooses.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    description: Annotated[Description | None, Field(title="Description")] = None
    events: Annotated[
        Events | None,
        Field(
            description="The event types to send; absent: all of them (conflict.created, conflict.reviewed, article.deleted).",
            examples=[["conflict.created", "conflict.reviewed"]],
            title="Events",
        ),
    ] = None
    url: Annotated[
        AnyUrl,
        Field(
            description="Where each new conflict is POSTed (http or https).",
            examples=["https://factcheck.example.org/hooks/crosscheck"],
            title="Url",
        ),
    ]


class WebhookOut(BaseModel):
    created_at: Annotated[datetime, Field(title="Created At")]
    deliveries: Annotated[DeliveryCounts, Field(description="Deliveries by state.")]
    description: Annotated[str | None, Field(title="Description")]
    events: Annotated[
        list[Literal["conflict.created", "conflict.reviewed", "article.deleted"]],
        Field(description="The event types sent to it.", title="Events"),
    ]
    id: Annotated[int, Field(title="Id")]
    previous_secret_expires_at: Annotated[
        datetime | None,
        Field(
            description="After a secret rotation, until when the previous secret still signs beside the new one; null when only one secret signs.",
            title="Previous Secret Expires At",
        ),
    ]
    url: Annotated[str, Field(title="Url")]


class ArticlePage(BaseModel):
    items: Annotated[list[ArticleSummary], Field(title="Items")]
    next_page_token: Annotated[
        str | None,
        Field(
            description="Pass as page_token for the next page.", title="Next Page Token"
        ),
    ]


class ClaimReading(BaseModel):
    """
    What the service read in one side of a comparison.
    """

    event_from: Annotated[
        date | None,
        Field(description="First day the claim can be about.", title="Event From"),
    ]
    event_to: Annotated[
        date | None,
        Field(description="Last day the claim can be about.", title="Event To"),
    ]
    quantities: Annotated[list[QuantityOut], Field(title="Quantities")]
    text: Annotated[str, Field(title="Text")]


class CompareIn(BaseModel):
    """
    Two claims, taken as coming from two different sources.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    a: CompareSide
    b: CompareSide


class CompareOut(BaseModel):
    a: ClaimReading
    b: ClaimReading
    conflict: Annotated[bool, Field(title="Conflict")]
    conflicts: Annotated[
        list[QuantityPair],
        Field(description="Every disagreeing quantity pair.", title="Conflicts"),
    ]
    match: Annotated[
        bool,
        Field(
            description="They state the same thing: the core judges them agreeing and the match score is at least CROSSCHECK_MATCH_MIN_SCORE.",
            title="Match",
        ),
    ]
    match_score: Annotated[
        float,
        Field(
            description="How likely the two claims state the same thing (calibrated).",
            ge=0.0,
            le=1.0,
            title="Match Score",
        ),
    ]
    reason: Annotated[str, Field(description="Why, in one sentence.", title="Reason")]
    relation: Annotated[
        Literal["conflict", "agree", "unrelated"], Field(title="Relation")
    ]
    similarity: Annotated[
        float,
        Field(
            description="Cosine similarity of the two claims' embeddings.",
            title="Similarity",
        ),
    ]


class ConflictOut(BaseModel):
    """
    Two claims from different sources that disagree on a number, with the explanation.
    """

    a: ClaimRef
    b: ClaimRef
    created_at: Annotated[datetime | None, Field(title="Created At")]
    history: Annotated[
        list[ReviewOut] | None,
        Field(
            description="Every review, oldest first: in GET /v1/conflicts/{id} and the PATCH's answer; null in the feed's lists.",
            title="History",
        ),
    ] = None
    id: Annotated[
        int | None,
        Field(description="Null when the conflict was found by /v1/check.", title="Id"),
    ]
    measure: Annotated[str, Field(title="Measure")]
    note: Annotated[
        str | None, Field(description="The reviewer's note.", title="Note")
    ] = None
    quantities: Annotated[
        list[QuantityPair],
        Field(description="Every disagreeing pair, worst first.", title="Quantities"),
    ]
    reason: Annotated[
        str, Field(description="One sentence a fact-checker can read.", title="Reason")
    ]
    relative_gap: Annotated[float, Field(title="Relative Gap")]
    reviewed_at: Annotated[
        datetime | None,
        Field(description="When it was last reviewed.", title="Reviewed At"),
    ] = None
    reviewer: Annotated[
        str | None,
        Field(
            description="Who made the latest review: the name of their API key (CROSSCHECK_API_KEYS).",
            examples=["alice"],
            title="Reviewer",
        ),
    ] = None
    rule: Annotated[str, Field(title="Rule")]
    severity: Annotated[
        float,
        Field(
            description="Orders the feed: larger gaps first.",
            ge=0.0,
            le=1.0,
            title="Severity",
        ),
    ]
    similarity: Annotated[
        float,
        Field(
            description="Cosine similarity of the two claims' embeddings.",
            title="Similarity",
        ),
    ]
    status: Annotated[
        Literal["new", "confirmed", "dismissed"] | None,
        Field(
            description="A fact-checker's review: new, confirmed or dismissed.",
            title="Status",
        ),
    ] = "new"


class ConflictPage(BaseModel):
    follow_token: Annotated[
        str | None,
        Field(
            description="order=oldest only (else null), on every page, the last included: the place after this page's last conflict. Pass it as page_token later (same order and filters) to get only the conflicts found since; keep the newest one you were given.",
            title="Follow Token",
        ),
    ] = None
    items: Annotated[list[ConflictOut], Field(title="Items")]
    next_page_token: Annotated[
        str | None,
        Field(
            description="Pass as page_token for the next page; null on the last page, in every order: a client paging until it is null stops.",
            title="Next Page Token",
        ),
    ]


class WebhookList(BaseModel):
    items: Annotated[list[WebhookOut], Field(title="Items")]


class ClaimOut(BaseModel):
    conflicts: Annotated[
        list[ConflictOut],
        Field(
            description="Claims from other sources that disagree.", title="Conflicts"
        ),
    ]
    end: Annotated[int, Field(title="End")]
    id: Annotated[
        int | None,
        Field(description="Null for text that was checked, not stored.", title="Id"),
    ]
    matches: Annotated[
        list[MatchOut],
        Field(description="Claims from other sources that agree.", title="Matches"),
    ]
    position: Annotated[
        int,
        Field(
            description="0-based order of the claim in its article.", title="Position"
        ),
    ]
    quantities: Annotated[list[QuantityOut], Field(title="Quantities")]
    start: Annotated[
        int,
        Field(
            description="Character offset of the claim in the submitted text.",
            title="Start",
        ),
    ]
    text: Annotated[str, Field(title="Text")]


class ArticleOut(BaseModel):
    """
    A stored article with its claims, their matches and their conflicts.
    """

    claim_count: Annotated[int, Field(title="Claim Count")]
    claims: Annotated[list[ClaimOut], Field(title="Claims")]
    conflict_count: Annotated[int, Field(title="Conflict Count")]
    created_at: Annotated[datetime, Field(title="Created At")]
    id: Annotated[int, Field(title="Id")]
    match_count: Annotated[int, Field(title="Match Count")]
    published_at: Annotated[date | None, Field(title="Published At")]
    source: Annotated[str, Field(title="Source")]
    text: Annotated[
        str,
        Field(
            description="The article's text as stored: for an article sent as html, the text read from the page. Claims' start and end are offsets into it.",
            title="Text",
        ),
    ]
    title: Annotated[str | None, Field(title="Title")]
    url: Annotated[str | None, Field(title="Url")]


class BatchItemOut(BaseModel):
    """
    The answer to one article of a batch: what POST /v1/articles would have answered.
    """

    article: Annotated[
        ArticleOut | None, Field(description="The article, unless it was refused.")
    ]
    index: Annotated[
        int,
        Field(
            description="0-based position of the article in the batch.", title="Index"
        ),
    ]
    problem: Annotated[
        Problem | None, Field(description="Why the article was refused (else null).")
    ]
    status: Annotated[
        int,
        Field(
            description="201 stored, 200 already stored, or the status of its problem.",
            examples=[201],
            title="Status",
        ),
    ]


class BatchOut(BaseModel):
    """
    A batch's answer: one item per article, in the order they were sent.
    """

    already_stored: Annotated[int, Field(title="Already Stored")]
    failed: Annotated[int, Field(title="Failed")]
    items: Annotated[list[BatchItemOut], Field(title="Items")]
    stored: Annotated[int, Field(title="Stored")]


class CheckOut(BaseModel):
    claims: Annotated[list[ClaimOut], Field(title="Claims")]
    conflict_count: Annotated[int, Field(title="Conflict Count")]
    match_count: Annotated[int, Field(title="Match Count")]
