"""The composition root: settings in, a FastAPI app out.

create_app(settings) ─┬─ Database, PasswordHasher, TokenCodec      (db/, security/)
                      ├─ RedisItemCache, SmtpMailer + MailOutbox    (cache.py, mail.py; optional)
                      ├─ UserService, AuthService, ItemService ...  (services/)
                      ├─ *Handlers(...) → generated.Handlers        (handlers/)
                      ├─ generated.create_router(handlers)          (refuses missing handlers)
                      └─ HTTP layer: middleware, errors, /openapi.json = the contract (http/)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import pydantic
from fastapi import FastAPI

from generated import SPEC, Handlers, create_router, models
from impl.cache import RedisItemCache
from impl.db import Database
from impl.handlers import AuthHandlers, HealthHandlers, ItemsHandlers, TokenVerifier, UsersHandlers
from impl.http import (
    Metrics,
    RateLimiter,
    configure_logging,
    flush_logs,
    install_http_layer,
    serve_contract,
    serve_docs,
)
from impl.mail import SmtpMailer
from impl.observability import install_observability
from impl.security.passwords import PasswordHasher
from impl.security.tokens import TokenCodec
from impl.services import (
    AdminBootstrapRefused,
    AuthService,
    Check,
    HealthService,
    ItemService,
    MailOutbox,
    UserService,
)
from impl.settings import Settings

logger = logging.getLogger("impl.app")


class _LimiterSlot:
    """The rate limiter exists only while the app runs (its storage binds to the event loop)."""

    def __init__(self) -> None:
        self.limiter: RateLimiter | None = None

    def __call__(self) -> RateLimiter | None:
        return self.limiter


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """Build the application. ``database`` lets tests pass one bound to a rolled-back connection."""
    configure_logging(settings.log_level, secrets=_secrets(settings))
    _check_admin_settings(settings)
    db = database or Database.from_settings(settings)
    owns_database = database is None
    hasher = PasswordHasher.from_settings(settings)
    codec = TokenCodec.from_settings(settings)
    item_cache = (
        RedisItemCache(settings) if settings.redis_url and settings.item_cache_ttl > 0 else None
    )
    outbox = _mail_outbox(settings)
    users = UserService(db, hasher, item_cache=item_cache)
    auth = AuthService(db, hasher, codec)
    metrics = Metrics.create()
    limiter = _LimiterSlot()
    version = str(SPEC["info"]["version"])
    title = str(SPEC["info"]["title"])

    handlers = Handlers(
        health=HealthHandlers(_health_service(db, settings, limiter), metrics, version),
        auth=AuthHandlers(users, auth, settings, limiter, outbox=outbox, service_name=title),
        users=UsersHandlers(users),
        items=ItemsHandlers(ItemService(db, item_cache)),
        security=TokenVerifier(auth),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        limiter.limiter = await RateLimiter.create(settings)
        if item_cache is not None:
            await item_cache.start()
        try:
            await _bootstrap_admin(users, settings)
            yield
        finally:
            if outbox is not None:
                # Requests are over: the welcome e-mails still pending get a bounded time.
                await outbox.close(drain_seconds=settings.mail_drain_timeout)
            if item_cache is not None:
                await item_cache.close()
            await observability.shutdown()
            await limiter.limiter.close()
            limiter.limiter = None
            hasher.close()
            if owns_database:
                await db.dispose()
            flush_logs()  # every line of this run written before the server exits

    app = FastAPI(
        title=title,
        version=version,
        lifespan=lifespan,
        # /docs and /redoc are our own pages (assets served here, no inline script).
        docs_url=None,
        redoc_url=None,
        # No trailing-slash redirects: Starlette builds their Location from the request's
        # Host header (issue 8: `Host: evil.example` was redirected there). /items/ is 404.
        redirect_slashes=False,
    )
    # The generated routes join the app's own router rather than being included: FastAPI 0.165
    # matches an included router's routes twice per request (see benchmarks/).
    app.router.routes.extend(create_router(handlers).routes)
    serve_contract(app, SPEC)
    serve_docs(app)
    concerns = install_http_layer(app, settings, metrics=metrics, limiter=limiter)
    observability = install_observability(
        app,
        settings,
        db=db,
        metrics=metrics,
        in_flight=lambda: concerns.concurrency.in_flight,
        secrets=_secrets(settings),
    )
    return app


def _health_service(db: Database, settings: Settings, limiter: _LimiterSlot) -> HealthService:
    """/ready checks the database, and Redis when it holds the rate limits (issue 10)."""
    checks: dict[str, Check] = {}
    if settings.redis_url:

        async def redis() -> bool:
            running = limiter()
            return running is not None and await running.ping()

        checks["redis"] = redis
    return HealthService(db, timeout=settings.ready_timeout, checks=checks)


def _mail_outbox(settings: Settings) -> MailOutbox | None:
    """The welcome e-mail's way out, or None without SMTP_URL (then nothing is sent)."""
    endpoint = settings.smtp
    if endpoint is None:
        return None
    mailer = SmtpMailer(endpoint, sender=settings.mail_from, timeout=settings.smtp_timeout)
    return MailOutbox(
        mailer,
        max_attempts=settings.mail_max_attempts,
        backoff=settings.mail_retry_backoff,
        max_pending=settings.mail_max_pending,
    )


async def _bootstrap_admin(users: UserService, settings: Settings) -> None:
    if not (settings.admin_username and settings.admin_email and settings.admin_password):
        return
    try:
        await users.ensure_admin(
            username=settings.admin_username,
            email=settings.admin_email,
            password=settings.admin_password.get_secret_value(),
        )
    except AdminBootstrapRefused as exc:
        # Start-up fails with the reason (uvicorn and Gunicorn then exit non-zero).
        logger.critical("Admin bootstrap refused: %s", exc)
        raise RuntimeError(f"Admin bootstrap refused: {exc}") from None
    logger.info("admin user ensured", extra={"username": settings.admin_username})


def _check_admin_settings(settings: Settings) -> None:
    """ADMIN_USERNAME, ADMIN_EMAIL and ADMIN_PASSWORD must satisfy the contract's own rules for
    a user (the generated ``UserCreate``): a bootstrapped admin that breaks the ``User``
    schema made every users response a 500 (issue 8). The message names the variable and the
    rule, never the value."""
    if not (settings.admin_username and settings.admin_email and settings.admin_password):
        return
    try:
        models.UserCreate.model_validate(
            {
                "username": settings.admin_username,
                "email": settings.admin_email,
                "password": settings.admin_password.get_secret_value(),
            }
        )
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"ADMIN_{str(error['loc'][0]).upper()}: {error['msg']}"
            for error in exc.errors(include_input=False, include_context=False, include_url=False)
        )
        raise ValueError(f"Invalid admin bootstrap settings: {problems}") from None


def _secrets(settings: Settings) -> list[str]:
    """Values no log line may carry (the log formatter redacts them)."""
    values = [settings.secret]
    if settings.admin_password is not None:
        values.append(settings.admin_password.get_secret_value())
    for url in (settings.database_url, settings.redis_url):
        password = urlsplit(url).password if url else None
        if password:
            values.append(password)
    smtp = settings.smtp
    if smtp is not None and smtp.password:
        values.append(smtp.password)
        encoded = urlsplit(settings.smtp_url or "").password
        if encoded and encoded != smtp.password:
            values.append(encoded)  # as written in SMTP_URL, percent-encoded
    return values
