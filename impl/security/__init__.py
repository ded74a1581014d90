"""Identity primitives: password hashing and access tokens. No framework imports."""

from .passwords import PasswordHasher
from .tokens import IssuedToken, TokenClaims, TokenCodec

__all__ = ["IssuedToken", "PasswordHasher", "TokenClaims", "TokenCodec"]
