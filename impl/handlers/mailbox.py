"""``format: email`` as the contract means it: an RFC 5321 mailbox (ASCII).

WORKAROUND for the generated models (scripts/contractgen/models.py, ``_json_email``), which
accept some values that JSON Schema's ``email`` format rejects: at first ``a..b@example.com``
and ``x@example.org*`` (the API stored them, then answered them in bodies violating its own
response schema: Schemathesis' negative_data_rejection and response_schema_conformance); since
05ab8d4 still non-ASCII addresses (``email`` is ASCII; ``idn-email`` is the other format),
labels with ``--`` in 3rd-4th position that are not valid A-labels (``a@ab--cd.com``,
``a@XN--9ET52U``), and impossible address literals (``a@[300.1.1.1]``). The handlers that take
an email check it here as well and answer the contract's 422. Delete this module when the
generated ``JsonEmail`` agrees with the format (tests/contract/test_contract_pinned.py pins
the cases).

Grammar (RFC 5321 section 4.1.2, as JSON Schema validators implement ``email``):

    Mailbox        = Local-part "@" ( Domain / address-literal )
    Local-part     = Dot-string / Quoted-string          ; at most 64 octets
    Dot-string     = Atom *("." Atom)                    ; Atom = 1*atext (RFC 5322)
    Quoted-string  = DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE
    Domain         = sub-domain *("." sub-domain)        ; a hostname, labels of 1-63 LDH
    address-literal = "[" ( IPv4 / "IPv6:" IPv6 ) "]"

A label with hyphens in its 3rd and 4th positions is reserved for IDNA (RFC 5891 4.2.3.1): it
must be an A-label, ``xn--`` and valid Punycode of a valid IDNA 2008 label (``idna``, pinned in
constraints.txt as a dependency of anyio).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final

import idna

from generated import ApiError

__all__ = ["is_mailbox", "require_mailbox"]

_ATEXT: Final = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]"
_DOT_STRING: Final = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*")
# qtextSMTP is %d32-33 / %d35-91 / %d93-126; quoted-pairSMTP is "\" followed by %d32-126.
_QUOTED_STRING: Final = re.compile(r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"')
_LABEL: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_MAX_LOCAL_OCTETS: Final = 64
_MAX_DOMAIN_OCTETS: Final = 253


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
    labels = domain.split(".")
    return len(domain) <= _MAX_DOMAIN_OCTETS and all(_is_label(label) for label in labels)


def is_mailbox(value: str) -> bool:
    """Whether ``value`` is a mailbox in the sense of the contract's ``format: email``."""
    if not value.isascii():
        return False
    local, at, domain = value.rpartition("@")
    if not at or len(local) > _MAX_LOCAL_OCTETS:
        return False
    local_ok = _DOT_STRING.fullmatch(local) or _QUOTED_STRING.fullmatch(local)
    return bool(local_ok) and _is_domain(domain)


def require_mailbox(value: str, *loc: str) -> None:
    """Answer the contract's 422 (FastAPI's validation error shape) unless ``value`` is one."""
    if not is_mailbox(value):
        raise ApiError(
            422,
            [
                {
                    "type": "value_error",
                    "loc": ["body", *loc],
                    "msg": "value is not a valid email address",
                    "input": value,
                }
            ],
        )
