"""The ticketing core: tickets, the work on them, reference data."""
