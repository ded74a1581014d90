"""Access tokens: HS256 (by default) JWTs with PyJWT.

Claims: ``sub`` (the user id), ``scopes`` (a list), ``iat``, ``exp``, ``jti`` and ``ver`` (the
user's token version when it was issued: a password change or a deactivation increments it).
Decoding pins the algorithm (so ``alg: none`` and algorithm confusion are refused), requires
``exp``, ``iat`` and ``sub``, allows a small clock leeway, and answers ``None`` for anything it
does not accept, a correctly signed token with absurd times included (issue 8: ``exp=10**18``
was a 500): ``iat`` and ``exp`` must be integers, ``iat <= exp``, and the lifetime no longer
than the one this codec issues.
Whether the subject still exists and is active is the auth service's business, not this one's.

A client sends the same token with every request for its whole lifetime, and checking it
(PyJWT's base64 validation walks each character in Python) cost ~40 µs of each authenticated
request (issue 9). So the claims of tokens that passed every check are kept, keyed by the
token's exact text (a changed character is another key, checked in full): a token seen before
is only checked for expiry again, as PyJWT does, against the clock. Only accepted tokens are
kept, and at most ``_VERIFIED_MAX`` of them (the lot is dropped when full).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final, Literal, TypeGuard

import jwt

if TYPE_CHECKING:
    from impl.settings import Settings

__all__ = ["Algorithm", "IssuedToken", "TokenClaims", "TokenCodec"]

Algorithm = Literal["HS256", "HS384", "HS512"]

# RFC 7518 §3.2: an HMAC key at least as long as the hash output. PyJWT warns
# (InsecureKeyLengthWarning) below that, which is an error under -W error.
_MIN_KEY_BYTES: Final[dict[str, int]] = {"HS256": 32, "HS384": 48, "HS512": 64}
_VERIFIED_MAX: Final = 4096


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    """Lifetime in seconds (the token response's ``expires_in``)."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    subject: str
    scopes: frozenset[str]
    issued_at: datetime
    expires_at: datetime
    token_id: str
    version: int = 0


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TokenCodec:
    def __init__(
        self,
        secret: str,
        algorithm: Algorithm = "HS256",
        expire_minutes: int = 30,
        leeway: int = 10,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if algorithm not in _MIN_KEY_BYTES:
            raise ValueError(f"unsupported JWT algorithm {algorithm!r}")
        if len(secret.encode()) < _MIN_KEY_BYTES[algorithm]:
            raise ValueError(
                f"the {algorithm} secret must be at least {_MIN_KEY_BYTES[algorithm]} bytes"
            )
        if expire_minutes < 1 or leeway < 0:
            raise ValueError("expire_minutes must be >= 1 and leeway >= 0")
        self._secret = secret
        self._algorithm: Algorithm = algorithm
        self._lifetime = timedelta(minutes=expire_minutes)
        self._leeway = timedelta(seconds=leeway)
        self._clock = clock
        self._verified: dict[str, TokenClaims] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCodec:
        return cls(
            settings.secret,
            settings.jwt_algorithm,
            settings.access_token_expire_minutes,
            settings.jwt_leeway_seconds,
        )

    def issue(self, subject: str, scopes: Iterable[str], *, version: int = 0) -> IssuedToken:
        now = self._clock().replace(microsecond=0)
        payload = {
            "sub": subject,
            "scopes": sorted(set(scopes)),
            "iat": now,
            "exp": now + self._lifetime,
            "jti": uuid.uuid4().hex,
            "ver": version,
        }
        token = jwt.encode(payload, self._secret, algorithm=self._algorithm)
        return IssuedToken(access_token=token, expires_in=int(self._lifetime.total_seconds()))

    def decode(self, token: str) -> TokenClaims | None:
        claims = self._verified.get(token)
        if claims is None:
            claims = self._check(token)
            if claims is None:
                return None
            if len(self._verified) >= _VERIFIED_MAX:
                self._verified.clear()
            self._verified[token] = claims
        # PyJWT's own expiry rule, on every use: expired once exp <= now - leeway.
        if claims.expires_at.timestamp() <= time.time() - self._leeway.total_seconds():
            return None
        return claims

    def _check(self, token: str) -> TokenClaims | None:
        """Every check of the module docstring (PyJWT's and ours) on a token not seen yet."""
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[self._algorithm],
                options={"require": ["exp", "iat", "sub"]},
                leeway=self._leeway,
            )
        except (jwt.PyJWTError, ArithmeticError, ValueError, TypeError):
            # PyJWT converts iat/exp with int(): a float such as 1e400 (inf) overflows.
            return None
        subject = payload.get("sub")
        scopes = payload.get("scopes")
        token_id = payload.get("jti")
        version = payload.get("ver", 0)
        issued, expires = payload.get("iat"), payload.get("exp")
        if (
            not isinstance(subject, str)
            or not subject
            or not isinstance(scopes, list)
            or not all(isinstance(scope, str) for scope in scopes)
            or not isinstance(token_id, str)
            or not _is_int(version)
            or version < 0
            or not _is_int(issued)
            or not _is_int(expires)
            # Never longer-lived than the tokens issued here: a token with exp=10**18 is no
            # token of ours (and its date is not even representable).
            or not 0 <= expires - issued <= self._lifetime.total_seconds()
        ):
            return None
        try:
            issued_at = datetime.fromtimestamp(issued, UTC)
            expires_at = datetime.fromtimestamp(expires, UTC)
        except (OverflowError, ValueError, OSError):
            return None
        return TokenClaims(
            subject=subject,
            scopes=frozenset(scopes),
            issued_at=issued_at,
            expires_at=expires_at,
            token_id=token_id,
            version=version,
        )


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
