"""Persistence: the engine and sessions, ORM rows, repositories, migrations.

No framework imports here (services and db never import fastapi/starlette or ``generated``).
"""

from .base import Base
from .database import Database, create_engine
from .errors import ForeignKeyViolationError, IntegrityViolationError, UniqueViolationError
from .item_json import item_from_json, item_json
from .migrate import migrate, upgrade_to_head
from .models import ITEM_ID_MAX, Item, User
from .queries import ItemQueries, ItemRecord, TokenHolder, UserQueries
from .repositories import HealthRepository, ItemRepository, UserRepository
from .types import UTCDateTime, utcnow

__all__ = [
    "ITEM_ID_MAX",
    "Base",
    "Database",
    "ForeignKeyViolationError",
    "HealthRepository",
    "IntegrityViolationError",
    "Item",
    "ItemQueries",
    "ItemRecord",
    "ItemRepository",
    "TokenHolder",
    "UTCDateTime",
    "UniqueViolationError",
    "User",
    "UserQueries",
    "UserRepository",
    "create_engine",
    "item_from_json",
    "item_json",
    "migrate",
    "upgrade_to_head",
    "utcnow",
]
