"""Schemathesis against the app in process: every check, phases examples, coverage and fuzzing
per operation, then stateful scenarios along the contract's links (and the links Schemathesis
infers). Each example starts from a reset database; the ownership check (harness.py) runs on
every response besides Schemathesis' own checks."""

from __future__ import annotations

from typing import Any

import hypothesis
from schemathesis import Case
from schemathesis.core.transport import Response

from tests.contract.harness import SCHEMA, ContractRun


@SCHEMA.parametrize()
# The app is function-scoped on purpose (one per operation: Schemathesis ends its lifespan
# after each test); state between examples is reset explicitly, below.
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_every_operation_honours_the_contract(case: Case[Any], contract_run: ContractRun) -> None:
    contract_run.reset()
    case.call_and_validate(app=contract_run.app, additional_checks=[contract_run.check_ownership])


def test_stateful_scenarios_honour_the_contract(contract_run: ContractRun) -> None:
    base = contract_run.schema.as_state_machine()

    class Scenarios(base):  # type: ignore[valid-type, misc]
        def setup(self) -> None:
            contract_run.reset()

        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            return {"app": contract_run.app}

        def validate_response(
            self,
            response: Response,
            case: Case[Any],
            additional_checks: list[Any] | None = None,
            **kwargs: Any,
        ) -> None:
            checks = [*(additional_checks or []), contract_run.check_ownership]
            super().validate_response(response, case, additional_checks=checks, **kwargs)

    settings = contract_run.schema.config.get_hypothesis_settings(phase="stateful")
    Scenarios.run(
        settings=hypothesis.settings(
            settings,
            max_examples=60,
            stateful_step_count=8,
            phases=[hypothesis.Phase.generate],  # no shrinking of multi-request scenarios
        )
    )
