"""Huntress integration: pure settings, org matching, cursor walk, ticket content, planning."""
