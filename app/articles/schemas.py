"""Articles on the wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SkipValidation,
    field_validator,
    model_validator,
)

from app.claims.schemas import ClaimOut
from app.problems import Problem
from app.schemas import IsoDate


class ArticleIn(BaseModel):
    """A news article to store and cross-check."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "The Associated Press",
                    "published_at": "2016-03-14",
                    "title": "Putin Says Russians to Start Withdrawing from Syria",
                    "url": "https://apnews.example/article/syria-withdrawal",
                    "text": "Several ceasefires and peace talks have been attempted since the "
                    "conflict, which has killed 250,000 people, broke out five years ago.",
                },
                {
                    "source": "RFE/RL",
                    "html": "<html><head><title>Putin Orders Syrian Withdrawal</title>"
                    '<meta property="article:published_time" content="2016-03-15"></head>'
                    "<body><nav><a href='/'>Home</a></nav><article><h1>Putin Orders Syrian "
                    "Withdrawal</h1><p>The UN-hosted negotiations in Geneva are the latest "
                    "effort to end violence that has killed more than 270,000 people.</p>"
                    "</article><footer>27 languages in 23 countries</footer></body></html>",
                },
            ]
        },
    )

    source: str = Field(
        min_length=1,
        max_length=200,
        description="The outlet.",
        examples=["The Associated Press"],
    )
    text: str | None = Field(
        default=None,
        min_length=1,
        description="The article's text, as scraped is fine. Exactly one of text and html.",
    )
    html: str | None = Field(
        default=None,
        min_length=1,
        description="The article's web page, as HTML source, instead of text: its main text "
        "(without navigation, footers, scripts or banners) and title are read from it, and "
        "its publication date when published_at is absent; the answer's text is what was "
        "read. The service never fetches anything: send the page, not its address.",
    )
    published_at: IsoDate | None = Field(
        default=None,
        description="ISO date, e.g. 2016-03-14; with html, read from the page when absent.",
    )
    url: AnyHttpUrl | None = Field(default=None, description="Where the article was published.")
    title: str | None = Field(
        default=None, max_length=1000, description="With html, read from the page when absent."
    )

    @model_validator(mode="after")
    def _text_or_html(self) -> ArticleIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("send exactly one of text and html")
        return self

    @field_validator("url")
    @classmethod
    def _url_fits(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        # The column holds 2048 characters; normalising (punycode) can lengthen a url.
        if value is not None and len(str(value)) > 2048:
            raise ValueError("url is longer than 2048 characters")
        return value

    @field_validator("source")
    @classmethod
    def _source_not_blank(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("source is blank: name the outlet")
        return value


class ArticleSummary(BaseModel):
    id: int
    source: str
    url: str | None
    title: str | None
    published_at: date | None
    created_at: datetime
    claim_count: int


class ArticleOut(ArticleSummary):
    """A stored article with its claims, their matches and their conflicts."""

    text: str = Field(
        description="The article's text as stored: for an article sent as html, the text read "
        "from the page. Claims' start and end are offsets into it."
    )
    match_count: int
    conflict_count: int
    claims: list[ClaimOut]


class ArticlePage(BaseModel):
    items: list[ArticleSummary]
    next_page_token: str | None = Field(description="Pass as page_token for the next page.")


BATCH_EXAMPLE: dict[str, Any] = {
    "articles": [
        {
            "source": "RFE/RL",
            "published_at": "2016-03-15",
            "text": "Talks are the latest effort to end violence that has killed more than "
            "270,000 people and displaced millions.",
        },
        {"source": "AFP", "text": ""},
    ]
}


class BatchIn(BaseModel):
    """Articles to store, each answered on its own."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [BATCH_EXAMPLE]})

    # Each item is validated on its own by the endpoint (an invalid one is answered with its
    # problem, the others are stored); the schema still says what an item is.
    articles: list[SkipValidation[ArticleIn]] = Field(
        min_length=1,
        description="At most CROSSCHECK_MAX_BATCH_ARTICLES (100 by default) articles.",
    )


class BatchItemOut(BaseModel):
    """The answer to one article of a batch: what POST /v1/articles would have answered."""

    index: int = Field(description="0-based position of the article in the batch.")
    status: int = Field(
        description="201 stored, 200 already stored, or the status of its problem.",
        examples=[201],
    )
    article: ArticleOut | None = Field(description="The article, unless it was refused.")
    problem: Problem | None = Field(description="Why the article was refused (else null).")


class BatchOut(BaseModel):
    """A batch's answer: one item per article, in the order they were sent."""

    stored: int
    already_stored: int
    failed: int
    items: list[BatchItemOut]
