"""The rules of the API, one transaction per operation. No framework imports here.

Services raise ``impl.errors.ServiceError`` subclasses (NotFound, Forbidden, Conflict,
Unauthorized, ...) and return ORM rows (``impl.db.User``, ``impl.db.Item``); the handlers map
those to the contract's types.
"""

from .actor import ADMIN, ADMIN_SCOPES, ITEMS_WRITE, USER_SCOPES, USERS_READ, USERS_WRITE, Actor
from .auth import AuthService
from .cache import CacheMiss, ItemCache
from .health import Check, HealthService
from .items import ItemService
from .mail import MailDeliveryError, Mailer, MailMessage, MailOutbox, welcome_message
from .users import UNSET, AdminBootstrapRefused, Unset, UserChanges, UserService

__all__ = [
    "ADMIN",
    "ADMIN_SCOPES",
    "ITEMS_WRITE",
    "UNSET",
    "USERS_READ",
    "USERS_WRITE",
    "USER_SCOPES",
    "Actor",
    "AdminBootstrapRefused",
    "AuthService",
    "CacheMiss",
    "Check",
    "HealthService",
    "ItemCache",
    "ItemService",
    "MailDeliveryError",
    "MailMessage",
    "MailOutbox",
    "Mailer",
    "Unset",
    "UserChanges",
    "UserService",
    "welcome_message",
]
