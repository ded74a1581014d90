"""Checks Schemathesis does not make on this contract, registered as Schemathesis checks.

Both runs use them: the in-process suite imports this module (tests/contract/harness.py), and
`make fuzz` loads it as the CLI's hooks module (``hooks = "tests.contract.checks"`` in
tests/contract/schemathesis.toml), so ``--checks all`` includes them.

``bearer_token_enforced``
    Schemathesis' own ``ignored_auth`` check only knows apiKey, basic and http security schemes
    (``get_security_parameters`` drops the rest), so on our contract, whose scheme is
    ``oauth2``, it never runs. This check does its job: whenever an operation that requires a
    bearer token answered 2xx to a request carrying one, the request is replayed without the
    ``Authorization`` header and with a forged token; both must be 401 with
    ``WWW-Authenticate: Bearer`` (the contract's conventions).

``scopes_enforced``
    Nothing in Schemathesis knows OAuth2 scopes. Whenever an operation that requires a scope
    answered 2xx, the request is replayed with a valid token that carries no scope at all; it
    must be 403. The token comes from ``use_scopeless_token`` (the suite) or the environment
    variable ``FUZZ_SCOPELESS_TOKEN`` (scripts/fuzz.py).

``unknown_id_is_404``
    The contract's convention "Unknown id: 404 (for items, checked before ownership)". Whenever
    getUser, getItem, updateItem or deleteItem answered 2xx, the request is replayed with an id
    that cannot exist (the largest item id; an all-f UUID); it must be 404 with an Error body.
    (updateUser and deleteUser answer a non-admin 403 before looking the id up, by design.)
    Schemathesis rarely sends such ids: it draws ids from earlier responses.

Each check replays at most ``REPLAYS_PER_OPERATION`` requests per operation and process:
enforcement is a property of the generated route, the same for every request to it.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, Final

import schemathesis
from requests.structures import CaseInsensitiveDict
from schemathesis import Case
from schemathesis.core.transport import Response

__all__ = [
    "REPLAYS_PER_OPERATION",
    "bearer_token_enforced",
    "reset_budget",
    "scopes_enforced",
    "unknown_id_is_404",
    "use_scopeless_token",
]

REPLAYS_PER_OPERATION: Final = 10
SCOPELESS_TOKEN_ENV: Final = "FUZZ_SCOPELESS_TOKEN"
SCHEME: Final = "OAuth2PasswordBearer"
# A well-formed JWT signed with another key: the signature check, not the parser, refuses it.
FORGED_TOKEN: Final = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJzY29wZXMiOlsiYWRtaW4iXSwi"
    "aWF0IjoxNzAwMDAwMDAwLCJleHAiOjQxMDI0NDQ4MDAsImp0aSI6ImZvcmdlZCJ9."
    "c2lnbmVkLXdpdGgtYW5vdGhlci1rZXktbm90LW91cnMtYXQtYWxs"
)
UNKNOWN_IDS: Final = {"user_id": "ffffffff-ffff-4fff-bfff-ffffffffffff", "item_id": 2**63 - 1}
NOT_FOUND_FIRST: Final = frozenset({"getUser", "getItem", "updateItem", "deleteItem"})
# Transport settings a replay keeps (the in-process app, the live server's URL); never
# credentials or a session.
_TRANSPORT_KEYS: Final = frozenset({"app", "base_url", "timeout", "verify", "cert"})

_scopeless_token: Callable[[], str | None] = lambda: os.environ.get(SCOPELESS_TOKEN_ENV)  # noqa: E731
_replays: Counter[tuple[str, str]] = Counter()
_lock = threading.Lock()


def reset_budget() -> None:
    """Let every check replay ``REPLAYS_PER_OPERATION`` requests per operation again."""
    with _lock:
        _replays.clear()


def use_scopeless_token(provider: Callable[[], str | None]) -> None:
    """Where ``scopes_enforced`` gets its token from (instead of the environment)."""
    global _scopeless_token
    _scopeless_token = provider


@schemathesis.check
def bearer_token_enforced(ctx: Any, response: Response, case: Case[Any]) -> bool | None:
    scopes = _required_scopes(case)
    if scopes is None or not 200 <= response.status_code < 300 or not _has_bearer(case):
        return None
    if not _claim(ctx, "bearer", case):
        return None
    without = _replay(ctx, case, None)
    forged = _replay(ctx, case, FORGED_TOKEN)
    for label, answer in (("without a token", without), ("with a forged token", forged)):
        if answer.status_code != 401:
            raise AssertionError(
                f"{case.method} {case.formatted_path} answered {response.status_code} with a valid "
                f"token and {answer.status_code} {label}; the contract requires 401"
            )
        challenge = answer.headers.get("www-authenticate") or []
        if not any(value.lower().startswith("bearer") for value in challenge):
            raise AssertionError(
                f"{case.method} {case.formatted_path}: the 401 {label} lacks "
                f"`WWW-Authenticate: Bearer` (got {challenge!r})"
            )
    return None


@schemathesis.check
def scopes_enforced(ctx: Any, response: Response, case: Case[Any]) -> bool | None:
    scopes = _required_scopes(case)
    if not scopes or not 200 <= response.status_code < 300 or not _has_bearer(case):
        return None
    token = _scopeless_token()
    if token is None or not _claim(ctx, "scopes", case):
        return None
    answer = _replay(ctx, case, token)
    if answer.status_code != 403:
        raise AssertionError(
            f"{case.method} {case.formatted_path} requires {sorted(scopes)}; a valid token with no "
            f"scope got {answer.status_code}, the contract requires 403"
        )
    return None


@schemathesis.check
def unknown_id_is_404(ctx: Any, response: Response, case: Case[Any]) -> bool | None:
    operation_id = case.operation.definition.raw.get("operationId")
    if operation_id not in NOT_FOUND_FIRST or not 200 <= response.status_code < 300:
        return None
    parameters = dict(case.path_parameters or {})
    if not parameters or not set(parameters) <= set(UNKNOWN_IDS) or not _claim(ctx, "404", case):
        return None
    probe = case.derive()
    probe.path_parameters = {name: UNKNOWN_IDS[name] for name in parameters}
    answer = probe.call(**_transport(ctx))
    body = _json(answer)
    detail = body.get("detail") if isinstance(body, dict) else None
    if answer.status_code != 404 or not isinstance(detail, str):
        raise AssertionError(
            f"{case.method} {probe.formatted_path}: an id that does not exist got "
            f"{answer.status_code} {answer.text[:200]}; the contract requires 404 (Error body)"
        )
    return None


def _json(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _required_scopes(case: Case[Any]) -> frozenset[str] | None:
    """The scopes the operation's security requirement names, or None when it has none.
    (Our contract gives every operation exactly one requirement, or ``security: []``.)"""
    security = case.operation.definition.raw.get("security")
    if not security:
        return None
    for requirement in security:
        if SCHEME in requirement:
            return frozenset(requirement[SCHEME])
    return None


def _has_bearer(case: Case[Any]) -> bool:
    value = case.headers.get("Authorization") if case.headers else None
    return isinstance(value, str) and value.lower().startswith("bearer ")


def _claim(ctx: Any, check: str, case: Case[Any]) -> bool:
    with _lock:
        key = (check, case.operation.label)
        if _replays[key] >= REPLAYS_PER_OPERATION:
            return False
        _replays[key] += 1
        return True


def _replay(ctx: Any, case: Case[Any], token: str | None) -> Response:
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    probe = case.derive(headers=CaseInsensitiveDict(headers))
    return probe.call(**_transport(ctx))


def _transport(ctx: Any) -> dict[str, Any]:
    internals = getattr(ctx, "internals", None)
    transport = getattr(internals, "transport_kwargs", None) or {}
    return {key: value for key, value in transport.items() if key in _TRANSPORT_KEYS}
