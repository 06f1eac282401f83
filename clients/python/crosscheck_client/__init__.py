"""crosscheck-client: the crosscheck API, typed, sync and async (see README.md)."""

from crosscheck_client.client import AsyncClient, Client, Ingested, ProblemError

__all__ = ["AsyncClient", "Client", "Ingested", "ProblemError"]
