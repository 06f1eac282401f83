"""The database layer: ORM models, engine and the transaction boundary."""
