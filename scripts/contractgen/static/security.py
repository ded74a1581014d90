"""Authentication as the contract declares it.

The implementation supplies a ``SecurityVerifier`` that turns credentials into a ``Principal``;
the generated routes decide, from each operation's ``security``, which credentials to ask for
and which scopes to require (alternatives are OR, schemes in one requirement are AND, ``{}``
means anonymous access is allowed).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Literal, Protocol


@dataclass(frozen=True, slots=True)
class Principal:
    """Who made the request: the verifier's subject and the scopes it grants."""

    subject: str
    scopes: frozenset[str] = field(default_factory=frozenset)


class SecurityVerifier(Protocol):
    @abc.abstractmethod
    async def verify(self, *, scheme: str, credentials: str) -> Principal | None:
        """The principal for these credentials, or None when they are not valid.

        ``scheme`` is the name under ``components/securitySchemes``. For bearer and OAuth2
        schemes ``credentials`` is the token without its ``Bearer`` prefix; for API keys, the
        key; for HTTP basic, the base64 text after ``Basic``.
        """


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """Where a scheme's credentials travel."""

    name: str
    kind: Literal["http", "apiKey"]
    location: Literal["header", "query", "cookie"] = "header"
    parameter: str = "Authorization"
    http_scheme: str = "bearer"

    @property
    def challenge(self) -> str:
        """The ``WWW-Authenticate`` value of a 401 for this scheme."""
        if self.kind == "http":
            return (
                self.http_scheme.capitalize()
                if self.http_scheme != "basic"
                else 'Basic realm="api"'
            )
        return f'ApiKey realm="api", name="{self.parameter}"'
