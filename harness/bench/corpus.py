"""The benchmark's text: real claims and articles made of real sentences.

Sources, all in the shared folder beside the repository: the seed articles (real news, split
into claims by the service's own extractor), the RTE sentences of EQUATE (real prose) and the
StressTest sentences of EQUATE (real sentences with their quantities varied).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app.core.claims import extract_claims
from harness.evaluate import PairRow, read_pairs

SHARED = Path(__file__).resolve().parents[3] / "shared"
SEEDS = SHARED / "seeds"
DEV_SETS = {
    "RTE_Quant": SHARED / "data" / "equate" / "RTE_Quant.csv",
    "StressTest": SHARED / "data" / "equate" / "StressTest.csv",
}
OUTLETS = [f"Outlet {i:02d}" for i in range(50)]


@dataclass(frozen=True, slots=True)
class Corpus:
    seed_claims: list[str]  # claims of the five seed articles
    rte: list[str]  # EQUATE RTE sentences (real prose)
    stress: list[str]  # EQUATE StressTest sentences

    @property
    def real(self) -> list[str]:
        """Claims from real prose: the neighbour-overlap set."""
        return list(dict.fromkeys(self.seed_claims + self.rte))

    @property
    def pool(self) -> list[str]:
        """Every distinct sentence: the texts of the large synthetic stores."""
        return list(dict.fromkeys(self.seed_claims + self.rte + self.stress))


def seed_articles() -> list[dict[str, Any]]:
    """The five seed articles as POST bodies."""
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    return [
        {
            "source": entry["source"],
            "published_at": entry["published_at"],
            "title": entry["title"],
            "text": (SEEDS / entry["file"]).read_text(encoding="utf-8"),
        }
        for entry in manifest
    ]


def dev_pairs(name: str, limit: int | None = None) -> list[PairRow]:
    """A development set's labelled pairs (the first ``limit``)."""
    rows = read_pairs(DEV_SETS[name])
    return rows if limit is None else rows[:limit]


def load_corpus() -> Corpus:
    """Read every text the benchmark uses."""
    claims = [
        claim.text
        for article in seed_articles()
        for claim in extract_claims(article["text"], title=article["title"])
    ]
    rte = [t for row in dev_pairs("RTE_Quant") for t in (row.premise, row.hypothesis)]
    stress = [t for row in dev_pairs("StressTest") for t in (row.premise, row.hypothesis)]
    return Corpus(claims, list(dict.fromkeys(rte)), list(dict.fromkeys(stress)))


def claim_sentences(corpus: Corpus) -> list[str]:
    """Sentences of the corpus that the extractor keeps as exactly one claim on their own."""
    kept = []
    for text in corpus.seed_claims + corpus.rte + corpus.stress:
        claims = extract_claims(text)
        if len(claims) == 1 and claims[0].text == text.strip():
            kept.append(text.strip())
    return list(dict.fromkeys(kept))


def articles(
    pool: list[str], count: int, sentences: int = 20, seed: int = 0
) -> list[dict[str, Any]]:
    """``count`` distinct articles of ``sentences`` real claim sentences each (see
    ``claim_sentences``), in paragraphs, from rotating outlets and dates: what a newsroom feed
    posts."""
    rng = random.Random(seed)
    texts = pool
    out = []
    for i in range(count):
        chosen = rng.sample(texts, sentences)
        paragraphs = [" ".join(chosen[j : j + 3]) for j in range(0, len(chosen), 3)]
        out.append(
            {
                "source": OUTLETS[i % len(OUTLETS)],
                "title": f"Bench article {seed}-{i}: {chosen[0][:60]}",
                "published_at": (date(2016, 3, 1) + timedelta(days=rng.randrange(700))).isoformat(),
                "text": "\n\n".join(paragraphs),
            }
        )
    return out
