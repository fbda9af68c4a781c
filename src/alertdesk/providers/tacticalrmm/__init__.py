"""TacticalRMM: URL Action webhook deliveries, API client (X-API-KEY), alert resolve."""
