"""Python names from contract names: deterministic, never a keyword, never empty."""

from __future__ import annotations

import keyword
import re

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_IDENT = re.compile(r"[^0-9a-zA-Z]+")
_RESERVED = frozenset({"self", "principal", "body"}) | frozenset(keyword.softkwlist)


def snake_case(name: str) -> str:
    """``getHTTPStatus`` → ``get_http_status``; ``find pet by id`` → ``find_pet_by_id``."""
    spaced = _WORD_BOUNDARY.sub("_", name)
    words = [w for w in _NOT_IDENT.split(spaced) if w]
    result = "_".join(words).lower()
    if not result:
        result = "x"
    if result[0].isdigit():
        result = f"n{result}"
    return result


def pascal_case(name: str) -> str:
    """``list-pets`` → ``ListPets``; ``find pet by id`` → ``FindPetById``."""
    spaced = _WORD_BOUNDARY.sub("_", name)
    words = [w for w in _NOT_IDENT.split(spaced) if w]
    result = "".join(w[0].upper() + w[1:] for w in words)
    if not result:
        result = "X"
    if result[0].isdigit():
        result = f"N{result}"
    return result


def safe_identifier(name: str, *, reserved: frozenset[str] = _RESERVED) -> str:
    """A snake_case identifier that is no keyword and no reserved argument name."""
    result = snake_case(name)
    if keyword.iskeyword(result) or result in reserved:
        result = f"{result}_"
    return result
