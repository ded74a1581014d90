# generated from openapi.yaml by scripts/generate.py — do not edit.
"""JSON types and formats exactly as JSON Schema defines them, for the generated models.

- ``JsonInt``: an integer is a number with no fractional part, so ``258.0`` is one; booleans
  and strings are not (Pydantic's lax ``int`` takes ``true`` and ``"5"``; ``StrictInt`` refuses
  ``258.0``).
- ``JsonEmail``: ``format: email`` is an RFC 5321 mailbox (ASCII; ``idn-email`` is the
  non-ASCII format). Pydantic's ``EmailStr`` is both narrower (it refuses special-use domains
  such as ``.test``) and wider (it takes non-ASCII addresses).

    Mailbox         = Local-part "@" ( Domain / address-literal )
    Local-part      = Dot-string / Quoted-string            ; at most 64 octets
    Dot-string      = Atom *("." Atom)                      ; Atom = 1*atext (RFC 5322)
    Quoted-string   = DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE
    Domain          = sub-domain *("." sub-domain)          ; labels of 1-63 letters/digits/hyphens
    address-literal = "[" ( IPv4 / "IPv6:" IPv6 ) "]"

A label with hyphens in its 3rd and 4th positions is reserved for IDNA (RFC 5891 4.2.3.1): it
must be an A-label (``xn--`` and valid Punycode of a valid IDNA 2008 label).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Final

import idna
from pydantic import AfterValidator, BeforeValidator, StrictInt, StrictStr

_ATEXT: Final = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]"
_DOT_STRING: Final = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*")
# qtextSMTP is %d32-33 / %d35-91 / %d93-126; quoted-pairSMTP is "\" followed by %d32-126.
_QUOTED_STRING: Final = re.compile(r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"')
_LABEL: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_MAX_LOCAL_OCTETS: Final = 64
_MAX_DOMAIN_OCTETS: Final = 253
_MAX_MAILBOX_OCTETS: Final = 254


def _json_int(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _is_label(label: str) -> bool:
    if not _LABEL.fullmatch(label):
        return False
    if label[2:4] != "--":
        return True
    if not label.startswith("xn--"):
        return False
    try:
        idna.decode(label)
    except UnicodeError:  # idna.IDNAError and the codec's own errors
        return False
    return True


def _is_domain(domain: str) -> bool:
    if domain.startswith("[") and domain.endswith("]"):
        literal = domain[1:-1]
        try:
            if literal[:5].lower() == "ipv6:":
                ipaddress.IPv6Address(literal[5:])
            else:
                ipaddress.IPv4Address(literal)
        except ValueError:
            return False
        return True
    return len(domain) <= _MAX_DOMAIN_OCTETS and all(_is_label(part) for part in domain.split("."))


def is_mailbox(value: str) -> bool:
    """Whether ``value`` is a valid ``format: email``."""
    if not value.isascii() or len(value) > _MAX_MAILBOX_OCTETS:
        return False
    local, at, domain = value.rpartition("@")
    if not at or len(local) > _MAX_LOCAL_OCTETS:
        return False
    local_ok = _DOT_STRING.fullmatch(local) or _QUOTED_STRING.fullmatch(local)
    return bool(local_ok) and _is_domain(domain)


def _json_email(value: str) -> str:
    if not is_mailbox(value):
        raise ValueError("value is not a valid email address")
    return value


JsonInt = Annotated[StrictInt, BeforeValidator(_json_int)]
JsonEmail = Annotated[StrictStr, AfterValidator(_json_email)]
