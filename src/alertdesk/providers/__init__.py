"""Vendor providers: webhook normalizers, alert fetchers and outbound adapters, one per vendor."""
