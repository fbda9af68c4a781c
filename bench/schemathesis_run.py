"""Fuzz every API operation and list each distinct 5xx, without stopping at the first.

    ALERTDESK_DATABASE_URL=postgresql://.../alertdesk_fuzz \
        .venv/bin/python -m bench.schemathesis_run [N] [OPERATION-SUBSTRING]

The case generation, seed data and edge values of tests/web/test_openapi_fuzz.py, but N
examples per operation (default 200) and no shrinking: every request that answers 5xx or
raises is recorded, grouped by operation, exception type and innermost alertdesk frame, and
shown with the shortest request that got it. Uses (and migrates) the database in
ALERTDESK_DATABASE_URL, or an embedded one; creates a throwaway tenant. Exits 1 when it found any.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.core import NotSet
from tests.web.test_openapi_fuzz import OPERATIONS, FuzzTarget, build_target, cases, prepare

from alertdesk.settings import Settings
from alertdesk.storage.database import Database


@dataclass
class Finding:
    operation: str
    error: str
    where: str
    endpoint: str
    request: str
    count: int = 0


@dataclass
class Findings:
    found: dict[tuple[str, str, str], Finding] = field(default_factory=dict)

    def add(self, operation: str, error: str, where: str, endpoint: str, request: str) -> None:
        key = (operation, error.split(":", 1)[0], where)
        known = self.found.setdefault(key, Finding(operation, error, where, endpoint, request))
        known.count += 1
        if len(request) < len(known.request):
            known.request, known.error = request, error


def _frames(exc: BaseException) -> tuple[str, str]:
    """(innermost alertdesk frame, endpoint frame) of the exception's traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/alertdesk/" in f.filename]
    if not frames:
        return "-", "-"
    endpoints = [f for f in frames if "/alertdesk/web/api/" in f.filename]

    def show(frame: traceback.FrameSummary) -> str:
        path = frame.filename.split("/src/", 1)[-1]
        return f"{path}:{frame.lineno} in {frame.name}: {(frame.line or '').strip()}"

    return show(frames[-1]), show(endpoints[0]) if endpoints else "-"


def describe(case: Case[Any]) -> str:
    """The request as `METHOD /path?query [body]` (curl output needs values the schema
    validator can read, and lone surrogates are not)."""
    query = f"?{urlencode(case.query, doseq=True)}" if case.query else ""
    line = f"{case.method.upper()} {case.formatted_path}{query}"
    if isinstance(case.body, NotSet):
        return line
    if isinstance(case.body, bytes):
        return f"{line}  {case.media_type or ''} {case.body.decode(errors='replace')}"
    try:
        body = json.dumps(case.body)
    except (TypeError, ValueError):
        body = repr(case.body)
    return f"{line}  {case.media_type or ''} {body}"


def fuzz_operation(label: str, target: FuzzTarget, examples: int, findings: Findings) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(label), data=st.data())
    def fuzz(case: Case[Any], data: st.DataObject) -> None:
        prepare(case, data, target)
        request = describe(case)
        try:
            response = case.call(headers=target.headers, app=target.app)
        except Exception as exc:  # the app raised: a 500 to the client
            inner, outer = _frames(exc)
            error = f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"
            findings.add(label, error.splitlines()[0][:300], inner, outer, request)
            return
        if response.status_code >= 500:
            error = f"HTTP {response.status_code}: {response.text[:200]}"
            findings.add(label, error, "-", "-", request)

    fuzz()


def main() -> int:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    only = sys.argv[2] if len(sys.argv) > 2 else ""
    settings_ = Settings()
    database = Database.from_settings(settings_)
    url = database.engine.url.render_as_string(hide_password=False)
    target = build_target(url, Path(tempfile.mkdtemp(prefix="alertdesk-fuzz-")))
    findings = Findings()
    started = time.perf_counter()
    for label in OPERATIONS:
        if only in label:
            fuzz_operation(label, target, examples, findings)
    took = time.perf_counter() - started
    for n, f in enumerate(sorted(findings.found.values(), key=lambda f: f.operation), 1):
        print(f"\n{n}. {f.operation}  ({f.count}x)\n   {f.error}\n   raised at {f.where}")
        print(f"   endpoint  {f.endpoint}\n   {f.request}")
    print(f"\n{len(findings.found)} distinct 5xx in {took:.0f}s ({examples} examples/operation)")
    target.database.dispose()
    database.dispose()
    return 1 if findings.found else 0


if __name__ == "__main__":
    sys.exit(main())
