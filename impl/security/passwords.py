"""Password hashing: argon2id through libpass's ``CryptContext`` (the maintained passlib fork).

Hashing and verifying cost about 200 ms at production settings, so they run on a small thread
pool owned by the hasher, never on the event loop. Changing the cost in ``Settings`` makes
``verify_and_update`` return a new hash for old ones (rehash on login).

A login burst must not starve every other request (issue 9: 16 readers fell from 508 to 31
requests/s with p99 726 ms while 8 clients logged in). Two rules keep it from doing so:

* **Lower priority.** The pool's threads lower their own OS priority when they start
  (``os.setpriority`` on the thread's id: Linux keeps a nice value per thread, and the
  threads argon2 starts for its lanes inherit it). The event loop's thread keeps its own, so
  the scheduler gives it the core whenever it has work; hashing gets what is left.
* **A bound.** At most ``max_pending`` hashes are running or waiting for a thread; one more
  is refused at once with ``ServiceUnavailable`` (503, ``Retry-After: 1``) instead of joining
  a queue whose wait would exceed any client's patience. A slot is released when its hash has
  finished in its thread, not when the caller gives up, so abandoned requests still count.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Final, TypeVar

from passlib.context import CryptContext

from impl.errors import ServiceUnavailable

if TYPE_CHECKING:
    from impl.settings import Settings

__all__ = ["HASHING_BUSY", "HASH_THREAD_NICENESS", "PasswordHasher"]

_MIN_MEMORY_KIB_PER_LANE: Final = 8  # argon2: memory_cost >= 8 KiB * parallelism
HASH_THREAD_NICENESS: Final = 19
"""How much lower (in nice steps) the hashing threads run than the process. Linux weighs
threads, not processes: at +19 each hashing thread (and each of argon2's lane threads) weighs
15 against the event loop's 1,024, so even two hashes of four lanes (eight threads) take only
about a tenth of a core the loop wants; at +10 (weight 110) they would take nearly half."""
HASHING_BUSY: Final = "Too many password checks in progress; retry shortly"
_RETRY_AFTER_SECONDS: Final = 1

_logger = logging.getLogger(__name__)
_T = TypeVar("_T")


def _lower_thread_priority() -> None:
    """The pool's thread initializer: lower this thread's priority only (Linux)."""
    if not sys.platform.startswith("linux"):
        return  # elsewhere setpriority(PRIO_PROCESS) would renice the whole process
    try:
        thread_id = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread_id)
        os.setpriority(os.PRIO_PROCESS, thread_id, min(19, current + HASH_THREAD_NICENESS))
    except OSError:  # pragma: no cover - lowering one's own priority is always allowed
        _logger.warning("could not lower the password hashing threads' priority")


class PasswordHasher:
    """``hash`` and ``verify_and_update``, off the event loop.

    ``verify_and_update(password, None)`` verifies against a precomputed dummy hash made with
    the same parameters and answers ``(False, None)``: a login for a username that does not
    exist costs the same as one with a wrong password.
    """

    def __init__(
        self,
        *,
        memory_kib: int,
        time_cost: int,
        parallelism: int,
        max_workers: int | None = None,
        max_pending: int | None = None,
    ) -> None:
        if memory_kib < _MIN_MEMORY_KIB_PER_LANE * parallelism:
            raise ValueError(
                f"argon2 needs memory >= {_MIN_MEMORY_KIB_PER_LANE} KiB x parallelism "
                f"({memory_kib} < {_MIN_MEMORY_KIB_PER_LANE} x {parallelism})"
            )
        self._context = CryptContext(
            schemes=["argon2"],
            deprecated="auto",
            argon2__type="ID",
            argon2__memory_cost=memory_kib,
            argon2__rounds=time_cost,
            argon2__parallelism=parallelism,
        )
        # Bounded: each verification holds `memory_kib` of RAM while it runs.
        self._workers = max_workers if max_workers is not None else min(4, os.cpu_count() or 1)
        self._max_pending = max_pending if max_pending is not None else 64
        if self._max_pending < 1:
            raise ValueError("max_pending must be at least 1")
        self._pending = 0
        self._pending_lock = threading.Lock()  # released from the worker threads
        self._executor: ThreadPoolExecutor | None = None  # started on first use
        self.dummy_hash: Final[str] = self._hash_sync(os.urandom(16).hex())

    @classmethod
    def from_settings(cls, settings: Settings) -> PasswordHasher:
        return cls(
            memory_kib=settings.password_hash_memory_kib,
            time_cost=settings.password_hash_time_cost,
            parallelism=settings.password_hash_parallelism,
            max_pending=settings.password_hash_max_pending,
        )

    @property
    def pending(self) -> int:
        """Hashes running or waiting for a thread right now."""
        return self._pending

    async def hash(self, password: str) -> str:
        """Raises ``ServiceUnavailable`` (503) when ``max_pending`` hashes are in progress."""
        return await self._run(self._hash_sync, password)

    async def verify_and_update(
        self, password: str, password_hash: str | None
    ) -> tuple[bool, str | None]:
        """``(matches, new_hash)``; ``new_hash`` is set when the stored hash's parameters are
        not the current ones. ``password_hash=None`` (no such user) takes the dummy path.
        Raises ``ServiceUnavailable`` (503) when ``max_pending`` hashes are in progress."""
        if password_hash is None:
            await self._run(self._verify_sync, password, self.dummy_hash)
            return False, None
        return await self._run(self._verify_sync, password, password_hash)

    def close(self) -> None:
        """Stop the worker threads (the app's shutdown); a later hash starts new ones, so an
        app whose lifespan ends can be started again."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    async def _run(self, function: Callable[..., _T], *args: str) -> _T:
        with self._pending_lock:
            if self._pending >= self._max_pending:
                raise ServiceUnavailable(
                    HASHING_BUSY, headers={"Retry-After": str(_RETRY_AFTER_SECONDS)}
                )
            self._pending += 1
        try:
            future = self._pool().submit(function, *args)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(self._release)
        return await asyncio.wrap_future(future)

    def _release(self, _future: object = None) -> None:
        with self._pending_lock:
            self._pending -= 1

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self._workers,
                thread_name_prefix="argon2",
                initializer=_lower_thread_priority,
            )
        return self._executor

    def _hash_sync(self, password: str) -> str:
        result: str = self._context.hash(password)
        return result

    def _verify_sync(self, password: str, password_hash: str) -> tuple[bool, str | None]:
        try:
            matches, new_hash = self._context.verify_and_update(password, password_hash)
        except ValueError:
            # Not a hash this context knows (corrupt row, foreign scheme): never a match.
            return False, None
        return bool(matches), new_hash
