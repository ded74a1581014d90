"""Identity: bearer tokens → principals. Scopes are enforced by the generated routes."""

from __future__ import annotations

from generated import Principal, SecurityVerifier
from impl.http import set_user_id
from impl.services import AuthService


class TokenVerifier(SecurityVerifier):
    def __init__(self, auth: AuthService) -> None:
        self._auth = auth

    async def verify(self, *, scheme: str, credentials: str) -> Principal | None:
        actor = await self._auth.authenticate(credentials)
        if actor is None:
            return None
        set_user_id(str(actor.user_id))  # for this request's log lines
        return Principal(subject=str(actor.user_id), scopes=actor.scopes)
