"""Notifications: in-app, by email (SMTP or the outbox admins see), per-user preferences."""
