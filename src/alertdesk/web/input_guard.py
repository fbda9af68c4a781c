"""One guard for every REST and UI input: text PostgreSQL cannot store is a 422, not a 500.

NUL characters and lone surrogates are refused wherever they appear — query, path, JSON
body (keys included) or form — naming the field, before any endpoint sees them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

Loc = tuple[str | int, ...]


def text_problem(value: str) -> str | None:
    """Why PostgreSQL could not store `value` as text, or None."""
    if "\x00" in value:
        return "must not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (it holds a lone surrogate)"
    return None


def _problems(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            yield loc, problem
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _problems(key, (*loc, str(key)[:100]))
            yield from _problems(item, (*loc, str(key)[:100]))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _problems(item, (*loc, index))


def _pairs(items: Iterable[tuple[str, Any]], where: str) -> Iterator[tuple[Loc, str]]:
    for name, value in items:
        yield from _problems(name, (where, name))
        yield from _problems(value, (where, name))


async def _body_problems(request: Request) -> Iterator[tuple[Loc, str]]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        return _pairs(((k, v) for k, v in form.multi_items() if isinstance(v, str)), "body")
    body = await request.body()
    if not body:
        return iter(())
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):  # not JSON: the endpoint's own validation answers
        return iter(())
    return _problems(parsed, ("body",))


async def refuse_unstorable_text(request: Request) -> None:
    found = [
        *_pairs(request.query_params.multi_items(), "query"),
        *_pairs(request.path_params.items(), "path"),
        *(await _body_problems(request)),
    ]
    if found:
        raise RequestValidationError(
            [{"loc": loc, "msg": msg, "type": "unstorable_text"} for loc, msg in found[:20]]
        )
