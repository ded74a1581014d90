"""Outgoing mail: the welcome e-mail, the ``Mailer`` port and the background outbox (issue 10).

    registerUser ── 201 sent ──▶ MailOutbox.enqueue(welcome_message(user))     (handlers/auth.py)
                                      │ an asyncio task the outbox tracks
                                      ▼
                                 Mailer.send(message)    (impl/mail.py: SmtpMailer, aiosmtplib)
                                 MailDeliveryError(transient=True)  → retried with backoff
                                 MailDeliveryError(transient=False) → given up at once
                                 anything else (a bug)              → given up, logged

A failure is logged (the user's id and the error, never an address's password or the SMTP
credentials) and never reaches the registration: it was answered before delivery started.
``MailOutbox.close`` drains what is pending when the app stops, within a bound, and cancels
the rest (logged). No framework here: the handler hands the enqueueing to the response's
background tasks, so delivery starts only once the response has been sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, Protocol

from impl.db import User

__all__ = ["MailDeliveryError", "MailMessage", "MailOutbox", "Mailer", "welcome_message"]

logger = logging.getLogger(__name__)

_MAX_BACKOFF: Final = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class MailMessage:
    """A plain-text message. ``reference`` names it in logs instead of the address."""

    to: str
    subject: str
    text: str
    reference: str


class MailDeliveryError(Exception):
    """The adapter could not deliver. ``transient``: worth trying again (a connection error,
    a timeout, an SMTP 4xx); otherwise the server refused for good (an SMTP 5xx)."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class Mailer(Protocol):
    """The port the outbox delivers through. Raises ``MailDeliveryError`` on failure."""

    async def send(self, message: MailMessage) -> None: ...


def welcome_message(user: User, *, service_name: str) -> MailMessage:
    """What a new user receives. Built from the stored row: the password (which the row never
    holds, only its hash) cannot end up in it."""
    name = user.full_name or user.username
    text = (
        f"Hello {name},\n\n"
        f"welcome to {service_name}. Your account {user.username!r} is ready: sign in with "
        "your username and the password you chose.\n\n"
        "If you did not register, ignore this message.\n"
    )
    return MailMessage(
        to=user.email,
        subject=f"Welcome to {service_name}",
        text=text,
        reference=f"user {user.id}",
    )


class MailOutbox:
    """Delivers messages in the background, each in an asyncio task it keeps until done.

    ``max_attempts`` tries per message, waiting ``backoff``, then twice that, ... (capped at a
    minute) between them. At most ``max_pending`` messages wait at once; more are dropped
    with a warning (an SMTP outage must not grow memory without bound).
    """

    def __init__(
        self,
        mailer: Mailer,
        *,
        max_attempts: int,
        backoff: float,
        max_pending: int,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._mailer = mailer
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._max_pending = max_pending
        self._sleep = sleep
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def enqueue(self, message: MailMessage) -> None:
        """Start delivering ``message`` and return at once (async so that Starlette runs it
        on the event loop as a background task, not in a thread)."""
        if self._closed:
            logger.warning("mail outbox closed: %s not sent", message.reference)
            return
        if len(self._tasks) >= self._max_pending:
            logger.warning(
                "mail outbox full (%d pending): %s not sent", len(self._tasks), message.reference
            )
            return
        task = asyncio.create_task(self._deliver(message), name=f"mail {message.reference}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self, *, drain_seconds: float) -> None:
        """Stop taking messages; wait up to ``drain_seconds`` for those pending, then
        cancel the rest (each logged as not sent)."""
        self._closed = True
        if not self._tasks:
            return
        _done, unfinished = await asyncio.wait(set(self._tasks), timeout=drain_seconds)
        for task in unfinished:
            task.cancel()
        if unfinished:
            await asyncio.wait(unfinished)

    async def _deliver(self, message: MailMessage) -> None:
        delay = self._backoff
        for attempt in range(1, self._max_attempts + 1):
            try:
                await self._mailer.send(message)
            except asyncio.CancelledError:
                logger.warning(
                    "mail to %s not sent: shut down before delivery (attempt %d)",
                    message.reference,
                    attempt,
                )
                raise
            except MailDeliveryError as exc:
                if not exc.transient or attempt == self._max_attempts:
                    logger.error(
                        "mail to %s not sent after %d attempt(s): %s",
                        message.reference,
                        attempt,
                        exc,
                    )
                    return
                logger.info(
                    "mail to %s: attempt %d failed (%s); retrying in %.2f s",
                    message.reference,
                    attempt,
                    exc,
                    delay,
                )
            except Exception:
                logger.exception("mail to %s not sent: unexpected error", message.reference)
                return
            else:
                logger.info("mail to %s sent (attempt %d)", message.reference, attempt)
                return
            try:
                await self._sleep(delay)
            except asyncio.CancelledError:
                logger.warning(
                    "mail to %s not sent: shut down while waiting to retry", message.reference
                )
                raise
            delay = min(delay * 2, _MAX_BACKOFF)
