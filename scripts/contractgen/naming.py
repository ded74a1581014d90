"""Python names from contract names: deterministic, never a keyword, never empty, never twice.

The wire always uses the contract's names; these are the names Python code sees. The rules
(also in README.md, "The generator"):

- ``snake_case`` for parameters, operations, tag attributes and headers, ``PascalCase`` for
  classes; word boundaries at case changes and at every non-alphanumeric character.
- Comparison operators at the end or inside a name become words, so that Twilio's
  ``StartTime``, ``StartTime<`` and ``StartTime>`` are ``start_time``, ``start_time_lt`` and
  ``start_time_gt`` (``<=`` ``lte``, ``>=`` ``gte``, ``!=`` ``ne``, ``=`` ``eq``).
- A leading digit gets an ``n`` (``N``) prefix; an empty result is ``x`` (``X``).
- Python keywords, soft keywords and names the generated code itself uses (``self``, ``body``,
  ``principal``, the package's modules ``models``, ``runtime``, ``api``, ...) get a ``_`` suffix.
- Names that still collide in one scope (an operation's arguments; all operations; all tags;
  a result class's fields; every class of ``api.py``) are settled in contract order: the first
  keeps the plain name, a parameter from another location takes ``_<location>``
  (``userId`` query, ``user-id`` header: ``user_id``, ``user_id_header``), and anything still
  taken gets ``_2``, ``_3``, ... (classes ``2``, ``3``, ...).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_IDENT = re.compile(r"[^0-9a-zA-Z]+")
_OPERATORS = (("<=", " lte "), (">=", " gte "), ("!=", " ne "), ("<", " lt "), (">", " gt "))
_EQUALS = re.compile(r"(?<=[0-9a-zA-Z])=")

# Names the generated modules bind or import: a parameter of this name would shadow them.
MODULE_NAMES = frozenset(
    {"models", "runtime", "api", "routes", "security", "errors", "spec", "datetime", "uuid"}
)
_KEYWORDS = frozenset(keyword.softkwlist)
RESERVED = frozenset({"self", "principal", "body"}) | MODULE_NAMES | frozenset(keyword.softkwlist)


def _words(name: str) -> list[str]:
    for operator, word in _OPERATORS:
        name = name.replace(operator, word)
    name = _EQUALS.sub(" eq ", name)
    spaced = _WORD_BOUNDARY.sub("_", name)
    return [w for w in _NOT_IDENT.split(spaced) if w]


def snake_case(name: str) -> str:
    """``getHTTPStatus`` → ``get_http_status``; ``StartTime<`` → ``start_time_lt``."""
    result = "_".join(_words(name)).lower()
    if not result:
        result = "x"
    if result[0].isdigit():
        result = f"n{result}"
    return result


def pascal_case(name: str) -> str:
    """``list-pets`` → ``ListPets``; ``find pet by id`` → ``FindPetById``."""
    result = "".join(w[0].upper() + w[1:] for w in _words(name))
    if not result:
        result = "X"
    if result[0].isdigit():
        result = f"N{result}"
    return result


def safe_identifier(name: str, *, reserved: frozenset[str] = RESERVED) -> str:
    """A snake_case identifier that is no keyword and no reserved name."""
    result = snake_case(name)
    if keyword.iskeyword(result) or result in reserved:
        result = f"{result}_"
    return result


class Scope:
    """One namespace: hands out each name once, settling collisions in the order asked."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken: set[str] = set(taken)

    def claim(self, base: str, *, alternatives: Iterable[str] = (), separator: str = "_") -> str:
        """``base`` if free, else the first free alternative, else ``base`` with a number."""
        for candidate in (base, *alternatives):
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        number = 2
        while f"{base}{separator}{number}" in self.taken:
            number += 1
        result = f"{base}{separator}{number}"
        self.taken.add(result)
        return result


class Namer:
    """Every Python name of one generated package, decided in one place in contract order."""

    # Classes api.py and routes.py import or define besides the result classes.
    FIXED_CLASSES = frozenset(
        {
            "Any", "Handlers", "Literal", "Principal", "Protocol", "Request", "Response",
            "SecurityScheme", "SecurityVerifier", "TYPE_CHECKING", "Route", "BackgroundTasks",
        }
    )  # fmt: skip

    def __init__(self) -> None:
        self.operations = Scope()
        self.tag_attributes = Scope({"security"})
        self.classes = Scope(self.FIXED_CLASSES)

    def operation(self, operation_id: str) -> str:
        """The handler method of an operation, unique over the whole contract."""
        return self.operations.claim(safe_identifier(operation_id))

    def tag(self, tag: str) -> tuple[str, str]:
        """(``Handlers`` attribute, Protocol class) of a tag, unique over the contract."""
        plain = safe_identifier(tag, reserved=_KEYWORDS)
        attribute = self.tag_attributes.claim(plain)
        number = attribute.rsplit("_", 1)[-1] if attribute != plain else ""
        base = pascal_case(tag)
        class_name = f"{base}{number if number.isdigit() else ''}Api"
        return attribute, self.classes.claim(class_name, separator="")

    def result_class(self, operation_name: str, status: str) -> str:
        """``ListItems200``; ``ListItemsDefault``; ``ListItems2XX``."""
        suffix = "Default" if status == "default" else status
        return self.classes.claim(f"{pascal_case(operation_name)}{suffix}", separator="_")

    @staticmethod
    def parameters(names: Iterable[tuple[str, str]]) -> list[str]:
        """Python names of an operation's (name, location) parameters, in contract order."""
        scope = Scope(RESERVED)
        first_location: dict[str, str] = {}
        result = []
        for name, location in names:
            base = safe_identifier(name)
            alternatives = []
            if base in first_location and first_location[base] != location:
                alternatives.append(f"{base.rstrip('_')}_{snake_case(location)}")
            claimed = scope.claim(base, alternatives=alternatives)
            first_location.setdefault(base, location)
            result.append(claimed)
        return result

    @staticmethod
    def fields(names: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
        """Field names of one class (a result's headers): ``X-Total-Count`` → ``x_total_count``."""
        scope = Scope(taken)
        return [scope.claim(safe_identifier(name)) for name in names]
