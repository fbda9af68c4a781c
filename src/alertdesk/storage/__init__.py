"""Persistence: engine and embedded PostgreSQL, typed tables, migrations runner."""
