"""Password hashing: argon2id through libpass's ``CryptContext`` (the maintained passlib fork).

Hashing and verifying cost about 200 ms at production settings, so they run on a small thread
pool owned by the hasher, never on the event loop. Changing the cost in ``Settings`` makes
``verify_and_update`` return a new hash for old ones (rehash on login).
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Final

from passlib.context import CryptContext

if TYPE_CHECKING:
    from impl.settings import Settings

__all__ = ["PasswordHasher"]

_MIN_MEMORY_KIB_PER_LANE: Final = 8  # argon2: memory_cost >= 8 KiB * parallelism


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
        self._executor: ThreadPoolExecutor | None = None  # started on first use
        self.dummy_hash: Final[str] = self._hash_sync(os.urandom(16).hex())

    @classmethod
    def from_settings(cls, settings: Settings) -> PasswordHasher:
        return cls(
            memory_kib=settings.password_hash_memory_kib,
            time_cost=settings.password_hash_time_cost,
            parallelism=settings.password_hash_parallelism,
        )

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool(), self._hash_sync, password
        )

    async def verify_and_update(
        self, password: str, password_hash: str | None
    ) -> tuple[bool, str | None]:
        """``(matches, new_hash)``; ``new_hash`` is set when the stored hash's parameters are
        not the current ones. ``password_hash=None`` (no such user) takes the dummy path."""
        loop = asyncio.get_running_loop()
        if password_hash is None:
            await loop.run_in_executor(self._pool(), self._verify_sync, password, self.dummy_hash)
            return False, None
        return await loop.run_in_executor(self._pool(), self._verify_sync, password, password_hash)

    def close(self) -> None:
        """Stop the worker threads (the app's shutdown); a later hash starts new ones, so an
        app whose lifespan ends can be started again."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self._workers, thread_name_prefix="argon2"
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
