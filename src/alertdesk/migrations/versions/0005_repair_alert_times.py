"""repair alert times stored before vendor times were checked

Earlier versions stored a vendor's placeholder times (year 1, year 9999 in a negative
offset, i.e. year 10000 in UTC) as they came; such a row made every read of it fail. Those
times become the time the alert was received (created_at, updated_at for resolutions),
the same rule the pipeline applies now: before 2000 or over a day after receipt.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "triggered_at": "created_at",
    "last_occurrence_at": "created_at",
    "acknowledged_at": "updated_at",
    "resolved_at": "updated_at",
}


def upgrade() -> None:
    for column, fallback in COLUMNS.items():
        op.execute(
            f"update alert set {column} = {fallback}"  # noqa: S608 (fixed names above)
            f" where {column} < timestamptz '2000-01-01 00:00:00+00'"
            f" or {column} - created_at > interval '1 day'"  # immutable, so Citus can run it
        )


def downgrade() -> None:
    """Nothing to undo: the repaired times were unreadable."""
