"""SMTP_URL and MAIL_FROM (impl/settings.py) and the outbox's retry rules (impl/services/mail.py),
without a network: the outbox's port is filled by a recording stand-in for an SMTP server and
its sleep by a recorder of the backoff. The real SMTP round trips are in
tests/api/test_api_welcome_mail.py."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from pydantic import ValidationError

from impl.services import MailDeliveryError, MailMessage, MailOutbox
from impl.settings import Settings, SmtpEndpoint

SECRET = "unit-test-secret-key-that-is-long-enough-0123"


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, environment="test", secret_key=SECRET, **values)  # type: ignore[call-arg, unused-ignore]


class TestSmtpUrl:
    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("smtp://mail.example", SmtpEndpoint(host="mail.example", port=25, security="plain")),
            (
                "smtp+starttls://relay:2525",
                SmtpEndpoint(host="relay", port=2525, security="starttls"),
            ),
            ("smtps://mail.example", SmtpEndpoint(host="mail.example", port=465, security="tls")),
            (
                "SMTP+STARTTLS://u%40x:p%3Aw%2Fd@mail.example/",
                SmtpEndpoint(
                    host="mail.example",
                    port=587,
                    security="starttls",
                    username="u@x",
                    password="p:w/d",
                ),
            ),
            ("smtp://[::1]:1025", SmtpEndpoint(host="::1", port=1025, security="plain")),
        ],
    )
    def test_is_taken_apart(self, url: str, expected: SmtpEndpoint) -> None:
        assert settings(smtp_url=url).smtp == expected

    def test_unset_or_empty_sends_nothing(self) -> None:
        assert settings().smtp is None
        assert settings(smtp_url="").smtp is None

    @pytest.mark.parametrize(
        "url",
        [
            "http://user:hunter2@mail.example",
            "smtp://user:hunter2@",
            "smtp://user:hunter2@mail.example:99999",
            "smtp://user:hunter2@mail.example:port",
            "smtp://user:hunter2@mail.example/path",
            "smtp://user:hunter2@mail.example?x=1",
            "mail.example",
        ],
    )
    def test_a_bad_url_is_refused_without_echoing_it(self, url: str) -> None:
        with pytest.raises(ValidationError) as raised:
            settings(smtp_url=url)
        message = str(raised.value)
        assert "SMTP_URL must be smtp://, smtp+starttls:// or smtps://" in message
        assert "hunter2" not in message
        assert "mail.example" not in message

    def test_the_password_is_not_in_the_endpoints_repr(self) -> None:
        endpoint = settings(smtp_url="smtps://user:hunter2@mail.example").smtp
        assert endpoint is not None
        assert endpoint.password == "hunter2"
        assert "hunter2" not in repr(endpoint)

    @pytest.mark.parametrize("sender", ["noreply@example.com", "Items API <noreply@items.example>"])
    def test_mail_from_accepts_an_address(self, sender: str) -> None:
        assert settings(mail_from=sender).mail_from == sender

    @pytest.mark.parametrize("sender", ["nobody", "a@b\r\nBcc: victim@example.com", ""])
    def test_mail_from_refuses_anything_else(self, sender: str) -> None:
        with pytest.raises(ValidationError, match="MAIL_FROM must be an address"):
            settings(mail_from=sender)


MESSAGE = MailMessage(to="a@example.com", subject="Hi", text="Hello", reference="user 1")


class FlakyMailer:
    """Fails with each of ``errors`` in turn, then delivers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[MailMessage] = []
        self.calls = 0

    async def send(self, message: MailMessage) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(message)


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def outbox(mailer: Any, sleeps: Sleeps, **options: Any) -> MailOutbox:
    values: dict[str, Any] = {"max_attempts": 4, "backoff": 0.5, "max_pending": 10, **options}
    return MailOutbox(mailer, sleep=sleeps, **values)


def transient() -> MailDeliveryError:
    return MailDeliveryError("451 try later", transient=True)


class TestOutbox:
    async def test_retries_transient_failures_with_a_doubling_backoff(self) -> None:
        mailer, sleeps = FlakyMailer(transient(), transient(), transient()), Sleeps()
        box = outbox(mailer, sleeps)
        await box.enqueue(MESSAGE)
        await box.close(drain_seconds=5)
        assert mailer.sent == [MESSAGE]
        assert sleeps.delays == [0.5, 1.0, 2.0]

    async def test_the_backoff_is_capped_at_a_minute(self) -> None:
        mailer, sleeps = FlakyMailer(*[transient() for _ in range(9)]), Sleeps()
        box = outbox(mailer, sleeps, max_attempts=10, backoff=10)
        await box.enqueue(MESSAGE)
        await box.close(drain_seconds=5)
        assert sleeps.delays == [10, 20, 40, 60, 60, 60, 60, 60, 60]

    async def test_gives_up_after_max_attempts_with_one_error(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger="impl.services.mail")
        mailer, sleeps = FlakyMailer(*[transient() for _ in range(5)]), Sleeps()
        box = outbox(mailer, sleeps, max_attempts=3)
        await box.enqueue(MESSAGE)
        await box.close(drain_seconds=5)
        assert (mailer.calls, mailer.sent) == (3, [])
        [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert error.getMessage() == "mail to user 1 not sent after 3 attempt(s): 451 try later"
        assert "a@example.com" not in caplog.text  # the reference, not the address

    async def test_a_permanent_failure_is_not_retried(self) -> None:
        mailer = FlakyMailer(MailDeliveryError("550 no such user", transient=False))
        sleeps = Sleeps()
        box = outbox(mailer, sleeps)
        await box.enqueue(MESSAGE)
        await box.close(drain_seconds=5)
        assert (mailer.calls, sleeps.delays) == (1, [])

    async def test_an_unexpected_error_is_logged_not_raised(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        mailer, sleeps = FlakyMailer(RuntimeError("bug")), Sleeps()
        box = outbox(mailer, sleeps)
        await box.enqueue(MESSAGE)
        await box.close(drain_seconds=5)
        assert mailer.calls == 1
        assert "not sent: unexpected error" in caplog.text

    async def test_a_full_outbox_drops_with_a_warning(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        gate = asyncio.Event()

        class Stuck:
            calls = 0

            async def send(self, message: MailMessage) -> None:
                Stuck.calls += 1
                await gate.wait()

        box = outbox(Stuck(), Sleeps(), max_pending=2)
        for _ in range(3):
            await box.enqueue(MESSAGE)
        assert box.pending == 2
        assert "mail outbox full (2 pending): user 1 not sent" in caplog.text
        gate.set()
        await box.close(drain_seconds=5)
        assert (Stuck.calls, box.pending) == (2, 0)

    async def test_after_close_nothing_is_taken(self, caplog: pytest.LogCaptureFixture) -> None:
        mailer = FlakyMailer()
        box = outbox(mailer, Sleeps())
        await box.close(drain_seconds=1)
        await box.enqueue(MESSAGE)
        assert (mailer.calls, box.pending) == (0, 0)
        assert "mail outbox closed: user 1 not sent" in caplog.text
