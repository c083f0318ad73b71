"""Turning a profile's secret source into the password: literal, environment variable, or command.

`password_command` runs without a shell (`shlex.split`), with a timeout; its first stdout line is the
secret. No message built here contains what the command printed on stdout.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping

from smschat.domain.errors import ConfigError
from smschat.domain.sanitize import sanitize_line

#: Seconds a `password_command` may take before it is abandoned.
PASSWORD_COMMAND_TIMEOUT = 20.0
SECRET_KEYS = ("password", "password_env", "password_command")


def resolve_secret(kind: str, value: str, env: Mapping[str, str], *, where: str, key: str) -> tuple[str, str]:
    """(password, source label) for secret key `kind` with its (non-empty) string `value`."""
    if kind == "password":
        return value, "password"
    if kind == "password_env":
        var = value.strip()
        secret = env.get(var, "")
        if not secret:
            state = "is empty" if var in env else "is not set"
            raise ConfigError(f"environment variable {var} {state}; export it with the password", path=where, key=key)
        return secret, f"password_env:{var}"
    if kind == "password_command":
        return run_password_command(value, where, key, env), "password_command"
    raise ValueError(f"unknown secret source {kind!r}")


def run_password_command(command: str, where: str, key: str, env: Mapping[str, str]) -> str:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"cannot parse the command: {exc}", path=where, key=key) from None
    if not argv:
        raise ConfigError("expected a command, got an empty string", path=where, key=key)
    shown = sanitize_line(argv[0], limit=80)
    try:
        done = subprocess.run(
            argv,
            shell=False,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=PASSWORD_COMMAND_TIMEOUT,
            env=dict(env),
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(f"command {shown!r} not found", path=where, key=key) from None
    except PermissionError:
        raise ConfigError(f"command {shown!r} is not executable", path=where, key=key) from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"command {shown!r} did not finish within {PASSWORD_COMMAND_TIMEOUT:g} s",
                          path=where, key=key) from None
    except OSError as exc:
        raise ConfigError(f"command {shown!r} could not run: {exc.strerror or exc}", path=where, key=key) from None
    if done.returncode != 0:
        # stderr may help; stdout never appears in a message (it could hold the secret).
        detail = sanitize_line(done.stderr.decode("utf-8", "replace").strip().splitlines()[0], limit=200) \
            if done.stderr.strip() else ""
        raise ConfigError(f"command {shown!r} failed with exit status {done.returncode}"
                          + (f": {detail}" if detail else ""), path=where, key=key)
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    secret = lines[0].strip() if lines else ""
    if not secret:
        raise ConfigError(f"command {shown!r} printed nothing on its first line; expected the password",
                          path=where, key=key)
    return secret
