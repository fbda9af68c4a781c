"""Pure domain logic: stdlib only, no I/O, no clock (callers pass `now`)."""
