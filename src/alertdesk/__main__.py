"""Allow `python -m alertdesk`."""

from alertdesk.cli import app

app()
