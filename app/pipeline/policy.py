"""What the cross-check decides by: the thresholds and limits, made once from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from app.config import LimitsSettings, MatchingSettings, Settings
from app.core.compare import ComparePolicy, Verdict


@dataclass(frozen=True, slots=True)
class CheckPolicy:
    """The matching and comparison thresholds and the size limits of one text."""

    neighbours: int  # stored claims of other sources looked at per claim
    lexical_neighbours: int  # and the best by keywords (0: the vector index alone)
    match_min_score: float  # match score from which agreeing claims match
    match_threshold: float  # cosine from which agreeing claims match whatever their score
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
            lexical_neighbours=matching.lexical_neighbours,
            match_min_score=matching.match_min_score,
            match_threshold=matching.match_threshold,
            quantity_match_threshold=matching.quantity_match_threshold,
            compare=ComparePolicy(
                min_similarity=matching.conflict_min_similarity,
                event_window_days=matching.event_window_days,
            ),
            max_text_chars=limits.max_text_chars,
            max_claims=limits.max_claims_per_article,
        )

    def is_match(self, similarity: float, match_score: float, verdict: Verdict) -> bool:
        """Agreeing claims match from the match score, or from a cosine threshold (a lower one
        when they state a same-measure quantity compatibly). The score is fitted on
        paraphrases (MRPC), and two claims can state one fact without being paraphrases: a
        quote and the longer quote it is cut from, one number reported in two otherwise
        different sentences. The cosine thresholds keep those matches."""
        if verdict.relation != "agree":
            return False
        if match_score >= self.match_min_score:
            return True
        if verdict.agreements:
            return similarity >= self.quantity_match_threshold
        return similarity >= self.match_threshold

    @property
    def search_floor(self) -> float:
        """The least similarity at which a neighbour can matter: below the comparison's floor
        the core calls every pair unrelated, so it can neither match nor conflict."""
        return min(self.match_threshold, self.quantity_match_threshold, self.compare.min_similarity)
