"""The ``make loadtest`` workload (Locust, headless; started by scripts/loadtest.py).

Each simulated user registers an account of its own and logs in, then, without pause, picks
weighted operations: list a page of items, read one of its items, create one, replace one
(PUT), delete one, and now and then log in again. Every answer is recorded, and so is every
write the server acknowledged, in a ledger that ``loadtest.py`` reads back after the run:

* per operation: each response time (ms) and the count of each status (0: no answer);
* per item created (201 with its id): the states it may be in now. An acknowledged write
  (2xx) leaves exactly one; a write answered 503 or 5xx, or not answered, may or may not have
  happened (a request cut off by REQUEST_TIMEOUT may have committed), so it adds its state
  to the possible ones; a 4xx changed nothing.

The ledger is written to ``LOADTEST_LEDGER`` when Locust quits.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, events, task

DELETED = "deleted"

_times: dict[str, list[float]] = defaultdict(list)
_statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
_items: dict[int, list[Any]] = {}  # id -> possible states: [name, price] or DELETED


def _record(
    *,
    name: str,
    response_time: float,
    response: Any = None,
    exception: Exception | None = None,
    **_kwargs: Any,
) -> None:
    status = int(getattr(response, "status_code", 0) or 0) if exception is None else 0
    _times[name].append(response_time)
    _statuses[name][status] += 1


def _write_ledger(**_kwargs: Any) -> None:
    path = os.environ.get("LOADTEST_LEDGER")
    if not path:
        return
    ledger = {
        "times": _times,
        "statuses": {name: dict(counts) for name, counts in _statuses.items()},
        "items": _items,
    }
    with open(path, "w", encoding="utf-8") as output:
        json.dump(ledger, output)


# Locust's event hooks are untyped: registered by calls rather than as decorators.
events.request.add_listener(_record)  # type: ignore[no-untyped-call]
events.quitting.add_listener(_write_ledger)  # type: ignore[no-untyped-call]


def _acknowledged(status: int) -> bool:
    return 200 <= status < 300


def _price() -> float:
    return (100 + secrets.randbelow(100_000)) / 100


def _maybe_done(status: int) -> bool:
    """The server may have done the work without telling us (503: the time limit)."""
    return status == 0 or status >= 500


class ApiUser(FastHttpUser):
    def on_start(self) -> None:
        self.username = f"lt{uuid.uuid4().hex[:16]}"
        self.password = f"load test {uuid.uuid4().hex}"
        self.token = ""
        self.mine: list[int] = []  # this user's items believed alive
        body = {
            "username": self.username,
            "email": f"{self.username}@example.com",
            "password": self.password,
        }
        while True:  # a 429/503 here means: come back; the run's clock bounds it
            with self.rest("POST", "/api/v1/auth/register", json=body, name="register") as r:
                if r.status_code in (201, 409):  # 409: an earlier, unanswered try worked
                    r.success()  # type: ignore[no-untyped-call]
                    break
                self._judge(r)
            self.wait_a_little()
        while not self.login():
            self.wait_a_little()

    def wait_a_little(self) -> None:
        time.sleep(0.5)  # cooperative: Locust monkey-patches the standard library for gevent

    def _judge(self, response: Any) -> None:
        """5xx other than 503 (and no answer) fail the run; the documented 429/503 do not."""
        status = int(response.status_code or 0)
        if status == 0 or (status >= 500 and status != 503):
            response.failure(f"status {status}")
        else:
            response.success()

    def login(self) -> bool:
        form = urlencode({"username": self.username, "password": self.password})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        with self.rest("POST", "/api/v1/auth/token", data=form, headers=headers, name="login") as r:
            self._judge(r)
            if r.status_code == 200 and r.js is not None:
                self.token = str(r.js["access_token"])
                return True
        return False

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @task(30)
    def list_items(self) -> None:
        offset = secrets.choice((0, 0, 0, 20, 40))
        with self.rest("GET", f"/api/v1/items?limit=20&skip={offset}", name="list") as r:
            self._judge(r)

    @task(40)
    def get_item(self) -> None:
        if not self.mine:
            self.create_item()
            return
        item_id = secrets.choice(self.mine)
        with self.rest("GET", f"/api/v1/items/{item_id}", name="get") as r:
            self._judge(r)
            if r.status_code == 404:
                r.failure(f"item {item_id}, acknowledged and not deleted, is 404")  # type: ignore[no-untyped-call]

    @task(25)
    def create_item(self) -> None:
        name, price = f"item {uuid.uuid4().hex[:8]}", _price()
        body = {"name": name, "price": price, "tags": ["load"]}
        with self.rest(
            "POST", "/api/v1/items", json=body, headers=self._auth(), name="create"
        ) as r:
            self._judge(r)
            if r.status_code == 201 and r.js is not None:
                item_id = int(r.js["id"])
                _items[item_id] = [[name, price]]
                self.mine.append(item_id)

    @task(20)
    def update_item(self) -> None:
        if not self.mine:
            self.create_item()
            return
        item_id = secrets.choice(self.mine)
        name, price = f"renamed {uuid.uuid4().hex[:8]}", _price()
        body = {"name": name, "price": price, "tags": ["load", "updated"]}
        with self.rest(
            "PUT", f"/api/v1/items/{item_id}", json=body, headers=self._auth(), name="update"
        ) as r:
            self._judge(r)
            status = int(r.status_code or 0)
            if _acknowledged(status):
                _items[item_id] = [[name, price]]
            elif _maybe_done(status):
                _items[item_id].append([name, price])

    @task(10)
    def delete_item(self) -> None:
        if not self.mine:
            self.create_item()
            return
        item_id = self.mine.pop(secrets.randbelow(len(self.mine)))
        with self.rest(
            "DELETE", f"/api/v1/items/{item_id}", headers=self._auth(), name="delete"
        ) as r:
            self._judge(r)
            status = int(r.status_code or 0)
            if _acknowledged(status):
                _items[item_id] = [DELETED]
            elif _maybe_done(status):
                _items[item_id].append(DELETED)
            else:
                self.mine.append(item_id)  # refused (429): still there

    @task(1)
    def login_again(self) -> None:
        self.login()
