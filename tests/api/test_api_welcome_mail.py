"""The welcome e-mail (issue 10, item 3): registerUser sends it through SMTP after the
response, with retries, and a failure never fails the registration.

The SMTP server is real: aiosmtpd serving on a free 127.0.0.1 port in the test's event loop
(the app's aiosmtplib client talks to it over TCP). Each app here runs its own lifespan, so
that leaving it shows the shutdown drain; waits are bounded and nothing asserts a duration.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from fastapi import FastAPI

from impl.app import create_app
from impl.db import Database
from tests.api.helpers import BASE_URL, MakeSettings

PASSWORD = "correct horse battery staple"
REGISTRATION = {
    "username": "newcomer",
    "email": "newcomer@example.com",
    "password": PASSWORD,
    "full_name": "New Comer",
}
MAIL_FROM = "Items API <noreply@items.example>"
BOUND = 10.0  # seconds: ends a test that would otherwise hang; nothing asserts durations


@dataclass
class Inbox:
    """aiosmtpd's handler: keeps every message; answers 451 to the first ``failures`` DATA
    commands; holds each delivery until ``gate`` is set, when one is given."""

    failures: int = 0
    gate: asyncio.Event | None = None
    attempts: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    data_started: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.attempts += 1
        self.data_started.set()
        if self.failures > 0:
            self.failures -= 1
            return "451 4.3.0 Try again later"
        if self.gate is not None:
            await self.gate.wait()
        content = envelope.content
        assert isinstance(content, bytes)
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.arrived.set()
        return "250 2.0.0 OK"


@asynccontextmanager
async def smtp_server(inbox: Inbox, **options: Any) -> AsyncIterator[int]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(inbox, loop=loop, hostname="localhost", **options), "127.0.0.1", 0
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def running(
    make_settings: MakeSettings, db: Database, **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An app with its lifespan entered, and a client; leaving drains the outbox."""
    values: dict[str, Any] = {
        "mail_from": MAIL_FROM,
        "mail_retry_backoff": 0.01,
        "mail_drain_timeout": BOUND,
        **overrides,
    }
    settings = make_settings(**values)
    app: FastAPI = create_app(settings, database=db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield client


async def register(client: httpx.AsyncClient) -> httpx.Response:
    return await client.post("/api/v1/auth/register", json=REGISTRATION)


def raw(message: EmailMessage) -> str:
    return message.as_string()


class TestWelcomeMail:
    async def test_arrives_with_to_from_and_subject_and_no_password(
        self, make_settings: MakeSettings, db: Database
    ) -> None:
        inbox = Inbox()
        async with (
            smtp_server(inbox) as port,
            running(make_settings, db, smtp_url=f"smtp://127.0.0.1:{port}") as client,
        ):
            response = await register(client)
            assert response.status_code == 201, response.text
            await asyncio.wait_for(inbox.arrived.wait(), BOUND)
        [message] = inbox.messages
        assert message["To"] == REGISTRATION["email"]
        assert message["From"] == MAIL_FROM
        assert message["Subject"] == "Welcome to Contract-first Items API"
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        assert "New Comer" in text
        assert "'newcomer'" in text
        assert PASSWORD not in raw(message)

    async def test_is_sent_after_the_response(
        self, make_settings: MakeSettings, db: Database
    ) -> None:
        # The SMTP server holds the message until the test has its 201: the registration
        # does not wait for the delivery.
        inbox = Inbox(gate=asyncio.Event())
        async with (
            smtp_server(inbox) as port,
            running(make_settings, db, smtp_url=f"smtp://127.0.0.1:{port}") as client,
        ):
            # Bounded: were the handler to deliver before answering, this would wait for
            # the gate, which only opens below.
            response = await asyncio.wait_for(register(client), BOUND)
            assert response.status_code == 201, response.text
            await asyncio.wait_for(inbox.data_started.wait(), BOUND)
            assert inbox.messages == []
            assert inbox.gate is not None
            inbox.gate.set()
            await asyncio.wait_for(inbox.arrived.wait(), BOUND)
        assert len(inbox.messages) == 1

    async def test_a_transient_failure_is_retried_and_delivered(
        self, make_settings: MakeSettings, db: Database, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger="impl.services.mail")
        inbox = Inbox(failures=1)
        async with (
            smtp_server(inbox) as port,
            running(make_settings, db, smtp_url=f"smtp://127.0.0.1:{port}") as client,
        ):
            assert (await register(client)).status_code == 201
            await asyncio.wait_for(inbox.arrived.wait(), BOUND)
        assert inbox.attempts == 2
        assert [m["To"] for m in inbox.messages] == [REGISTRATION["email"]]
        messages = [record.getMessage() for record in caplog.records]
        assert any("attempt 1 failed" in m and "451" in m for m in messages), messages
        assert any(m.endswith("sent (attempt 2)") for m in messages), messages

    async def test_server_down_registration_is_201_and_the_failure_is_logged(
        self, make_settings: MakeSettings, db: Database, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        port = closed_port()
        url = f"smtp://mailer:{PASSWORD.replace(' ', '%20')}@127.0.0.1:{port}"
        async with running(make_settings, db, smtp_url=url, mail_max_attempts=3) as client:
            response = await register(client)
            assert response.status_code == 201, response.text
            assert response.json()["username"] == "newcomer"
        # Leaving the lifespan drained the outbox: every attempt has been made.
        errors = [r for r in caplog.records if r.name == "impl.services.mail"]
        failures = [r for r in errors if r.levelno == logging.ERROR]
        assert len(failures) == 1, [r.getMessage() for r in errors]
        message = failures[0].getMessage()
        assert message.startswith("mail to user ")
        assert "not sent after 3 attempt(s)" in message
        assert sum("failed" in r.getMessage() for r in errors if r.levelno == logging.INFO) == 2
        for record in caplog.records:  # neither the user's nor the SMTP password
            assert PASSWORD not in record.getMessage()
            assert PASSWORD.replace(" ", "%20") not in record.getMessage()

    async def test_a_permanent_refusal_is_not_retried(
        self, make_settings: MakeSettings, db: Database, caplog: pytest.LogCaptureFixture
    ) -> None:
        class Refusing(Inbox):
            async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
                self,
                server: SMTP,
                session: Session,
                envelope: Envelope,
                address: str,
                rcpt_options: list[str],
            ) -> str:
                self.attempts += 1
                return "550 5.1.1 No such mailbox"

        caplog.set_level(logging.INFO, logger="impl.services.mail")
        inbox = Refusing()
        async with (
            smtp_server(inbox) as port,
            running(make_settings, db, smtp_url=f"smtp://127.0.0.1:{port}") as client,
        ):
            assert (await register(client)).status_code == 201
        assert inbox.attempts == 1
        assert inbox.messages == []
        [failure] = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert "not sent after 1 attempt(s)" in failure.getMessage()
        assert "550" in failure.getMessage()

    @pytest.mark.parametrize("accepted", [True, False])
    async def test_credentials_from_the_url_are_used_and_never_logged(
        self,
        make_settings: MakeSettings,
        db: Database,
        caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str],
        accepted: bool,
    ) -> None:
        smtp_password = "s3cret pa:ss/word"  # percent-encoded in the URL
        seen: list[tuple[bytes, bytes]] = []

        def authenticator(
            server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
        ) -> AuthResult:
            assert isinstance(data, LoginPassword)
            seen.append((data.login, data.password))
            return AuthResult(success=accepted, handled=False)

        caplog.set_level(logging.INFO)
        inbox = Inbox()
        # AUTH without TLS is for this test only (a catcher on loopback); the app would use
        # smtp+starttls:// or smtps:// with credentials.
        options = {"authenticator": authenticator, "auth_require_tls": False}
        url_password = "s3cret%20pa%3Ass%2Fword"
        async with smtp_server(inbox, **options) as port:
            url = f"smtp://mailer:{url_password}@127.0.0.1:{port}"
            async with running(make_settings, db, smtp_url=url, mail_max_attempts=2) as client:
                assert (await register(client)).status_code == 201
        assert seen
        assert seen[0] == (b"mailer", smtp_password.encode())
        assert len(inbox.messages) == (1 if accepted else 0)
        if not accepted:
            # 535 is permanent: one attempt, logged.
            [failure] = [r for r in caplog.records if r.levelno == logging.ERROR]
            assert "535" in failure.getMessage()
        printed = capsys.readouterr()
        for text in [r.getMessage() for r in caplog.records] + [printed.out, printed.err]:
            assert smtp_password not in text
            assert url_password not in text
            assert PASSWORD not in text

    async def test_without_smtp_url_nothing_is_sent(
        self, make_settings: MakeSettings, db: Database, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG, logger="impl.services.mail")
        inbox = Inbox()
        async with smtp_server(inbox), running(make_settings, db, smtp_url=None) as client:
            assert (await register(client)).status_code == 201
        assert inbox.attempts == 0
        assert inbox.messages == []
        assert [r for r in caplog.records if r.name == "impl.services.mail"] == []

    async def test_a_failed_registration_sends_nothing(
        self, make_settings: MakeSettings, db: Database
    ) -> None:
        inbox = Inbox()
        async with (
            smtp_server(inbox) as port,
            running(make_settings, db, smtp_url=f"smtp://127.0.0.1:{port}") as client,
        ):
            assert (await register(client)).status_code == 201
            await asyncio.wait_for(inbox.arrived.wait(), BOUND)
            assert (await register(client)).status_code == 409  # taken
        assert len(inbox.messages) == 1


class TestShutdown:
    async def test_pending_mail_is_delivered_before_the_app_stops(
        self, make_settings: MakeSettings, db: Database
    ) -> None:
        inbox = Inbox(failures=2)  # still retrying when the lifespan ends
        async with smtp_server(inbox) as port:
            async with running(
                make_settings, db, smtp_url=f"smtp://127.0.0.1:{port}", mail_retry_backoff=0.1
            ) as client:
                assert (await register(client)).status_code == 201
            # The lifespan has ended: the drain waited for the third attempt.
            assert [m["To"] for m in inbox.messages] == [REGISTRATION["email"]]
            assert inbox.attempts == 3

    async def test_the_drain_is_bounded_and_logs_what_it_gave_up(
        self, make_settings: MakeSettings, db: Database, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.WARNING, logger="impl.services.mail")
        inbox = Inbox(gate=asyncio.Event())  # never set: the delivery never completes
        async with smtp_server(inbox) as port:
            async with running(
                make_settings, db, smtp_url=f"smtp://127.0.0.1:{port}", mail_drain_timeout=0.2
            ) as client:
                assert (await register(client)).status_code == 201
                await asyncio.wait_for(inbox.data_started.wait(), BOUND)
            assert inbox.messages == []
            assert inbox.gate is not None
            inbox.gate.set()  # let aiosmtpd's session finish before its server closes
        messages = [r.getMessage() for r in caplog.records]
        assert any("not sent: shut down before delivery" in m for m in messages), messages
