"""``CrossChecker``: analyse -> embed -> neighbours -> judge, for every path that cross-checks.

Reading a text (``read``) is CPU work with no database: it runs before a write transaction
opens, so a slow model never holds the write lock. Relating (``relate``) searches the stored
claims of other sources near each claim and judges each pair with the core's rules; what it
knows of a stored claim is what was stored with it (its analysis), not a second reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from app.core.analysis import ClaimFacts, analyse_claim
from app.core.claims import Claim, extract_claims
from app.core.compare import Verdict, compare_claims
from app.core.match_score import load_match_model
from app.embeddings import Embedder
from app.exceptions import InvalidInput
from app.pipeline.neighbours import Neighbourhood, StoredNeighbourhood
from app.pipeline.policy import CheckPolicy
from app.pipeline.repository import StoredClaim
from app.search.base import ClaimSearch, Vector
from app.search.fusion import Fused, FusionPolicy
from app.search.hybrid import HybridSearch, SearchMode
from app.search.lexical import LexicalSearch, create_lexical_search
from app.search.repository import IndexLogRepository


@dataclass(frozen=True, slots=True)
class Probe:
    """A claim of the text being checked, read and embedded, ready to be related."""

    claim: Claim
    facts: ClaimFacts
    vector: Vector


@dataclass(frozen=True, slots=True)
class Related:
    """A stored claim of another source near a probe, and how the two relate."""

    other: StoredClaim
    similarity: float
    verdict: Verdict
    match: bool  # they say the same thing: agreeing, and a high enough match score
    match_score: float  # how likely they state the same thing (app.core.match_score)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two claims judged as if from two sources: what was read in each, and the verdict."""

    a: ClaimFacts
    b: ClaimFacts
    similarity: float
    verdict: Verdict
    match: bool
    match_score: float


class CrossChecker:
    """The cross-check, built once from the model, the search backend and the policy."""

    def __init__(
        self,
        embedder: Embedder,
        search: ClaimSearch,
        policy: CheckPolicy,
        lexical: LexicalSearch | None = None,
        fusion: FusionPolicy | None = None,
    ):
        self.embedder = embedder
        self.search = search
        self.policy = policy
        self.match_model = load_match_model()
        self.hybrid = HybridSearch(
            search, lexical or create_lexical_search("sqlite"), fusion or FusionPolicy()
        )

    def read(self, text: str, title: str | None, published_at: date | None) -> list[Probe]:
        """The claims of a text with their analysis and embeddings (CPU-bound: call it off
        the event loop, and before a write transaction)."""
        claims = self._claims(text, title)
        vectors = self.embedder.encode([claim.text for claim in claims])
        return [
            Probe(claim, analyse_claim(claim.text, published_at), vector)
            for claim, vector in zip(claims, vectors, strict=True)
        ]

    def read_many(
        self, texts: Sequence[tuple[str, str | None, date | None]]
    ) -> list[list[Probe] | InvalidInput]:
        """``read`` for many (text, title, published_at), with one model call for all their
        claims (fuller batches); a text that cannot be read is answered with its error."""
        claims_of: list[list[Claim] | InvalidInput] = []
        for text, title, _ in texts:
            try:
                claims_of.append(self._claims(text, title))
            except InvalidInput as error:
                claims_of.append(error)
        vectors = iter(
            self.embedder.encode([c.text for cs in claims_of if isinstance(cs, list) for c in cs])
        )
        out: list[list[Probe] | InvalidInput] = []
        for claims, (_, _, published_at) in zip(claims_of, texts, strict=True):
            if isinstance(claims, InvalidInput):
                out.append(claims)
                continue
            out.append(
                [Probe(c, analyse_claim(c.text, published_at), next(vectors)) for c in claims]
            )
        return out

    def _claims(self, text: str, title: str | None) -> list[Claim]:
        if not text.strip():
            raise InvalidInput("text is empty: send the article's text.")
        if len(text) > self.policy.max_text_chars:
            raise InvalidInput(
                f"text has {len(text)} characters; the limit is {self.policy.max_text_chars} "
                "(setting CROSSCHECK_MAX_TEXT_CHARS): split the article or raise the limit."
            )
        return extract_claims(text, title=title, max_claims=self.policy.max_claims)

    def relate(
        self, session: Session, probes: Sequence[Probe], exclude_source_id: int | None
    ) -> list[list[Related]]:
        """For each probe, the nearest stored claims of other sources and the verdict on each."""
        neighbourhood = StoredNeighbourhood(
            session,
            self.search,
            self.hybrid.lexical,
            [p.claim.text for p in probes],
            self.policy.lexical_neighbours,
        )
        return self.relate_in(neighbourhood, probes, exclude_source_id)

    def relate_in(
        self,
        neighbourhood: Neighbourhood,
        probes: Sequence[Probe],
        exclude_source_id: int | None,
    ) -> list[list[Related]]:
        """``relate`` against any ``Neighbourhood`` (the database, or claims in memory)."""
        policy = self.policy
        hits = neighbourhood.nearest(
            [p.vector for p in probes], policy.neighbours, exclude_source_id, policy.search_floor
        )
        stored = neighbourhood.claims(sorted({h.claim_id for row in hits for h in row}))
        related: list[list[Related]] = []
        for probe, row in zip(probes, hits, strict=True):
            found = []
            for hit in row:
                other = stored.get(hit.claim_id)
                if other is None:  # deleted since the index saw it
                    continue
                verdict = compare_claims(probe.facts, other.facts, hit.similarity, policy.compare)
                score = self.match_model.score(
                    probe.claim.text, other.text, hit.similarity, verdict
                )
                match = policy.is_match(hit.similarity, score, verdict)
                found.append(Related(other, hit.similarity, verdict, match, score))
            related.append(found)
        return related

    def relate_to(self, session: Session, probe: Probe, claim_ids: Sequence[int]) -> list[Related]:
        """The verdict on a probe and each of some stored claims, wherever they would rank
        (a match a person confirmed, say); their similarity from their stored vectors."""
        stored = StoredNeighbourhood(session, self.search).claims(claim_ids)
        vectors = IndexLogRepository(session).stored_vectors(list(stored))
        related = []
        for claim_id, other in stored.items():
            if claim_id not in vectors:
                continue
            vector = np.frombuffer(vectors[claim_id][1], dtype=np.float32)
            similarity = float(vector @ probe.vector)
            verdict = compare_claims(probe.facts, other.facts, similarity, self.policy.compare)
            score = self.match_model.score(probe.claim.text, other.text, similarity, verdict)
            match = self.policy.is_match(similarity, score, verdict)
            related.append(Related(other, similarity, verdict, match, score))
        return related

    def compare(
        self, a: str, a_published_at: date | None, b: str, b_published_at: date | None
    ) -> Comparison:
        """The verdict on two claims taken as coming from two sources."""
        for text in (a, b):
            if not text.strip():
                raise InvalidInput("a claim's text is empty: send a sentence on each side.")
        facts_a = analyse_claim(" ".join(a.split()), a_published_at)
        facts_b = analyse_claim(" ".join(b.split()), b_published_at)
        vectors = self.embedder.encode([facts_a.text, facts_b.text])
        similarity = float(vectors[0] @ vectors[1])
        verdict = compare_claims(facts_a, facts_b, similarity, self.policy.compare)
        score = self.match_model.score(facts_a.text, facts_b.text, similarity, verdict)
        match = self.policy.is_match(similarity, score, verdict)
        return Comparison(facts_a, facts_b, similarity, verdict, match, score)

    def search_text(self, session: Session, query: str, k: int) -> list[tuple[StoredClaim, float]]:
        """The stored claims nearest to a free-text query, from any source, best first."""
        if not query.strip():
            raise InvalidInput("q is empty: send the text to search for.")
        vector = self.embedder.encode([query])[0]
        [hits] = self.search.nearest(session, [vector], k, None, -1.0)
        stored = StoredNeighbourhood(session, self.search).claims([h.claim_id for h in hits])
        return [(stored[h.claim_id], h.similarity) for h in hits if h.claim_id in stored]

    def find(
        self,
        session: Session,
        query: str,
        depth: int,
        exclude_source_id: int | None,
        mode: SearchMode,
    ) -> list[tuple[StoredClaim, Fused]]:
        """The stored claims for a free-text query by embedding, keywords or both fused, best
        first, at least ``depth`` of them when the store has them."""
        if not query.strip():
            raise InvalidInput("q is empty: send the text to search for.")
        vector = self.embedder.encode([query])[0]
        found = self.hybrid.search(session, query, vector, depth, exclude_source_id, mode)
        ids = [f.candidate.claim_id for f in found]
        stored = StoredNeighbourhood(session, self.search).claims(ids)
        return [(stored[f.candidate.claim_id], f) for f in found if f.candidate.claim_id in stored]
