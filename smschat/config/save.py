"""Writing the config file: TOML via tomli-w, atomically, readable by the owner only."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def save_config(path: Path | str, data: Mapping[str, Any]) -> Path:
    """Write `data` as TOML, atomically, readable by the owner only (0600). Returns the path."""
    import tomli_w

    target = Path(path).expanduser()
    text = tomli_w.dumps(dict(data))
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private from the first byte
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target
