"""Tenants, users, API tokens and UI sessions: who may do what."""
