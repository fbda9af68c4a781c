"""Pure domain logic: no I/O, no clock (callers pass `now`).

Besides the stdlib only pure libraries: pydantic for rule shapes, RE2 for patterns.
"""
