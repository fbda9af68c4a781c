"""Huntress: incident reports polled into routed, self-contained tickets."""
