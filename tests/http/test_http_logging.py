from __future__ import annotations

import io
import json
import logging
import sys
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from impl.http import JsonFormatter, configure_logging, flush_logs
from impl.settings import Settings

TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    yield stream
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    logging.getLogger("uvicorn.access").disabled = False


def written(stream: io.StringIO) -> str:
    """What the log has written so far (lines are written by a thread of their own)."""
    flush_logs()
    return stream.getvalue()


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in written(stream).splitlines()]


def server_output(stream: io.StringIO) -> str:
    """The app's lines only: the test's own HTTP client (httpx) logs its request URLs."""
    return "\n".join(
        json.dumps(line) for line in lines(stream) if not line["logger"].startswith("httpx")
    )


def access_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in lines(stream) if line["logger"] == "impl.access"]


class TestAccessLog:
    async def test_one_json_line_per_request_with_the_contract_fields(
        self, client: httpx.AsyncClient, log_stream: io.StringIO
    ) -> None:
        response = await client.get("/things/7?secret=1", headers={"X-Request-ID": "req-1"})
        assert response.status_code == 200
        [line] = access_lines(log_stream)
        assert line["method"] == "GET"
        assert line["route"] == "/things/{thing_id}"
        assert line["path"] == "/things/7"
        assert line["status"] == 200
        assert line["request_id"] == "req-1"
        assert line["user_id"] is None
        assert line["client"] == "127.0.0.1"
        assert isinstance(line["duration_ms"], float)
        assert line["duration_ms"] >= 0
        assert line["level"] == "INFO"
        assert "secret" not in server_output(log_stream)  # no query string in logs

    async def test_unmatched_route_is_logged_with_null_route(
        self, client: httpx.AsyncClient, log_stream: io.StringIO
    ) -> None:
        await client.get("/nowhere")
        [line] = access_lines(log_stream)
        assert line["status"] == 404
        assert line["route"] is None

    async def test_user_id_set_by_the_auth_layer_is_logged(
        self, client: httpx.AsyncClient, log_stream: io.StringIO
    ) -> None:
        await client.get("/whoami")
        [line] = access_lines(log_stream)
        assert line["user_id"] == "user-42"

    async def test_credentials_never_reach_the_log(
        self, client: httpx.AsyncClient, log_stream: io.StringIO
    ) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}", "Cookie": f"session={TOKEN}"}
        await client.post("/echo", headers=headers, json={"x": "bad", "password": PASSWORD})
        await client.get("/boom", headers=headers)
        await client.get("/denied", headers=headers)
        output = written(log_stream)  # the client's lines too: it logs no headers either
        assert len(access_lines(log_stream)) == 3
        assert TOKEN not in output
        assert PASSWORD not in output
        assert "Bearer" not in output


class TestErrorLog:
    async def test_unhandled_error_is_logged_once_with_traceback_and_request_id(
        self, client: httpx.AsyncClient, log_stream: io.StringIO, leaky_message: str
    ) -> None:
        response = await client.get("/boom", headers={"X-Request-ID": "req-500"})
        errors = [line for line in lines(log_stream) if "exc_info" in line]
        assert len(errors) == 1
        [error] = errors
        assert error["level"] == "ERROR"
        assert error["request_id"] == "req-500"
        assert "Traceback" in error["exc_info"]
        assert "RuntimeError" in error["exc_info"]
        assert leaky_message in error["exc_info"]  # the details go to the log ...
        assert leaky_message not in response.text  # ... and never to the client
        [access] = access_lines(log_stream)
        assert access["status"] == 500
        assert access["level"] == "ERROR"

    async def test_a_traceback_never_quotes_the_input_of_a_validation_error(
        self, client: httpx.AsyncClient, log_stream: io.StringIO
    ) -> None:
        body = {"x": "not a number", "password": PASSWORD, "token": TOKEN}
        response = await client.post("/fails-after-validation", json=body)
        assert response.status_code == 500
        [error] = [line for line in lines(log_stream) if "exc_info" in line]
        trace = error["exc_info"]
        assert "pydantic_core._pydantic_core.ValidationError" in trace
        assert "x: int_parsing" in trace
        assert "RuntimeError: failed while handling invalid input" in trace
        assert "direct cause" in trace
        assert PASSWORD not in trace
        assert TOKEN not in written(log_stream)


class TestFormatter:
    def test_given_secrets_and_secret_shaped_text_are_redacted_everywhere(self) -> None:
        formatter = JsonFormatter(secrets=["the-signing-key-0123456789abcdef"])
        try:
            raise ValueError(
                "cannot connect to postgresql://app:dbpass@db/app with key "
                "the-signing-key-0123456789abcdef and token " + TOKEN
            )
        except ValueError:
            record = logging.makeLogRecord(
                {
                    "msg": "Authorization: Bearer %s",
                    "args": ("abc.def",),
                    "exc_info": sys.exc_info(),
                }
            )
        entry = formatter.format(record)
        for secret in ("the-signing-key-0123456789abcdef", "dbpass", TOKEN, "abc.def"):
            assert secret not in entry
        assert "[REDACTED]" in entry
        assert "postgresql://[REDACTED]@db/app" in entry

    def test_secret_looking_extra_fields_are_redacted(self) -> None:
        record = logging.makeLogRecord(
            {"msg": "login", "password": PASSWORD, "access_token": TOKEN, "username": "alice"}
        )
        entry = json.loads(JsonFormatter().format(record))
        assert entry["password"] == "[REDACTED]"
        assert entry["access_token"] == "[REDACTED]"
        assert entry["username"] == "alice"
        assert entry["message"] == "login"
        assert entry["timestamp"].endswith("+00:00")

    def test_uvicorn_colour_copy_of_the_message_is_dropped(self) -> None:
        record = logging.makeLogRecord({"msg": "started", "color_message": "\x1b[36mstarted"})
        assert "color_message" not in json.loads(JsonFormatter().format(record))

    def test_configure_logging_is_idempotent(
        self, log_stream: io.StringIO, settings: Settings
    ) -> None:
        configure_logging(settings.log_level, stream=log_stream)
        ours = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
        assert len(ours) == 1
        logging.getLogger("some.module").info("hello %s", "world")
        assert [line["message"] for line in lines(log_stream)] == ["hello world"]


class _BlockedStream(io.StringIO):
    """A stdout whose writes wait until ``unblock`` is set (a full pipe, a stuck terminal)."""

    def __init__(self) -> None:
        super().__init__()
        self.unblock = threading.Event()

    def write(self, text: str) -> int:
        self.unblock.wait()
        return super().write(text)


class TestWriter:
    """Lines are written by a thread of their own (issue 9): never lost, never reordered,
    and the thread that logs does not wait for the stream."""

    def test_every_line_of_every_thread_is_written_in_order(self, log_stream: io.StringIO) -> None:
        def log_many(name: str) -> None:
            for n in range(500):
                logging.getLogger("writer.test").info("%s %d", name, n)

        threads = [threading.Thread(target=log_many, args=(f"t{i}",)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        messages = [line["message"] for line in lines(log_stream)]
        for i in range(4):
            assert [m for m in messages if m.startswith(f"t{i} ")] == [
                f"t{i} {n}" for n in range(500)
            ]

    def test_replacing_the_handler_writes_what_it_had_queued(self, log_stream: io.StringIO) -> None:
        for n in range(1000):
            logging.getLogger("writer.test").info("line %d", n)
        configure_logging("INFO", stream=io.StringIO())  # closes the handler writing log_stream
        written_lines = log_stream.getvalue().splitlines()  # no flush: close() wrote them
        assert [json.loads(line)["message"] for line in written_lines] == [
            f"line {n}" for n in range(1000)
        ]

    def test_logging_does_not_wait_for_a_blocked_stream(self, log_stream: io.StringIO) -> None:
        blocked = _BlockedStream()
        configure_logging("INFO", stream=blocked)
        logged = threading.Event()

        def log_two() -> None:
            logging.getLogger("writer.test").info("first")
            logging.getLogger("writer.test").info("second")
            logged.set()

        logger_thread = threading.Thread(target=log_two, daemon=True)
        logger_thread.start()
        # A deadlock guard, not a timing assertion: with writes in the logging thread it
        # would wait here until unblock is set, which happens only below.
        assert logged.wait(timeout=30)
        blocked.unblock.set()
        flush_logs()
        assert [json.loads(line)["message"] for line in blocked.getvalue().splitlines()] == [
            "first",
            "second",
        ]
