"""A webhook delivery is stored and processed in one transaction: one commit each, on a real
committed database (the processing runs behind a savepoint)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.jobs.conftest import Stack, new_msp
from tests.web.webhook_support import connect_tactical, deliver, payload


def test_one_commit_per_delivery(stack: Stack) -> None:
    msp = new_msp(stack, connect_tactical)
    commits: list[int] = []

    def count(_conn: Any) -> None:
        commits.append(1)

    engine = stack.runtime.database.engine
    event.listen(engine, "commit", count)
    try:
        first = deliver(
            stack.client, msp.integration, payload("tacticalrmm", "webhook_trigger.json")
        )
        assert first.json()["outcome"] == "ticket_created", first.text
        assert len(commits) == 1
        repeat = payload("tacticalrmm", "webhook_trigger.json", alert_id="9",
                         alert_time="2026-06-16 16:00:00")  # fmt: skip
        assert deliver(stack.client, msp.integration, repeat).json()["outcome"] == (
            "occurrence_appended"
        )
        assert len(commits) == 2
    finally:
        event.remove(engine, "commit", count)
