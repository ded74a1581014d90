"""users.token_version: a password change or a deactivation ends older tokens

Revision ID: 7c3e1a9d2b54
Revises: 328fd5230b19
Create Date: 2026-12-01 19:00:00

Every token carries the user's ``token_version`` at issue time; ``AuthService.authenticate``
refuses a token whose version is not the current one (issue 8).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "7c3e1a9d2b54"
down_revision: str | Sequence[str] | None = "328fd5230b19"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("token_version", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of the table would lose
    # the expression indexes on lower(username) and lower(email), which SQLite cannot reflect.
    op.drop_column("users", "token_version")
