"""PasswordHasher: argon2id, off the event loop, the dummy path, rehash on new parameters."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Iterator

import pytest

from impl.errors import ServiceUnavailable
from impl.security import PasswordHasher
from impl.security.passwords import HASH_THREAD_NICENESS, HASHING_BUSY
from impl.settings import Settings
from tests.factories import TEST_HASH_COST


@pytest.fixture
def stronger() -> Iterator[PasswordHasher]:
    """Other parameters than the suite's: its hashes need an update under the suite's hasher."""
    running = PasswordHasher(memory_kib=16, time_cost=2, parallelism=2)
    yield running
    running.close()


async def test_hash_is_argon2id_with_the_configured_cost(hasher: PasswordHasher) -> None:
    hashed = await hasher.hash("s3cret-password")

    assert hashed.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert await hasher.verify_and_update("s3cret-password", hashed) == (True, None)


async def test_wrong_password_does_not_match(hasher: PasswordHasher) -> None:
    hashed = await hasher.hash("s3cret-password")

    assert await hasher.verify_and_update("S3cret-password", hashed) == (False, None)


async def test_same_password_gets_a_new_salt(hasher: PasswordHasher) -> None:
    assert await hasher.hash("same") != await hasher.hash("same")


async def test_long_and_unicode_passwords(hasher: PasswordHasher) -> None:
    # The contract allows 128 characters (bcrypt's 72-byte limit would not).
    password = "pässwörd-🔑-" * 11
    hashed = await hasher.hash(password)

    assert await hasher.verify_and_update(password, hashed) == (True, None)
    assert (await hasher.verify_and_update(password[:-1], hashed))[0] is False


async def test_no_hash_takes_the_dummy_path(
    hasher: PasswordHasher, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    original = hasher._verify_sync

    def spy(password: str, password_hash: str) -> tuple[bool, str | None]:
        verified.append(password_hash)
        return original(password, password_hash)

    monkeypatch.setattr(hasher, "_verify_sync", spy)

    assert await hasher.verify_and_update("anything", None) == (False, None)
    assert verified == [hasher.dummy_hash]


async def test_dummy_hash_has_the_real_cost(hasher: PasswordHasher) -> None:
    real = await hasher.hash("x")

    assert hasher.dummy_hash.split("$")[:4] == real.split("$")[:4]


async def test_parameters_changed_means_a_new_hash(
    hasher: PasswordHasher, stronger: PasswordHasher
) -> None:
    old = await stronger.hash("s3cret-password")

    matches, new_hash = await hasher.verify_and_update("s3cret-password", old)

    assert matches is True
    assert new_hash is not None
    assert new_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert await hasher.verify_and_update("s3cret-password", new_hash) == (True, None)


async def test_no_new_hash_for_a_wrong_password(
    hasher: PasswordHasher, stronger: PasswordHasher
) -> None:
    old = await stronger.hash("s3cret-password")

    assert await hasher.verify_and_update("wrong", old) == (False, None)


@pytest.mark.parametrize("stored", ["", "not-a-hash", "$2b$12$abcdefghijklmnopqrstuv"])
async def test_unusable_stored_hash_never_matches(hasher: PasswordHasher, stored: str) -> None:
    assert await hasher.verify_and_update("anything", stored) == (False, None)


async def test_hashing_runs_off_the_event_loop(
    hasher: PasswordHasher, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    original = hasher._hash_sync

    def spy(password: str) -> str:
        threads.append(threading.current_thread().name)
        return original(password)

    monkeypatch.setattr(hasher, "_hash_sync", spy)

    await hasher.hash("x")

    assert threads
    assert threads[0].startswith("argon2")


def test_memory_below_argon2_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="8 KiB x parallelism"):
        PasswordHasher(memory_kib=8, time_cost=1, parallelism=2)


async def test_from_settings_uses_the_configured_cost() -> None:
    settings = Settings(
        environment="test",
        secret_key="s" * 32,
        password_hash_memory_kib=TEST_HASH_COST["memory_kib"] * 2,
        password_hash_time_cost=2,
        password_hash_parallelism=1,
    )
    from_settings = PasswordHasher.from_settings(settings)
    try:
        assert (await from_settings.hash("x")).startswith("$argon2id$v=19$m=16,t=2,p=1$")
    finally:
        from_settings.close()


async def test_a_closed_hasher_works_again_so_an_app_can_restart() -> None:
    hasher = PasswordHasher(**TEST_HASH_COST)
    first = await hasher.hash("correct horse")
    hasher.close()  # the app's lifespan ended
    assert (await hasher.verify_and_update("correct horse", first))[0] is True
    hasher.close()


class TestStarvation:
    """Issue 9: hashing never starves the event loop, and never queues without bound."""

    @pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's (issue 9)"
    )
    async def test_hashing_threads_run_at_a_lower_priority_than_the_loop(
        self, hasher: PasswordHasher, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        niceness: list[int] = []
        original = hasher._hash_sync

        def spy(password: str) -> str:
            niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            return original(password)

        monkeypatch.setattr(hasher, "_hash_sync", spy)
        loop_niceness = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

        await hasher.hash("x")

        assert niceness == [min(19, loop_niceness + HASH_THREAD_NICENESS)]
        # The event loop's thread (and so the process's other threads) kept its priority.
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == loop_niceness

    async def test_beyond_max_pending_a_hash_is_refused_at_once_with_503(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        hasher = PasswordHasher(**TEST_HASH_COST, max_workers=1, max_pending=2)
        release = threading.Event()
        original = hasher._hash_sync

        def blocked(password: str) -> str:
            release.wait(timeout=10)
            return original(password)

        monkeypatch.setattr(hasher, "_hash_sync", blocked)
        try:
            running = asyncio.ensure_future(hasher.hash("a"))  # takes the one thread
            queued = asyncio.ensure_future(hasher.hash("b"))  # waits for it
            await asyncio.sleep(0.05)
            assert hasher.pending == 2

            with pytest.raises(ServiceUnavailable) as refused:
                await hasher.verify_and_update("c", None)
            assert refused.value.status_code == 503
            assert refused.value.headers == {"Retry-After": "1"}
            assert refused.value.detail == HASHING_BUSY

            release.set()
            assert all(await asyncio.gather(running, queued))
            assert hasher.pending == 0
            assert (await hasher.verify_and_update("c", None)) == (False, None)  # room again
        finally:
            release.set()
            hasher.close()

    async def test_an_abandoned_hash_holds_its_slot_until_its_thread_is_done(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        hasher = PasswordHasher(**TEST_HASH_COST, max_workers=1, max_pending=1)
        release = threading.Event()
        finished = threading.Event()
        original = hasher._hash_sync

        def blocked(password: str) -> str:
            release.wait(timeout=10)
            try:
                return original(password)
            finally:
                finished.set()

        monkeypatch.setattr(hasher, "_hash_sync", blocked)
        try:
            caller = asyncio.ensure_future(hasher.hash("a"))
            await asyncio.sleep(0.05)
            caller.cancel()  # the client went away; the thread still hashes
            with pytest.raises(asyncio.CancelledError):
                await caller
            with pytest.raises(ServiceUnavailable):
                await hasher.hash("b")

            release.set()
            await asyncio.to_thread(finished.wait, 10)
            for _ in range(100):  # the done-callback runs right after the function returns
                if hasher.pending == 0:
                    break
                await asyncio.sleep(0.01)
            assert hasher.pending == 0
        finally:
            release.set()
            hasher.close()

    def test_max_pending_comes_from_the_settings(self) -> None:
        settings = Settings(
            environment="test",
            secret_key="s" * 32,
            password_hash_memory_kib=8,
            password_hash_time_cost=1,
            password_hash_parallelism=1,
            password_hash_max_pending=3,
        )
        from_settings = PasswordHasher.from_settings(settings)
        assert from_settings._max_pending == 3
        from_settings.close()
