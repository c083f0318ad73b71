"""Where smschat keeps its files. Each location can be overridden by an environment variable.

| what   | default (platformdirs)            | override            |
|--------|-----------------------------------|---------------------|
| config | user_config_path("smschat")/config.toml | SMSCHAT_CONFIG (a file) |
| data   | user_data_path("smschat")        | SMSCHAT_DATA_DIR    |
| logs   | user_log_path("smschat")         | SMSCHAT_LOG_DIR     |

Nothing is created at import time; callers create directories when they write.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "smschat"


def config_file() -> Path:
    override = os.environ.get("SMSCHAT_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP) / "config.toml"


def data_dir() -> Path:
    override = os.environ.get("SMSCHAT_DATA_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP)


def log_dir() -> Path:
    override = os.environ.get("SMSCHAT_LOG_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_log_path

    return user_log_path(APP)


def store_file(profile: str) -> Path:
    """The SQLite database of one profile."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in profile) or "default"
    return data_dir() / f"{safe}.sqlite3"
