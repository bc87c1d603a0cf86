"""Fault injection: slow responses, gateway/rate-limit failures and dropped connections, for retry tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DropMode = Literal["disconnect", "refuse"]
FAILURE_STATUSES = frozenset({429, 502, 503, 504})


class ConnectionDropped(Exception):
    """The adapter must end the connection without any response (or, in-process, raise the matching httpx error)."""

    def __init__(self, mode: DropMode) -> None:
        super().__init__(mode)
        self.mode = mode


@dataclass
class InjectedFailure:
    status: int
    retry_after: str | None


@dataclass
class _Armed:
    remaining: int
    path_prefix: str | None
    failure: InjectedFailure | None = None
    mode: DropMode = "disconnect"

    def applies_to(self, raw_path: str, api_path: str) -> bool:
        return self.remaining > 0 and (
            self.path_prefix is None
            or raw_path.startswith(self.path_prefix)
            or api_path.startswith(self.path_prefix))


class Faults:
    def __init__(self) -> None:
        self.latency_ms = 0
        self._failures: list[_Armed] = []
        self._drops: list[_Armed] = []

    def fail_next(self, count: int, status: int = 503, retry_after: int | str | None = None,
                  path_prefix: str | None = None) -> None:
        """The next `count` matching requests answer `status` (429/502/503/504) without reaching Kibana."""
        if status not in FAILURE_STATUSES:
            raise ValueError(f"status must be one of {sorted(FAILURE_STATUSES)}")
        retry = None if retry_after is None else str(retry_after)
        self._failures.append(_Armed(count, path_prefix, InjectedFailure(status, retry)))

    def drop_next(self, count: int, path_prefix: str | None = None, mode: DropMode = "disconnect") -> None:
        """The next `count` matching requests get no response at all: the connection is closed."""
        self._drops.append(_Armed(count, path_prefix, mode=mode))

    def clear(self) -> None:
        self.latency_ms = 0
        self._failures.clear()
        self._drops.clear()

    def take_drop(self, raw_path: str, api_path: str) -> DropMode | None:
        armed = _take(self._drops, raw_path, api_path)
        return armed.mode if armed else None

    def take_failure(self, raw_path: str, api_path: str) -> InjectedFailure | None:
        armed = _take(self._failures, raw_path, api_path)
        return armed.failure if armed else None


def _take(queue: list[_Armed], raw_path: str, api_path: str) -> _Armed | None:
    for armed in queue:
        if armed.applies_to(raw_path, api_path):
            armed.remaining -= 1
            return armed
    return None
