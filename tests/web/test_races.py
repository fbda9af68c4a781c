"""A request that loses a race on a unique value gets a 409, not a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError


def test_an_integrity_error_is_a_409(client: TestClient) -> None:
    app = client.app

    def lose_a_race() -> None:
        raise IntegrityError("insert into client …", {}, Exception("duplicate key value"))

    app.add_api_route("/api/v1/_race", lose_a_race, methods=["POST"])  # type: ignore[attr-defined]
    response = client.post("/api/v1/_race")
    assert response.status_code == 409
    assert "same moment" in response.json()["detail"]
