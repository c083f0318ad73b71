"""Messages that cross the whole app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class StoreChanged(Message):
    """The store has new data for these conversations (empty set: reload everything)."""

    keys: frozenset[tuple[str, str]]


@dataclass
class SyncProgress(Message):
    done: int
    total: int
