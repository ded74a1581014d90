"""The SMTP adapter of the ``Mailer`` port (impl/services/mail.py), on aiosmtplib.

One connection per message (registrations are rare: a few a minute per client), so nothing
is held open between messages and a server restart costs nothing. ``SMTP_URL`` says how:

    smtp://HOST[:PORT]            plain SMTP (25), for a relay or catcher on a trusted network
    smtp+starttls://HOST[:PORT]   STARTTLS required (587)
    smtps://HOST[:PORT]           TLS from the first byte (465)
    ...://USER:PASSWORD@HOST      AUTH with these credentials (percent-encoded in the URL)

Certificates are verified. Errors become ``MailDeliveryError``: transient (connection
refused or dropped, a timeout, a 4xx reply) or not (a 5xx reply: the server refused for good).
The credentials never appear in an error: aiosmtplib's messages hold the server's reply.
"""

from __future__ import annotations

import contextlib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib

from impl.services.mail import MailDeliveryError, MailMessage
from impl.settings import SmtpEndpoint

__all__ = ["SmtpMailer"]


class SmtpMailer:
    def __init__(self, endpoint: SmtpEndpoint, *, sender: str, timeout: float) -> None:
        self._endpoint = endpoint
        self._sender = sender
        self._timeout = timeout

    async def send(self, message: MailMessage) -> None:
        try:
            email = self._compose(message)
        except (ValueError, TypeError) as exc:  # e.g. a header that cannot be encoded
            raise MailDeliveryError(f"cannot compose: {exc}", transient=False) from None
        endpoint = self._endpoint
        client = aiosmtplib.SMTP(
            hostname=endpoint.host,
            port=endpoint.port,
            username=endpoint.username,
            password=endpoint.password,
            use_tls=endpoint.security == "tls",
            # False, not None: aiosmtplib's None upgrades whenever the server offers it,
            # which smtp:// does not promise; smtp+starttls:// insists on it.
            start_tls=endpoint.security == "starttls",
            timeout=self._timeout,
        )
        try:
            await client.connect()  # and STARTTLS, and AUTH when the URL has credentials
            await client.send_message(email)
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.quit()  # delivered: a failed goodbye changes nothing
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            transient = any(400 <= code < 500 for code in codes)
            raise MailDeliveryError(_describe(exc), transient=transient) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise MailDeliveryError(_describe(exc), transient=400 <= exc.code < 500) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            # Connection refused, reset or timed out, TLS failures, no STARTTLS offered:
            # the next attempt may well succeed (the server restarting, a network blip).
            raise MailDeliveryError(_describe(exc), transient=True) from None
        finally:
            # Not aiosmtplib.send: cancelled (the shutdown drain's bound), its context manager
            # says QUIT and waits up to SMTP_TIMEOUT for the reply. Close the socket instead.
            client.close()

    def _compose(self, message: MailMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(usegmt=True)
        email["Message-ID"] = make_msgid(domain=self._sender.rpartition("@")[2].strip("> "))
        email.set_content(message.text)
        return email


def _describe(exc: BaseException) -> str:
    """The error's class and text, for the log (never the credentials: not in either)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
