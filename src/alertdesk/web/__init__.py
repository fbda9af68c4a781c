"""HTTP edge: JSON API, technician UI, health endpoints."""
