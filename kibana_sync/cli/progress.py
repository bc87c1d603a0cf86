"""Progress of long work on a terminal, nothing in a CI log: click's convention of decorating output only when it
goes to a terminal. The bar goes to stderr, so stdout stays what the command prints (a report, JSON)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import TextIO, TypeVar

import click

T = TypeVar("T")

# Fewer items than this finish before a bar is worth drawing.
MIN_ITEMS = 20


def is_terminal(stream: TextIO) -> bool:
    return stream.isatty()


def with_progress(items: Sequence[T], label: str, stream: TextIO | None = None) -> Iterator[T]:
    """Yield ``items``; while they are consumed, a bar with the count is drawn on ``stream`` (stderr) when it is a
    terminal and there are at least MIN_ITEMS, and the bar is cleared at the end."""
    stream = stream if stream is not None else sys.stderr
    if len(items) < MIN_ITEMS or not is_terminal(stream):
        yield from items
        return
    with click.progressbar(items, label=label, file=stream, show_pos=True, show_percent=False,
                           item_show_func=None) as bar:
        yield from bar
