"""Workflows: on an event, a filter, then ordered steps from one registry of actions."""
