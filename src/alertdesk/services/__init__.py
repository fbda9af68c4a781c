"""Use cases: take a Session, flush, never commit (the caller's edge owns the transaction)."""
