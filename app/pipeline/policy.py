"""What the cross-check decides by: the thresholds and limits, made once from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from app.config import LimitsSettings, MatchingSettings, Settings
from app.core.compare import ComparePolicy


@dataclass(frozen=True, slots=True)
class CheckPolicy:
    """The matching and comparison thresholds and the size limits of one text."""

    neighbours: int  # stored claims of other sources looked at per claim
    match_threshold: float  # similarity from which agreeing claims match
    quantity_match_threshold: float  # the same, when they state a same-measure quantity
    compare: ComparePolicy  # when two claims are compared, and the event window
    max_text_chars: int
    max_claims: int

    @classmethod
    def from_settings(cls, settings: Settings) -> CheckPolicy:
        return cls.of(settings.matching, settings.limits)

    @classmethod
    def of(cls, matching: MatchingSettings, limits: LimitsSettings) -> CheckPolicy:
        return cls(
            neighbours=matching.neighbours,
            match_threshold=matching.match_threshold,
            quantity_match_threshold=matching.quantity_match_threshold,
            compare=ComparePolicy(
                min_similarity=matching.conflict_min_similarity,
                event_window_days=matching.event_window_days,
            ),
            max_text_chars=limits.max_text_chars,
            max_claims=limits.max_claims_per_article,
        )

    @property
    def search_floor(self) -> float:
        """The least similarity at which a neighbour can matter (match or comparison)."""
        return min(self.match_threshold, self.quantity_match_threshold, self.compare.min_similarity)
