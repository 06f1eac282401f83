"""The API's wire shapes, generated from its OpenAPI document (``_models.py``)."""

from crosscheck_client._models import *  # noqa: F403
