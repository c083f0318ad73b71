"""Sync: the only writer from the network into the store (pull, status polling, outbox sends)."""

from smschat.sync.engine import CURSOR, SyncEngine
from smschat.sync.retry import RetryPolicy
from smschat.sync.sender import InvalidSend

__all__ = ["CURSOR", "InvalidSend", "RetryPolicy", "SyncEngine"]
