"""The composition root: settings in, a FastAPI app out.

create_app(settings) ─┬─ Database, PasswordHasher, TokenCodec      (db/, security/)
                      ├─ UserService, AuthService, ItemService ...  (services/)
                      ├─ *Handlers(...) → generated.Handlers        (handlers/)
                      ├─ generated.create_router(handlers)          (refuses missing handlers)
                      └─ HTTP layer: middleware, errors, /openapi.json = the contract (http/)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from generated import SPEC, Handlers, create_router
from impl.db import Database
from impl.handlers import AuthHandlers, HealthHandlers, ItemsHandlers, TokenVerifier, UsersHandlers
from impl.http import Metrics, RateLimiter, configure_logging, install_http_layer, serve_contract
from impl.security.passwords import PasswordHasher
from impl.security.tokens import TokenCodec
from impl.services import AuthService, HealthService, ItemService, UserService
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
    configure_logging(settings.log_level)
    db = database or Database.from_settings(settings)
    owns_database = database is None
    hasher = PasswordHasher.from_settings(settings)
    codec = TokenCodec.from_settings(settings)
    users = UserService(db, hasher)
    auth = AuthService(db, hasher, codec)
    metrics = Metrics.create()
    limiter = _LimiterSlot()
    version = str(SPEC["info"]["version"])

    handlers = Handlers(
        health=HealthHandlers(HealthService(db), metrics, version),
        auth=AuthHandlers(users, auth, settings, limiter),
        users=UsersHandlers(users),
        items=ItemsHandlers(ItemService(db)),
        security=TokenVerifier(auth),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        limiter.limiter = await RateLimiter.create(settings)
        if settings.admin_username and settings.admin_email and settings.admin_password:
            await users.ensure_admin(
                username=settings.admin_username,
                email=settings.admin_email,
                password=settings.admin_password.get_secret_value(),
            )
            logger.info("admin user ensured", extra={"username": settings.admin_username})
        try:
            yield
        finally:
            await limiter.limiter.close()
            limiter.limiter = None
            hasher.close()
            if owns_database:
                await db.dispose()

    app = FastAPI(
        title=str(SPEC["info"]["title"]),
        version=version,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url="/redoc",
    )
    # The generated routes join the app's own router rather than being included: FastAPI 0.165
    # matches an included router's routes twice per request (see benchmarks/).
    app.router.routes.extend(create_router(handlers).routes)
    serve_contract(app, SPEC)
    install_http_layer(app, settings, metrics=metrics, limiter=limiter)
    return app
