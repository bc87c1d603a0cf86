"""Every request the emulator saw, so tests can assert what a command sent (e.g. `diff` writes nothing)."""

from __future__ import annotations

from dataclasses import dataclass

# POST routes that only read (reference 2.5, 2.7): they are not writes even though the method is POST.
READ_ONLY_POST_SUFFIXES = ("/_bulk_get", "/_bulk_resolve", "/_export", "/_find")


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str  # API path without the /s/{space} prefix
    space: str
    query: dict[str, list[str]]
    status: int | None  # None when the connection was dropped

    @property
    def is_write(self) -> bool:
        if self.method in ("GET", "HEAD", "OPTIONS"):
            return False
        return not self.path.rstrip("/").endswith(READ_ONLY_POST_SUFFIXES)
