"""Articles for the load and fault tests: pairs that conflict, and nothing else that does.

Topic ``t`` is one event (its own publication date, ten days from the next topic's, so no two
topics are the same event) reported by two outlets with numbers far apart: exactly one conflict
per topic once both are stored, whatever the order or the concurrency.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SOURCES = ("Wire A", "Wire B")


CITIES = [
    "Aleppo",
    "Amman",
    "Baghdad",
    "Beirut",
    "Cairo",
    "Damascus",
    "Dhaka",
    "Dakar",
    "Harare",
    "Jakarta",
    "Kabul",
    "Karachi",
    "Khartoum",
    "Kinshasa",
    "Lagos",
    "Lima",
    "Luanda",
    "Lusaka",
    "Manila",
    "Maputo",
    "Mosul",
    "Nairobi",
    "Niamey",
    "Quito",
    "Sanaa",
    "Tripoli",
    "Tunis",
    "Yangon",
    "Kampala",
    "Bamako",
    "Caracas",
    "Bogota",
    "Hanoi",
    "Kigali",
    "Juba",
    "Mogadishu",
    "Asmara",
    "Djibouti",
    "Freetown",
    "Monrovia",
    "Conakry",
    "Accra",
    "Lome",
    "Abuja",
    "Douala",
    "Bangui",
    "Ndjamena",
    "Tbilisi",
    "Yerevan",
    "Baku",
]
EVENTS = (
    ("the flood", "people killed", "killed {n} people"),
    ("the earthquake", "buildings destroyed", "destroyed {n} buildings"),
    ("the epidemic", "cases", "infected {n} patients"),
    ("the wildfire", "hectares burned", "burned {n} hectares of forest"),
    ("the storm", "homes damaged", "damaged {n} homes"),
    ("the drought", "cattle lost", "killed {n} head of cattle"),
    ("the strike", "workers", "brought out {n} factory workers"),
    ("the siege", "families displaced", "displaced {n} families"),
)


def article(topic: int, side: int) -> dict[str, Any]:
    """One side of a topic; the two sides differ in their number only."""
    city = CITIES[topic % len(CITIES)]
    event, _, effect = EVENTS[(topic // len(CITIES)) % len(EVENTS)]
    base = 200 + topic % 500
    count = base * (1 if side == 0 else 3)
    day = date(1990, 1, 1) + timedelta(days=10 * topic)
    return {
        "source": SOURCES[side],
        "published_at": day.isoformat(),
        "title": f"Report {topic}",
        "text": (
            f"Officials in {city} said {event} has {effect.format(n=f'{count * 1000:,}')} since it "
            f"began. Relief convoys for {city} are expected next week."
        ),
    }


def database_counts(path: Path) -> dict[str, Any]:
    """What is stored, read straight from the SQLite file."""
    with sqlite3.connect(path) as db:
        articles = db.execute(
            "SELECT a.id, s.name, a.title FROM articles a JOIN sources s ON s.id = a.source_id"
        ).fetchall()
        claims = dict(
            db.execute("SELECT article_id, COUNT(*) FROM claims GROUP BY article_id").fetchall()
        )
        gaps = db.execute(
            "SELECT article_id FROM claims GROUP BY article_id HAVING MAX(position) + 1 != COUNT(*)"
        ).fetchall()
        unindexed = db.execute(
            "SELECT COUNT(*) FROM claims c WHERE NOT EXISTS "
            "(SELECT 1 FROM index_changes i WHERE i.claim_id = c.id AND i.added)"
        ).fetchone()[0]
        conflicts = db.execute(
            "SELECT aa.title, ab.title FROM conflicts c "
            "JOIN claims ca ON ca.id = c.claim_a_id JOIN articles aa ON aa.id = ca.article_id "
            "JOIN claims cb ON cb.id = c.claim_b_id JOIN articles ab ON ab.id = cb.article_id"
        ).fetchall()
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        foreign_keys = db.execute("PRAGMA foreign_key_check").fetchall()
    return {
        "articles": articles,
        "claims": claims,
        "claim_gaps": gaps,
        "unindexed_claims": unindexed,
        "conflicts": conflicts,
        "integrity": integrity,
        "foreign_keys": foreign_keys,
    }
