"""`make fuzz` itself: its configuration avoids the known traps (STACK-NOTES), its coverage gate
counts what it should, and the custom checks fail when the app does what they guard against."""

from __future__ import annotations

import itertools
import json
import tomllib
from pathlib import Path
from typing import Any

import fuzz
import pytest
from schemathesis.core.transport import Response
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.contract import checks
from tests.contract.harness import ALICE, ContractRun

CONFIG = Path(fuzz.CONFIG)


@pytest.fixture
def config() -> dict[str, Any]:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


class TestFuzzConfiguration:
    def test_the_config_is_not_where_schemathesis_would_discover_it(self) -> None:
        # schemathesis.toml is discovered in the working directory and its parents.
        assert not (fuzz.ROOT / "schemathesis.toml").exists()
        assert CONFIG.parent == fuzz.ROOT / "tests" / "contract"

    def test_missing_credentials_fail_the_run(self, config: dict[str, Any]) -> None:
        assert "missing_auth" in config["warnings"]["fail-on"]

    def test_one_worker_a_fixed_seed_and_no_carried_state(self, config: dict[str, Any]) -> None:
        assert config["workers"] == 1
        assert isinstance(config["seed"], int)
        assert config["generation"]["deterministic"] is True
        assert config["generation"]["database"] == "none"
        assert config["cache"]["enabled"] is False

    def test_every_phase_and_check_is_on(self, config: dict[str, Any]) -> None:
        assert all(
            config["phases"][p]["enabled"] for p in ("examples", "coverage", "fuzzing", "stateful")
        )
        assert config["checks"]["enabled"] is True
        assert config["hooks"] == "tests.contract.checks"

    def test_the_command_line_asks_for_every_phase_and_one_worker(self) -> None:
        arguments = fuzz.run_arguments(fuzz.PASSES[0], 8000, Path("reports"), None)
        pairs = set(itertools.pairwise(arguments))
        assert ("--config-file", str(CONFIG)) in pairs
        # Every check comes from the file: `--checks all` would outrank its one exception.
        assert "--checks" not in arguments
        assert "--exclude-checks" not in arguments
        assert ("--phases", "examples,coverage,fuzzing,stateful") in pairs
        assert ("--workers", "1") in pairs
        assert ("--report", "junit") in pairs

    def test_the_admin_pass_never_lists_users(self) -> None:
        # The admin may delete and deactivate users: it must never learn the ids of the
        # identities the run depends on (listUsers, getCurrentUser show them).
        [admin] = [p for p in fuzz.PASSES if p.identity == "admin"]
        included = {
            v
            for k, v in zip(admin.filters, admin.filters[1:], strict=False)
            if k == "--include-operation-id"
        }
        assert included == {"deleteUser", "registerUser", "updateUser"}

    def test_the_wfc_document_logs_in_through_the_password_form(self) -> None:
        who = fuzz.Identity("user", "fuzz_user", "fuzz-user@example.com", "p&ss word")
        [entry] = fuzz.wfc_document([who])["auth"]
        login = entry["loginEndpointAuth"]
        assert login["endpoint"] == "/api/v1/auth/token"
        assert login["payloadRaw"] == "username=fuzz_user&password=p%26ss+word"
        assert login["token"]["sendTemplate"] == "Bearer {token}"


def _access(method: str, route: str | None, status: int, request_id: str = "abc") -> str:
    record = {
        "level": "INFO",
        "logger": "impl.access",
        "method": method,
        "route": route,
        "status": status,
        "request_id": request_id,
        "message": f"{method} {route} {status}",
    }
    return json.dumps(record)


class TestCoverageGate:
    def test_pairs_are_counted_per_operation_and_documented_status(self) -> None:
        operations = fuzz.load_operations()
        lines = [
            _access("GET", "/api/v1/items/{item_id}", 200),
            _access("GET", "/api/v1/items/{item_id}", 404),
            _access("GET", "/api/v1/items/{item_id}", 404, request_id="fuzz-setup-3"),
            _access("PATCH", "/api/v1/items/{item_id}", 405),
            _access("GET", None, 404),
            "not json at all",
        ]
        coverage = fuzz.analyse_log(lines, operations)
        assert coverage.observed[("getItem", "200")] == 1
        assert coverage.observed[("getItem", "404")] == 1  # the setup request does not count
        assert coverage.undeclared_methods["405"] == 1
        assert coverage.unmatched_paths["404"] == 1
        assert ("getItem", "422") in coverage.missing
        assert ("getItem", "429") not in coverage.missing  # not required: listed as not provoked
        assert ("getItem", "429") in coverage.not_provoked
        assert not coverage.ok

    def test_an_undocumented_status_or_a_server_error_fails(self) -> None:
        operations = fuzz.load_operations()
        coverage = fuzz.analyse_log([_access("GET", "/health", 418)], operations)
        assert coverage.undocumented[("getHealth", "418")] == 1
        error = json.dumps({"level": "ERROR", "logger": "impl.http.errors", "message": "boom"})
        coverage = fuzz.analyse_log([error, _access("GET", "/health", 500)], operations)
        assert coverage.server_errors == ["boom", "GET /health 500"]

    def test_required_pairs_are_2xx_401_403_404_409_422(self) -> None:
        [update] = [op for op in fuzz.load_operations() if op.operation_id == "updateUser"]
        assert fuzz.required_statuses(update) == ["200", "401", "403", "404", "409", "422"]


def _permissive_app() -> Starlette:
    """An app that ignores credentials and ids: everything is 200."""

    async def anything(request: Request) -> JSONResponse:
        return JSONResponse({"detail": "ok"})

    methods = ["GET", "PUT", "POST", "DELETE"]
    return Starlette(routes=[Route("/{path:path}", anything, methods=methods)])


class _Context:
    """What the checks read from Schemathesis' check context: where to send replays."""

    def __init__(self, app: Starlette) -> None:
        self.internals = type("Internals", (), {"transport_kwargs": {"app": app}})()


class TestCustomChecksAreNotVacuous:
    @pytest.fixture(autouse=True)
    def _budget(self) -> None:
        checks.reset_budget()

    @pytest.fixture
    def permissive(self) -> _Context:
        return _Context(_permissive_app())

    def _ok(self, run: ContractRun, method: str, path: str, **kwargs: Any) -> tuple[Any, Response]:
        case = run.case(method, path, headers=run.account(ALICE).headers, **kwargs)
        return case, case.call(app=run.app)

    def test_ignored_bearer_tokens_are_reported(
        self, contract_run: ContractRun, permissive: _Context
    ) -> None:
        case, response = self._ok(contract_run, "GET", "/api/v1/auth/me")
        assert response.status_code == 200
        checks.bearer_token_enforced(
            _Context(contract_run.app), response, case
        )  # the real app passes
        with pytest.raises(AssertionError, match="without a token"):
            checks.bearer_token_enforced(permissive, response, case)

    def test_ignored_scopes_are_reported(
        self, contract_run: ContractRun, permissive: _Context
    ) -> None:
        case, response = self._ok(contract_run, "GET", "/api/v1/users")
        assert response.status_code == 200
        with pytest.raises(AssertionError, match="no scope got 200"):
            checks.scopes_enforced(permissive, response, case)

    def test_an_unknown_id_that_is_not_404_is_reported(
        self, contract_run: ContractRun, permissive: _Context
    ) -> None:
        user_id = contract_run.account(ALICE).user_id
        case, response = self._ok(
            contract_run, "GET", "/api/v1/users/{user_id}", path_parameters={"user_id": user_id}
        )
        assert response.status_code == 200
        with pytest.raises(AssertionError, match="does not exist got 200"):
            checks.unknown_id_is_404(permissive, response, case)
