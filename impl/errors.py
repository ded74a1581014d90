"""Errors the services raise; one exception handler renders them as ``{"detail": ...}``.

Every status here is documented in openapi.yaml for the operations that can raise it; the
generated routes check that at run time and answer 500 (a contract violation) otherwise.

    ServiceError              (status_code, detail, headers)
    ├── BadRequest            400
    ├── Unauthorized          401  WWW-Authenticate: Bearer
    ├── Forbidden             403
    ├── NotFound              404
    ├── Conflict              409
    ├── RateLimited           429  Retry-After
    └── ServiceUnavailable    503  Retry-After
        └── DatabaseUnavailableError (impl.db.errors): the database did not answer

No framework imports: services raise these without knowing about HTTP libraries.
"""

from __future__ import annotations

from collections.abc import Mapping


class ServiceError(Exception):
    status_code: int = 500
    default_detail: str = "Internal server error"

    def __init__(self, detail: str | None = None, *, headers: Mapping[str, str] | None = None):
        self.detail = detail if detail is not None else self.default_detail
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.detail)


class BadRequest(ServiceError):
    status_code = 400
    default_detail = "Bad request"


class Unauthorized(ServiceError):
    status_code = 401
    default_detail = "Not authenticated"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ServiceError):
    status_code = 403
    default_detail = "Not enough permissions"


class NotFound(ServiceError):
    status_code = 404
    default_detail = "Not found"


class Conflict(ServiceError):
    status_code = 409
    default_detail = "Conflict"


class RateLimited(ServiceError):
    status_code = 429
    default_detail = "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(detail, headers={"Retry-After": str(self.retry_after)})


class ServiceUnavailable(ServiceError):
    """Try again later: ``Retry-After`` (seconds) is always sent, as the contract's shared
    ``ServiceUnavailable`` response says."""

    status_code = 503
    default_detail = "Service unavailable"

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        retry_after: int = 1,
    ) -> None:
        retry = {"Retry-After": str(max(1, retry_after))}
        super().__init__(detail, headers={**retry, **(headers or {})})
