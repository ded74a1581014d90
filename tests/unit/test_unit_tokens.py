"""TokenCodec: what it issues, and every kind of token it must refuse."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from impl.security import TokenCodec
from impl.settings import Settings

SECRET = "unit-test-secret-that-is-at-least-32-bytes"
OTHER_SECRET = "another-secret-that-is-at-least-32-bytes!!"


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "scopes": ["items:write"],
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


@pytest.fixture
def codec() -> TokenCodec:
    return TokenCodec(SECRET, "HS256", expire_minutes=30, leeway=10)


class TestIssue:
    def test_round_trip_carries_subject_scopes_and_lifetime(self, codec: TokenCodec) -> None:
        issued = codec.issue("subject-1", ["users:read", "items:write", "users:read"])

        claims = codec.decode(issued.access_token)

        assert claims is not None
        assert claims.subject == "subject-1"
        assert claims.scopes == frozenset({"users:read", "items:write"})
        assert claims.expires_at - claims.issued_at == timedelta(minutes=30)
        assert claims.issued_at.tzinfo is UTC
        assert issued.expires_in == 30 * 60

    def test_payload_has_the_contract_claims(self, codec: TokenCodec) -> None:
        token = codec.issue("s", {"users:read", "items:write"}).access_token

        header = jwt.get_unverified_header(token)
        payload = jwt.decode(token, options={"verify_signature": False})

        assert header["alg"] == "HS256"
        assert set(payload) == {"sub", "scopes", "iat", "exp", "jti", "ver"}
        assert payload["scopes"] == ["items:write", "users:read"]  # a sorted list

    def test_every_token_has_its_own_jti(self, codec: TokenCodec) -> None:
        first = codec.decode(codec.issue("s", []).access_token)
        second = codec.decode(codec.issue("s", []).access_token)

        assert first is not None
        assert second is not None
        assert first.token_id != second.token_id

    def test_from_settings(self) -> None:
        settings = Settings(
            environment="test",
            secret_key=SECRET,
            access_token_expire_minutes=7,
            jwt_leeway_seconds=0,
        )

        issued = TokenCodec.from_settings(settings).issue("s", [])

        assert issued.expires_in == 7 * 60


class TestConstruction:
    def test_secret_shorter_than_32_bytes_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at least 32 bytes"):
            TokenCodec("x" * 31)

    def test_hs512_needs_64_bytes(self) -> None:
        with pytest.raises(ValueError, match="at least 64 bytes"):
            TokenCodec("x" * 40, "HS512")
        TokenCodec("x" * 64, "HS512")

    def test_unknown_algorithm_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unsupported"):
            TokenCodec(SECRET, "none")  # type: ignore[arg-type]


class TestDecodeRefuses:
    def test_tampered_payload(self, codec: TokenCodec) -> None:
        header, _payload, signature = codec.issue("s", ["users:read"]).access_token.split(".")
        forged = _b64(jwt.decode(codec.issue("s", ["admin"]).access_token, SECRET, ["HS256"]))

        assert codec.decode(f"{header}.{forged}.{signature}") is None

    def test_tampered_signature(self, codec: TokenCodec) -> None:
        token = codec.issue("s", []).access_token
        last = "A" if token[-1] != "A" else "B"

        assert codec.decode(token[:-1] + last) is None

    def test_alg_none(self, codec: TokenCodec) -> None:
        claims = _claims()
        claims["iat"] = int(claims["iat"].timestamp())
        claims["exp"] = int(claims["exp"].timestamp())
        unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."

        assert codec.decode(unsigned) is None

    def test_another_hmac_algorithm_with_the_same_key(self) -> None:
        key = "k" * 64
        hs512 = jwt.encode(_claims(), key, algorithm="HS512")

        assert TokenCodec(key, "HS256").decode(hs512) is None
        assert TokenCodec(key, "HS512").decode(hs512) is not None

    def test_another_secret(self, codec: TokenCodec) -> None:
        token = TokenCodec(OTHER_SECRET).issue("s", []).access_token

        assert codec.decode(token) is None

    def test_expired_beyond_the_leeway(self) -> None:
        issued_long_ago = TokenCodec(
            SECRET, expire_minutes=1, clock=lambda: datetime.now(UTC) - timedelta(seconds=71)
        )

        assert (
            TokenCodec(SECRET, leeway=10).decode(issued_long_ago.issue("s", []).access_token)
            is None
        )

    def test_expired_within_the_leeway_is_accepted(self) -> None:
        just_expired = TokenCodec(
            SECRET, expire_minutes=1, clock=lambda: datetime.now(UTC) - timedelta(seconds=63)
        )

        assert TokenCodec(SECRET, leeway=10).decode(just_expired.issue("s", []).access_token)

    def test_issued_in_the_future(self) -> None:
        token = jwt.encode(_claims(iat=datetime.now(UTC) + timedelta(hours=1)), SECRET)

        assert TokenCodec(SECRET).decode(token) is None

    @pytest.mark.parametrize("missing", ["exp", "iat", "sub", "scopes", "jti"])
    def test_a_missing_claim(self, codec: TokenCodec, missing: str) -> None:
        token = jwt.encode(_claims(**{missing: None}), SECRET, algorithm="HS256")

        assert codec.decode(token) is None

    @pytest.mark.parametrize(
        "overrides",
        [{"scopes": "items:write"}, {"scopes": [1, 2]}, {"sub": ""}, {"jti": 5}],
        ids=["scopes-string", "scopes-not-strings", "empty-sub", "jti-int"],
    )
    def test_malformed_claims(self, codec: TokenCodec, overrides: dict[str, Any]) -> None:
        token = jwt.encode(_claims(**overrides), SECRET, algorithm="HS256")

        assert codec.decode(token) is None

    @pytest.mark.parametrize("garbage", ["", "not-a-jwt", "a.b.c", "Bearer x.y.z", "é" * 10])
    def test_garbage(self, codec: TokenCodec, garbage: str) -> None:
        assert codec.decode(garbage) is None


class TestVerifiedTokens:
    """Issue 9: a token seen before is not checked in full again; only its expiry is."""

    def test_a_token_accepted_before_is_refused_once_expired(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        codec = TokenCodec(SECRET, expire_minutes=1, leeway=10)
        token = codec.issue("s", ["items:write"]).access_token
        first = codec.decode(token)
        assert first is not None
        assert codec.decode(token) == first

        later = time.time() + 60 + 11  # past exp and the leeway
        monkeypatch.setattr(time, "time", lambda: later)

        assert codec.decode(token) is None

    def test_a_changed_copy_of_an_accepted_token_is_checked_in_full(
        self, codec: TokenCodec
    ) -> None:
        token = codec.issue("s", ["users:read"]).access_token
        assert codec.decode(token) is not None
        header, _payload, signature = token.split(".")
        forged = _b64(jwt.decode(codec.issue("s", ["admin"]).access_token, SECRET, ["HS256"]))

        assert codec.decode(f"{header}.{forged}.{signature}") is None
        assert codec.decode(token[:-1] + ("A" if token[-1] != "A" else "B")) is None

    def test_refused_tokens_are_not_kept(self, codec: TokenCodec) -> None:
        for n in range(100):
            assert codec.decode(f"garbage.{n}.token") is None
        assert codec._verified == {}
