"""Vendor connections: connect, webhook inbox, org mappings, OAuth, outbound resets."""
