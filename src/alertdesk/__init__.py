"""alertdesk: turns RMM and security alerts into tickets for managed service providers."""

__version__ = "0.1.0"
