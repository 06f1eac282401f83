"""All SQL about sources (outlets)."""

from __future__ import annotations

import weakref

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session

from app.db.models import Source
from app.db.upsert import insert_unless_exists

_SOURCE_ID = select(Source.id).where(Source.name == bindparam("name"))
_SOURCE_IDS_KEPT = 100_000
_source_ids: weakref.WeakKeyDictionary[Engine, dict[str, int]] = weakref.WeakKeyDictionary()


class SourceRepository:
    def __init__(self, session: Session):
        self.session = session

    def find(self, name: str) -> Source | None:
        return self.session.scalars(select(Source).where(Source.name == name)).first()

    def committed_id(self, name: str) -> int | None:
        """Id of the source ``name``, remembered per database once found.

        Sources are never deleted or renamed, so a found id stays right; an unknown name is
        asked again next time. Call it only in a session that has written nothing, so that
        what it finds is committed (an id from a transaction that then rolled back could be
        given to another source).
        """
        engine = self.session.get_bind()
        known = _source_ids.get(engine) if isinstance(engine, Engine) else None
        if known is not None and name in known:
            return known[name]
        source_id = self.session.connection().scalar(_SOURCE_ID, {"name": name})
        if source_id is not None and isinstance(engine, Engine):
            known = _source_ids.setdefault(engine, {})
            if len(known) >= _SOURCE_IDS_KEPT:
                known.clear()
            known[name] = source_id
        return source_id

    def get_or_create(self, name: str) -> Source:
        source = self.find(name)
        if source is not None:
            return source
        # A concurrent request may create the same source: whoever is second inserts nothing.
        self.session.execute(insert_unless_exists(self.session, Source, ["name"]).values(name=name))
        found = self.find(name)
        assert found is not None
        return found
