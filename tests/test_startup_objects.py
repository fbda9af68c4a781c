"""A serving process leaves what it built to start out of the garbage collector's full passes
(runtime.freeze_startup_objects): checked in a process of its own, since freezing is for the
whole interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

FREEZE = """
import gc, json, weakref
from alertdesk.runtime import freeze_startup_objects

class Node:
    pass

cycle = Node(); cycle.me = cycle; ref = weakref.ref(cycle); cycle = None  # garbage only
kept = [Node() for _ in range(1000)]  # the collector frees, and objects in use
tracked_before = len(gc.get_objects())
freeze_startup_objects()
print(json.dumps({"before": tracked_before, "frozen": gc.get_freeze_count(),
                  "tracked": len(gc.get_objects()), "garbage_kept": ref() is not None,
                  "in_use_scanned": any(type(o) is Node for o in gc.get_objects())}))
"""

SERVING = """
import asyncio, gc, json, os
from alertdesk.app import create_app, lifespan
from alertdesk.runtime import Runtime
from alertdesk.settings import Settings
from alertdesk.storage.database import Database

settings = Settings(database_url=os.environ["URL"], serve_worker=False)
app = create_app(Runtime.build(settings, Database.from_url(os.environ["URL"])))
app.state.owns_runtime = os.environ["OWNS"] == "1"

async def main():
    async with lifespan(app):
        print(json.dumps({"frozen": gc.get_freeze_count()}))

asyncio.run(main())
"""


def _run(script: str, **env: str) -> dict[str, int | bool]:
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        env={**os.environ, **env},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, int | bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_startup_objects_are_frozen_and_garbage_is_collected_first() -> None:
    found = _run(FREEZE)
    assert found["frozen"] > 10_000  # the interpreter's and alertdesk's modules, at least
    assert found["tracked"] < found["before"] / 10  # what full passes still scan
    assert not found["garbage_kept"]  # collected, not frozen
    assert not found["in_use_scanned"]


def test_a_server_s_app_freezes_when_it_starts_serving_and_a_test_s_app_does_not(
    make_database: Callable[[], str],
) -> None:
    url = make_database()
    assert _run(SERVING, URL=url, OWNS="1")["frozen"] > 10_000
    assert _run(SERVING, URL=url, OWNS="0")["frozen"] == 0
