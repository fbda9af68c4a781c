"""What runs after a change commits: the event outbox (later workflows, notifications)."""
