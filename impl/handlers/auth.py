from __future__ import annotations

from collections.abc import Callable

from generated import AuthApi, Principal, RegisterUser201, models, request_context
from impl.errors import Unauthorized
from impl.http import RateLimiter
from impl.services import AuthService, MailOutbox, UserService, welcome_message
from impl.settings import Settings

from .convert import actor, user_model


class AuthHandlers(AuthApi):
    def __init__(
        self,
        users: UserService,
        auth: AuthService,
        settings: Settings,
        limiter: Callable[[], RateLimiter | None],
        *,
        outbox: MailOutbox | None = None,
        service_name: str = "",
    ) -> None:
        self._users = users
        self._auth = auth
        self._settings = settings
        self._limiter = limiter
        self._outbox = outbox
        self._service_name = service_name

    async def register_user(self, *, body: models.UserCreate) -> RegisterUser201:
        limiter = self._limiter()
        if limiter is not None:
            # Each registration costs an argon2 hash: its own, strict limit per client.
            await limiter.hit(self._settings.rate_limit_register, "register", _client_host())
        full_name = body.full_name if isinstance(body.full_name, str) else None
        user = await self._users.register(
            username=body.username, email=body.email, password=body.password, full_name=full_name
        )
        if self._outbox is not None:
            # A background task runs once the 201 has been sent; it only hands the message to
            # the outbox, whose own task delivers it (with retries), so neither a slow nor a
            # failing SMTP server touches the registration or holds the request open.
            message = welcome_message(user, service_name=self._service_name)
            request_context().background_tasks.add_task(self._outbox.enqueue, message)
        return RegisterUser201(body=user_model(user), location=f"/api/v1/users/{user.id}")

    async def create_token(self, *, body: models.TokenRequest) -> models.Token:
        limiter = self._limiter()
        limit = self._settings.rate_limit_login
        # Brute force: a strict limit on every attempt per client, and on *failed* attempts per
        # username and client together. Not per username alone: then anyone could lock any
        # user out by failing on purpose from elsewhere (issue 8); the user's own address
        # keeps working. Spreading guesses over many addresses is bounded per address.
        failures = ("login-failed", body.username.lower(), _client_host())
        if limiter is not None:
            await limiter.hit(limit, "login-client", _client_host())
            await limiter.check(limit, *failures)
        requested = frozenset(body.scope.split()) if isinstance(body.scope, str) else None
        try:
            token = await self._auth.login(
                username=body.username, password=body.password, requested_scopes=requested
            )
        except Unauthorized:
            if limiter is not None:
                await limiter.record(limit, *failures)
            raise
        return models.Token.model_validate(
            {
                "access_token": token.access_token,
                "token_type": "bearer",
                "expires_in": token.expires_in,
            }
        )

    async def get_current_user(self, *, principal: Principal) -> models.User:
        return user_model(await self._users.get(actor(principal).user_id))


def _client_host() -> str:
    client = request_context().request.client
    return client.host if client is not None else "unknown"
