"""The cross-check, the product's spine: read a text's claims, embed them, find the stored
claims of other sources near each, and judge every pair.

``CrossChecker`` is built once at start-up (``app.main``) from the embedding model, the search
backend and a ``CheckPolicy`` made from the settings; endpoints, flows and the CLI share it.
"""

from app.pipeline.checker import Comparison, CrossChecker, Probe, Related
from app.pipeline.neighbours import Neighbourhood, StoredNeighbourhood
from app.pipeline.policy import CheckPolicy
from app.pipeline.repository import StoredClaim

__all__ = [
    "CheckPolicy",
    "Comparison",
    "CrossChecker",
    "Neighbourhood",
    "Probe",
    "Related",
    "StoredClaim",
    "StoredNeighbourhood",
]
