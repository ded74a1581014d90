from __future__ import annotations

from collections.abc import Callable

from generated import AuthApi, Principal, RegisterUser201, models, request_context
from impl.http import RateLimiter
from impl.services import AuthService, UserService
from impl.settings import Settings

from .convert import actor, user_model


class AuthHandlers(AuthApi):
    def __init__(
        self,
        users: UserService,
        auth: AuthService,
        settings: Settings,
        limiter: Callable[[], RateLimiter | None],
    ) -> None:
        self._users = users
        self._auth = auth
        self._settings = settings
        self._limiter = limiter

    async def register_user(self, *, body: models.UserCreate) -> RegisterUser201:
        full_name = body.full_name if isinstance(body.full_name, str) else None
        user = await self._users.register(
            username=body.username, email=body.email, password=body.password, full_name=full_name
        )
        return RegisterUser201(body=user_model(user), location=f"/api/v1/users/{user.id}")

    async def create_token(self, *, body: models.TokenRequest) -> models.Token:
        limiter = self._limiter()
        if limiter is not None:
            # Brute force: a strict limit per client and, separately, per username (429).
            client = request_context().request.client
            host = client.host if client is not None else "unknown"
            await limiter.hit(self._settings.rate_limit_login, "login-client", host)
            await limiter.hit(self._settings.rate_limit_login, "login-user", body.username.lower())
        requested = frozenset(body.scope.split()) if isinstance(body.scope, str) else None
        token = await self._auth.login(
            username=body.username, password=body.password, requested_scopes=requested
        )
        return models.Token.model_validate(
            {
                "access_token": token.access_token,
                "token_type": "bearer",
                "expires_in": token.expires_in,
            }
        )

    async def get_current_user(self, *, principal: Principal) -> models.User:
        return user_model(await self._users.get(actor(principal).user_id))
