"""Runtime configuration, read from the environment (and an optional ``.env``).

Field names are the environment variables in lower case. ``create_app(settings)`` takes a
``Settings`` instance; nothing here is built at import time.
"""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit

import limits
from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "production", "test"]
SmtpSecurity = Literal["plain", "starttls", "tls"]

_MIN_SECRET_BYTES = 32

_SMTP_SCHEMES: dict[str, tuple[SmtpSecurity, int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpEndpoint:
    """Where and how to deliver mail (SMTP_URL). ``repr`` leaves the password out."""

    host: str
    port: int
    security: SmtpSecurity
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> SmtpEndpoint:
        """Raises ValueError naming the rule; the message never holds the URL."""
        rule = (
            "SMTP_URL must be smtp://, smtp+starttls:// or smtps:// followed by "
            "[USER:PASSWORD@]HOST[:PORT]"
        )
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ValueError(rule) from None
        scheme = _SMTP_SCHEMES.get(parts.scheme.lower())
        if scheme is None or not parts.hostname or parts.path not in ("", "/") or parts.query:
            raise ValueError(rule)
        security, default_port = scheme
        return cls(
            host=parts.hostname,
            port=port or default_port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
        )


class Settings(BaseSettings):
    # hide_input_in_errors: a validation error at start-up names the variable and the rule,
    # never the value (ADMIN_PASSWORD, SECRET_KEY, a URL with a password: issue 8).
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    environment: Environment = "development"
    database_url: str = "sqlite+aiosqlite:///./var/app.db"
    # PostgreSQL pool: up to 15 connections per worker, all kept once opened. SQLAlchemy's
    # 5 + 10 overflow closed every connection beyond the fifth at its return and opened a new
    # one for the next request: under 32 concurrent requests that churn (a connect and
    # asyncpg's type setup each time) was ~35% of a request's CPU time (issue 9).
    db_pool_size: int = Field(default=15, ge=1)
    db_max_overflow: int = Field(default=0, ge=0)
    db_pool_pre_ping: bool = True
    db_pool_recycle: int = Field(default=1800, ge=-1)
    db_echo: bool = False
    # Outages (issue 10; PostgreSQL): seconds to open a connection, to run one statement, to
    # wait for a free pooled connection. Past any of them the request answers 503 + Retry-After.
    db_connect_timeout: float = Field(default=1.0, gt=0)
    db_command_timeout: float = Field(default=10.0, gt=0)
    db_pool_timeout: float = Field(default=5.0, gt=0)

    secret_key: SecretStr | None = None
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    access_token_expire_minutes: int = Field(default=30, ge=1)
    jwt_leeway_seconds: int = Field(default=10, ge=0)

    # argon2id cost; tests and fuzzing use a cheap setting (e.g. 8 MiB, 1 pass).
    password_hash_memory_kib: int = Field(default=65536, ge=8)
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_parallelism: int = Field(default=4, ge=1)
    # Hashes running or queued at once; beyond it 503 + Retry-After (impl/security/passwords.py).
    password_hash_max_pending: int = Field(default=16, ge=1)

    # Requests in progress per worker; more are answered 503 + Retry-After at once (issue 9).
    # An admitted request waits about limit / throughput (128 at ~1,500 req/s: ~85 ms). At
    # exactly the limit in connections a request can overlap the previous one's last steps on
    # the same connection, so the default sits well above the 64 that must all be answered.
    max_concurrent_requests: int = Field(default=128, ge=1)
    # Seconds a request may take, from entering the app to its response; past it, 503 and the
    # request's work is cancelled (impl/http/deadline.py). Keep it below Gunicorn's TIMEOUT
    # (the worker heartbeat), which restarts a whole worker, not one request.
    request_timeout: float = Field(default=30.0, gt=0)

    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_level: str = "INFO"
    redis_url: str | None = None
    # Seconds to connect to Redis or get an answer; past it a rate limit is skipped (fails
    # open, with a warning) and /ready reports "redis": "error".
    redis_timeout: float = Field(default=0.5, gt=0)
    # Seconds each /ready check (database, Redis) may take before it counts as failed.
    ready_timeout: float = Field(default=1.0, gt=0)
    rate_limit_default: str = "300/minute"
    rate_limit_login: str = "10/minute"
    # Registration hashes a password (argon2, ~200 ms of CPU): a few per minute per client.
    rate_limit_register: str = "5/minute"

    # Hostile input (issue 8): request bodies above this many bytes are answered 413.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)

    # The server (``make run`` and ``make serve``; impl/http/server.py). Seconds a client may
    # take to send a request's headers, then its body; idle keep-alive connections are closed
    # after KEEPALIVE_TIMEOUT; at most MAX_CONNECTIONS open connections per worker process
    # (more are closed at once), and a request head of at most MAX_HEADER_BYTES.
    header_timeout: float = Field(default=10.0, gt=0)
    body_timeout: float = Field(default=30.0, gt=0)
    keepalive_timeout: int = Field(default=5, ge=1)
    max_connections: int = Field(default=1000, ge=1)
    max_header_bytes: int = Field(default=64 * 1024, ge=1024)
    # Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed (comma-separated
    # IPs or networks, or "*"). Empty: nobody's, so clients cannot choose their own address.
    forwarded_allow_ips: str = ""

    # Observability (issue 10; impl/observability). Traces over OTLP/HTTP to this collector
    # base URL (e.g. http://127.0.0.1:4318; /v1/traces is appended) when set; error events to
    # Sentry when SENTRY_DSN is set. Neither library is even imported otherwise.
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "contract-first-api"
    sentry_dsn: SecretStr | None = None

    admin_username: str | None = None
    admin_email: str | None = None
    admin_password: SecretStr | None = None

    # The welcome e-mail (issue 10; impl/mail.py): sent after registration when SMTP_URL is
    # set: smtp://HOST[:PORT] (plain, 25), smtp+starttls://HOST[:PORT] (STARTTLS required,
    # 587) or smtps://HOST[:PORT] (TLS, 465), optionally USER:PASSWORD@ (percent-encoded).
    # Up to MAIL_MAX_ATTEMPTS tries per message, MAIL_RETRY_BACKOFF seconds apart, doubling;
    # at shutdown pending mail gets MAIL_DRAIN_TIMEOUT seconds to go out.
    smtp_url: str | None = None
    mail_from: str = "noreply@localhost"
    smtp_timeout: float = Field(default=10.0, gt=0)
    mail_max_attempts: int = Field(default=4, ge=1, le=20)
    mail_retry_backoff: float = Field(default=1.0, ge=0)
    mail_drain_timeout: float = Field(default=10.0, ge=0)
    mail_max_pending: int = Field(default=1000, ge=1)

    # The item cache (issue 10; impl/cache.py): with REDIS_URL, getItem reads through Redis,
    # entries live ITEM_CACHE_TTL seconds (0: no cache) under keys starting CACHE_KEY_PREFIX;
    # a Redis call that takes longer than CACHE_TIMEOUT seconds counts as failed (the read
    # goes to the database).
    item_cache_ttl: int = Field(default=60, ge=0)
    cache_key_prefix: str = Field(default="items-api:", max_length=100)
    cache_timeout: float = Field(default=0.5, gt=0)

    _secret_generated: bool = PrivateAttr(default=False)

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("rate_limit_default", "rate_limit_login", "rate_limit_register")
    @classmethod
    def _parse_limit(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError("not a rate limit such as '10/minute'") from None
        return value

    @field_validator("smtp_url")
    @classmethod
    def _parse_smtp_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        SmtpEndpoint.parse(value)  # the message names the rule, never the URL
        return value

    @field_validator("mail_from")
    @classmethod
    def _check_mail_from(cls, value: str) -> str:
        _name, address = parseaddr(value)
        if "@" not in address or any(c in value for c in "\r\n\x00"):
            raise ValueError("MAIL_FROM must be an address such as 'Items <noreply@example.com>'")
        return value

    @model_validator(mode="after")
    def _require_secret_outside_development(self) -> Settings:
        if self.secret_key is None:
            if self.environment != "development":
                raise ValueError("SECRET_KEY is required outside ENVIRONMENT=development")
            warnings.warn(
                "SECRET_KEY is not set: using a random key (tokens die with the process)",
                RuntimeWarning,
                stacklevel=2,
            )
            self.secret_key = SecretStr(secrets.token_urlsafe(48))
            self._secret_generated = True
        elif len(self.secret_key.get_secret_value().encode()) < _MIN_SECRET_BYTES:
            # The message names the rule only: never the key or a part of it.
            raise ValueError(f"SECRET_KEY must be at least {_MIN_SECRET_BYTES} bytes")
        admin = (self.admin_username, self.admin_email, self.admin_password)
        if any(value is not None for value in admin) and not all(admin):
            raise ValueError(
                "ADMIN_USERNAME, ADMIN_EMAIL and ADMIN_PASSWORD: set all three or none"
            )
        if "*" in self.allowed_origins and self.environment != "development":
            raise ValueError("ALLOWED_ORIGINS may contain '*' only in development")
        return self

    @property
    def secret_generated(self) -> bool:
        """True when SECRET_KEY was not set (development) and a random one was made: each
        process that builds its settings gets a different one."""
        return self._secret_generated

    @property
    def smtp(self) -> SmtpEndpoint | None:
        """SMTP_URL taken apart, or None when no mail is to be sent."""
        return SmtpEndpoint.parse(self.smtp_url) if self.smtp_url else None

    @property
    def secret(self) -> str:
        if self.secret_key is None:  # pragma: no cover - the validator always sets one
            raise RuntimeError("Settings were built without their validator")
        return self.secret_key.get_secret_value()
