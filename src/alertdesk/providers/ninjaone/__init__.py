"""NinjaOne: webhook deliveries, API client (OAuth), webhook registration, alert reset."""
