"""Every current CPython can install the package (README "Supported Pythons").

``requires-python`` once read ``>=3.11,<3.12``, so pip refused the package on 3.12 and later. The
classifiers, the metadata and ``make wheels`` (which checks that every pin has a wheel for each
minor) must agree on the same list.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
CLASSIFIED = sorted(
    (
        c.rsplit(" :: ", 1)[1]
        for c in PROJECT["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ),
    key=lambda v: int(v.split(".")[1]),
)


def test_classifiers_run_from_311_without_gaps() -> None:
    minors = [int(v.split(".")[1]) for v in CLASSIFIED]
    assert minors[0] == 11
    assert minors == list(range(11, minors[-1] + 1))
    assert minors[-1] >= 14


@pytest.mark.parametrize("version", CLASSIFIED)
def test_requires_python_admits_every_classified_minor(version: str) -> None:
    assert SpecifierSet(PROJECT["requires-python"]).contains(f"{version}.0")


@pytest.mark.parametrize("version", ["3.16.0", "3.20.1"])
def test_requires_python_has_no_upper_bound(version: str) -> None:
    assert SpecifierSet(PROJECT["requires-python"]).contains(version)


def test_requires_python_refuses_what_the_code_cannot_run_on() -> None:
    assert not SpecifierSet(PROJECT["requires-python"]).contains("3.10.13")


def test_make_wheels_checks_every_classified_minor() -> None:
    match = re.search(r"^WHEEL_PYTHONS \?= (.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match is not None
    assert match.group(1).split() == CLASSIFIED
