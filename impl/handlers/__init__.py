"""Adapters between the contract's types (generated) and the services.

Each class subclasses its generated Protocol explicitly, so mypy checks every signature both
here and where ``impl.app`` builds ``Handlers(...)``.
"""

from .auth import AuthHandlers
from .health import HealthHandlers
from .items import ItemsHandlers
from .security import TokenVerifier
from .users import UsersHandlers

__all__ = ["AuthHandlers", "HealthHandlers", "ItemsHandlers", "TokenVerifier", "UsersHandlers"]
