"""scripts/loadtest.py's judgement of a read-back item, and its percentiles (issue 10, item 9).

The run itself (Locust against ``make serve`` on PostgreSQL and Redis) is `.ci/run`'s
``LOADTEST_DURATION=15 make loadtest``; here, the rules it applies.
"""

from __future__ import annotations

import pytest
from loadtest import DELETED, classify, percentile


@pytest.mark.parametrize(
    ("seen", "states", "verdict"),
    [
        (["a", 1.0], [["a", 1.0]], "alive"),
        (DELETED, [DELETED], "gone"),
        (["a", 1.0], [["b", 2.0]], "lost"),  # an acknowledged update not seen
        (["a", 1.0], [DELETED], "lost"),  # an acknowledged delete undone
        (DELETED, [["a", 1.0]], "lost"),  # an acknowledged create gone
        ("status 500", [["a", 1.0]], "lost"),  # unreadable
        (["a", 1.0], [["a", 1.0], DELETED], "undetermined"),  # a delete answered 503
        (DELETED, [["a", 1.0], DELETED], "undetermined"),
        (["b", 2.0], [["a", 1.0], ["b", 2.0]], "undetermined"),  # an update unanswered
    ],
)
def test_a_read_back_item_is_judged_against_its_acknowledged_writes(
    seen: object, states: list[object], verdict: str
) -> None:
    assert classify(seen, states) == verdict


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0
