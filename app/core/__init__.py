"""Shared pieces: settings, database, errors, security, pagination, time."""

from sqlmodel import SQLModel

# Stable constraint names on both databases, so later migrations can name what they alter.
# Set here, before any table model is defined: every model module imports app.core.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
