"""Many clients posting at once over real HTTP, to two service instances on one database.

Afterwards the database must hold exactly what posting the same articles one after another
holds: every article once (also those posted twice at the same moment), every claim, and every
conflict once per claim pair (also those between articles stored at the same moment); and no
request may have failed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import numpy as np
import uvicorn
from sqlalchemy import create_engine, text

from app.config import Settings
from app.embeddings import Embedder, Vectors
from app.main import create_app
from tests.support.databases import Databases, fresh_database

OUTLETS = 8
TOLLS = [200_000, 250_000, 270_000, 300_000, 320_000, 350_000, 400_000, 450_000]


def article(i: int) -> dict[str, Any]:
    """One outlet's story; every outlet gives another death toll, so every pair conflicts."""
    return {
        "source": f"Outlet {i}",
        "published_at": "2016-03-14",
        "title": f"Geneva talks, take {i}",
        "text": (
            f"The war in Syria has killed {TOLLS[i]:,} people since it began in 2011, "
            "a monitoring group said. "
            f"Negotiators from {12 + i} countries met in Geneva on Monday to end the fighting. "
            "The opposition delegation arrived late after a dispute over the agenda."
        ),
    }


class RememberingEmbedder:
    """The real model, remembering what it encoded: asked again, it answers at once.

    The one-by-one run teaches it every text; in the concurrent run no request then waits for
    the model (which runs one call at a time), so the requests reach the database together.
    """

    def __init__(self, model: Embedder):
        self._model = model
        self.name = model.name
        self.dimension = model.dimension
        self._known: dict[tuple[str, ...], Vectors] = {}
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> Vectors:
        key = tuple(texts)
        with self._lock:
            known = self._known.get(key)
        if known is None:
            known = self._model.encode(texts)
            with self._lock:
                self._known[key] = known
        return np.array(known, copy=True)


def bodies() -> list[dict[str, Any]]:
    """Each story twice, the two copies side by side so that they are sent together."""
    return [body for i in range(OUTLETS) for body in (article(i), article(i))]


@contextmanager
def serve(settings: Settings, embedder: Embedder) -> Iterator[str]:
    """The service on a free local port, in a thread, as a real HTTP server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, embedder), log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


def snapshot(url: str) -> dict[str, Any]:
    """What the database holds, in terms that do not depend on the order of the writes."""
    engine = create_engine(url)
    with engine.connect() as connection:

        def scalar(sql: str) -> int:
            return int(connection.execute(text(sql)).scalar_one())

        state = {
            "articles": scalar("SELECT count(*) FROM articles"),
            "claims": scalar("SELECT count(*) FROM claims"),
            "analysed claims": scalar("SELECT count(*) FROM claims WHERE analysis IS NOT NULL"),
            "conflicts": scalar("SELECT count(*) FROM conflicts"),
            "sources": scalar("SELECT count(*) FROM sources"),
            "claims per article": sorted(
                connection.execute(
                    text(
                        "SELECT s.name, count(c.id) FROM articles a JOIN sources s "
                        "ON s.id = a.source_id JOIN claims c ON c.article_id = a.id "
                        "GROUP BY s.name"
                    )
                ).all()
            ),
            "conflict pairs": sorted(
                tuple(sorted(pair))
                for pair in connection.execute(
                    text(
                        "SELECT sa.name || ': ' || ca.text, sb.name || ': ' || cb.text "
                        "FROM conflicts f "
                        "JOIN claims ca ON ca.id = f.claim_a_id "
                        "JOIN claims cb ON cb.id = f.claim_b_id "
                        "JOIN sources sa ON sa.id = ca.source_id "
                        "JOIN sources sb ON sb.id = cb.source_id"
                    )
                )
            ),
        }
    engine.dispose()
    return state


def test_concurrent_posts_store_everything_exactly_once(
    databases: Databases, embedder: Embedder
) -> None:
    # Every stored claim above the similarity floor is a neighbour: which conflicts are found
    # then does not depend on the order the articles arrive in.
    overrides = {"neighbours": 100}
    embedder = RememberingEmbedder(embedder)

    with fresh_database(databases) as one_by_one:
        with serve(Settings(database_url=one_by_one, **overrides), embedder) as base:
            for body in bodies():
                assert httpx.post(f"{base}/v1/articles", json=body, timeout=60).status_code in {
                    200,
                    201,
                }
        expected = snapshot(one_by_one)
    assert expected["articles"] == OUTLETS
    assert expected["conflicts"] >= OUTLETS * (OUTLETS - 1) // 2

    with fresh_database(databases) as url:
        settings = Settings(database_url=url, **overrides)
        with serve(settings, embedder) as first, serve(settings, embedder) as second:
            posts = bodies()
            start = threading.Barrier(len(posts))

            def send(i: int) -> httpx.Response:
                # The two copies of a story go to different instances.
                base = first if i % 2 == 0 else second
                with httpx.Client(base_url=base, timeout=120) as client:
                    start.wait()
                    return client.post("/v1/articles", json=posts[i])

            with ThreadPoolExecutor(max_workers=len(posts)) as pool:
                responses = list(pool.map(send, range(len(posts))))

            statuses = [r.status_code for r in responses]
            assert all(s in {200, 201} for s in statuses), [r.text for r in responses]
            for copy_a, copy_b in zip(responses[::2], responses[1::2], strict=True):
                assert sorted([copy_a.status_code, copy_b.status_code]) == [200, 201]
                assert copy_a.json()["id"] == copy_b.json()["id"]

            # Each instance sees every claim, whichever instance stored it.
            for base in (first, second):
                feed = httpx.get(f"{base}/v1/conflicts", params={"page_size": 200}).json()
                assert len(feed["items"]) == expected["conflicts"]
                probe = article(0) | {"source": "Reader"}
                check = httpx.post(f"{base}/v1/check", json=probe, timeout=60).json()
                assert check["conflict_count"] >= OUTLETS - 1

        assert snapshot(url) == expected
