"""The store holds customers' texts: on a shared host other users must not read it."""

from __future__ import annotations

import os
import stat

import pytest
from store_helpers import inbound

from smschat.store import Store

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_is_private_even_under_a_permissive_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "profiles" / "work.sqlite3"
        with Store.open(path) as store:
            store.upsert_messages([inbound("my card ends 4242")])
            wal = path.with_name(path.name + "-wal")
            assert wal.exists()
            assert mode(path) & 0o077 == 0
            assert mode(wal) & 0o077 == 0
        assert mode(path.parent) & 0o077 == 0
    finally:
        os.umask(old)


def test_an_existing_store_keeps_its_permissions(tmp_path):
    path = tmp_path / "shared.sqlite3"
    Store.open(path).close()
    os.chmod(path, 0o640)  # the owner chose to share it with a group
    Store.open(path).close()
    assert mode(path) == 0o640
