"""Claims on the wire: what was found in a text, what matches it, what contradicts it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.conflicts.schemas import ConflictOut, QuantityPair
from app.schemas import ClaimRef, IsoDate, QuantityOut


class MatchOut(BaseModel):
    """A claim from another source that says the same thing."""

    claim: ClaimRef
    similarity: float = Field(description="Cosine similarity of the two claims' embeddings.")
    match_score: float = Field(
        ge=0,
        le=1,
        description="How likely the two claims state the same thing (a calibrated "
        "probability; see docs/matching.md). Matches have at least CROSSCHECK_MATCH_MIN_SCORE.",
    )
    review: Literal["confirmed"] | None = Field(
        default=None,
        description="confirmed: a person confirmed the match (PUT /v1/matches/...), shown "
        "whatever its score. Rejected matches are never shown.",
    )


class ClaimOut(BaseModel):
    id: int | None = Field(description="Null for text that was checked, not stored.")
    position: int = Field(description="0-based order of the claim in its article.")
    text: str
    start: int = Field(description="Character offset of the claim in the submitted text.")
    end: int
    quantities: list[QuantityOut]
    matches: list[MatchOut] = Field(description="Claims from other sources that agree.")
    conflicts: list[ConflictOut] = Field(description="Claims from other sources that disagree.")


class CheckIn(BaseModel):
    """Text to analyse against the store without storing it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "The war has killed 300,000 people.",
                    "source": "Reuters",
                    "published_at": "2016-03-15",
                }
            ]
        },
    )

    text: str = Field(min_length=1, description="The article or claim text.")
    source: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The text's outlet: its own stored claims are not compared with it.",
    )
    published_at: IsoDate | None = Field(default=None, description="ISO date, e.g. 2016-03-14.")
    title: str | None = Field(default=None, max_length=1000)


class CheckOut(BaseModel):
    claims: list[ClaimOut]
    match_count: int
    conflict_count: int


class ArticleRef(BaseModel):
    """The article a claim was found in."""

    id: int
    source: str
    title: str | None
    url: str | None
    published_at: date | None


class ScoreParts(BaseModel):
    """What each index said of a hit, and the fused score it is ranked by."""

    score: float = Field(description="What the hits are ranked by in this mode.")
    semantic_rank: int | None = Field(
        description="1-based rank among the claims nearest by embedding; null: not among them."
    )
    lexical: float | None = Field(
        description="The keyword score (BM25 on SQLite, ts_rank on PostgreSQL); null: no "
        "content word of q in the claim, or not among the best by keywords."
    )
    lexical_normalised: float = Field(description="The keyword score over the query's best.")
    lexical_rank: int | None = Field(description="1-based rank by keywords; null: not ranked.")


class SearchHit(BaseModel):
    claim: ClaimRef
    article: ArticleRef
    similarity: float = Field(description="Cosine similarity of q and the claim's embeddings.")
    score: ScoreParts


class SearchResults(BaseModel):
    query: str
    mode: Literal["hybrid", "semantic", "lexical"]
    items: list[SearchHit]
    next_page_token: str | None = Field(
        default=None, description="Pass as page_token for the next page; null on the last."
    )


class CompareSide(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000, description="One claim (a sentence).")
    published_at: IsoDate | None = Field(default=None, description="ISO date, e.g. 2016-03-14.")


class CompareIn(BaseModel):
    """Two claims, taken as coming from two different sources."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "a": {
                        "text": "The war has killed 250,000 people.",
                        "published_at": "2016-03-14",
                    },
                    "b": {
                        "text": "The war has killed more than 270,000 people.",
                        "published_at": "2016-03-15",
                    },
                }
            ]
        },
    )

    a: CompareSide
    b: CompareSide


class ClaimReading(BaseModel):
    """What the service read in one side of a comparison."""

    text: str
    quantities: list[QuantityOut]
    event_from: date | None = Field(description="First day the claim can be about.")
    event_to: date | None = Field(description="Last day the claim can be about.")


class CompareOut(BaseModel):
    conflict: bool
    relation: Literal["conflict", "agree", "unrelated"]
    reason: str = Field(description="Why, in one sentence.")
    similarity: float = Field(description="Cosine similarity of the two claims' embeddings.")
    match: bool = Field(
        description="They state the same thing: the core judges them agreeing and the match "
        "score is at least CROSSCHECK_MATCH_MIN_SCORE."
    )
    match_score: float = Field(
        ge=0, le=1, description="How likely the two claims state the same thing (calibrated)."
    )
    conflicts: list[QuantityPair] = Field(description="Every disagreeing quantity pair.")
    a: ClaimReading
    b: ClaimReading
