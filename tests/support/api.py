"""Texts and calls the HTTP tests share: two outlets' death tolls, posting, problem bodies."""

from __future__ import annotations

from fastapi.testclient import TestClient

TOLL_A = (
    "The UN-hosted negotiations in Geneva are the latest effort to end violence that has "
    "killed more than 270,000 people and displaced millions."
)
TOLL_B = (
    "Several ceasefires and peace talks have been attempted since the conflict, which has "
    "killed 250,000 people, broke out five years ago this week."
)


def post(client: TestClient, source: str, text: str, **extra: str) -> dict:
    response = client.post(
        "/v1/articles", json={"source": source, "text": text, "published_at": "2016-03-14", **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


PROBLEM = "application/problem+json"


def assert_problem(response: object, status: int, *needles: str) -> dict:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert body["title"]
    for needle in needles:
        assert needle in body["detail"], body["detail"]
    return body


RFE = TOLL_A.replace("The UN-hosted negotiations in Geneva are", "Talks are")
BBC = (
    "Several ceasefires have been attempted since the war, which has killed 400,000 people, "
    "broke out five years ago."
)
