"""`smschat config init`: create (or replace) a profile, tested against the API before it is saved.

On a terminal it asks for what the flags did not give (the password with `getpass`, never echoed).
For scripts everything comes from flags; the password only from `--password-stdin` (its first line),
`--password-env VAR` or `--password-command CMD`, never from an argument. With the last two the file
stores the reference (`password_env` / `password_command`), not the secret; a typed or piped password
is stored in the file, which is written readable by its owner only (0600).
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from smschat.cli.context import Context, UsageError
from smschat.config.build import FORMAT_PROVIDERS, available_providers, credential_labels
from smschat.domain.errors import ConfigError
from smschat.domain.sanitize import sanitize_line

T = TypeVar("T")
ATTEMPTS = 3


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def read_line(ctx: Context, prompt: str) -> str:
    ctx.err.write(prompt)
    ctx.err.flush()
    line = sys.stdin.readline()
    if not line:
        raise UsageError("config init: no answer (end of input); nothing was saved")
    return line.rstrip("\r\n")


def read_secret(ctx: Context, prompt: str) -> str:
    return getpass.getpass(prompt, stream=ctx.err)


class Asker:
    """Fills in what the flags left out: asks on a terminal, else says which flag is missing."""

    def __init__(self, ctx: Context, interactive: bool) -> None:
        self.ctx = ctx
        self.interactive = interactive

    def value(self, given: Any, prompt: str, flag: str, *, default: str = "",
              check: Callable[[str], T] = lambda text: text) -> T:  # type: ignore[assignment,return-value]
        if given:
            return check(given)
        if not self.interactive:
            if default:
                return check(default)
            raise UsageError(f"{flag} is required when stdin is not a terminal")
        for attempt in range(ATTEMPTS):
            shown = f"{prompt} [{default}]: " if default else f"{prompt}: "
            text = read_line(self.ctx, shown).strip() or default
            if not text:
                self.ctx.note("  (required)")
                continue
            try:
                return check(text)
            except (ConfigError, UsageError) as exc:
                self.ctx.note(f"  {sanitize_line(str(exc), limit=300)}")
        raise UsageError(f"{flag}: no usable answer after {ATTEMPTS} tries; nothing was saved")

    def yes(self, prompt: str) -> bool:
        if not self.interactive:
            return True
        return read_line(self.ctx, f"{prompt} [y/N]: ").strip().lower() in ("y", "yes")


def _password_from_stdin(ctx: Context) -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise UsageError("--password-stdin: stdin was empty; pipe the password in, e.g. `pass show plum | smschat config init ...`")
    return line


def _format(text: str) -> str:
    from smschat.config import FORMATS

    value = text.strip().lower()
    if value not in FORMATS:
        raise UsageError(f"--format: expected json or xml, got {sanitize_line(text, limit=40)!r}")
    return value


def _provider(text: str) -> str:
    value = text.strip().lower()
    usable = available_providers()
    if value not in usable:
        raise UsageError(f"--provider: expected {' or '.join(usable)}, got {sanitize_line(text, limit=40)!r}")
    return value


def _backup(path: Path) -> Path | None:
    """A private copy of the file about to be rewritten (comments in it are not carried over)."""
    if not path.is_file():
        return None
    target = path.with_name(path.name + ".bak")
    data = path.read_bytes()
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    return target


class Cancelled(Exception):
    """The person said no."""


def gather(ctx: Context, doc: dict[str, Any], path: Path, interactive: bool):  # noqa: ANN201 - ProfileInput
    """The new profile from flags and (on a terminal) answers."""
    from smschat.config import DEFAULT_BASE_URLS
    from smschat.config.build import DEFAULT_PROFILE_NAME, ProfileInput, check_name, parse_numbers

    args = ctx.args
    ask = Asker(ctx, interactive)
    given = ProfileInput()
    given.name = ask.value(args.profile, "Profile name", "--profile", default=DEFAULT_PROFILE_NAME, check=check_name)
    profiles = doc.get("profiles")
    if interactive and isinstance(profiles, dict) and given.name in profiles:
        if not ask.yes(f"Profile {given.name!r} already exists in {path}; replace it?"):
            raise Cancelled()
    usable = available_providers()
    if args.provider or len(usable) > 1:
        given.provider = ask.value(args.provider, f"Provider ({'/'.join(usable)})", "--provider",
                                   default="plum", check=_provider)
    given.base_url = ask.value(args.base_url, "Base URL", "--base-url",
                               default=DEFAULT_BASE_URLS[given.provider], check=_base_url(args))
    if given.provider in FORMAT_PROVIDERS:
        given.format = ask.value(args.format, "Wire format (json/xml)", "--format", default="json", check=_format)
    user_label, password_label = credential_labels(given.provider)
    given.username = ask.value(args.username, user_label, "--username", check=str.strip)
    given.numbers = ask.value(list(args.number or []), "SMS numbers (comma-separated; the first is the default sender)",
                              "--number", check=lambda v: parse_numbers(v, key="--number"))
    given.allow_insecure = bool(args.allow_insecure)
    if args.ca_bundle:
        from smschat.config import check_ca_bundle

        given.ca_bundle = check_ca_bundle(args.ca_bundle, key="--ca-bundle")
    if args.password_env:
        given.password_env = args.password_env
    elif args.password_command:
        given.password_command = args.password_command
    elif args.password_stdin:
        given.password = _password_from_stdin(ctx)
    elif interactive:
        given.password = read_secret(
            ctx, f"{password_label} (not shown; stored in the config file, readable by you only): ")
        if not given.password:
            raise UsageError("config init: the password is empty; nothing was saved")
    else:
        raise UsageError("give the password with --password-stdin, --password-env VAR or --password-command CMD "
                         "(never as an argument)")
    if given.password:
        ctx.secrets.append(given.password)
    return given


def _base_url(args: Any) -> Callable[[str], str]:
    from smschat.config import check_url

    return lambda text: check_url(text.strip(), bool(args.allow_insecure), key="--base-url")


def run_config_init(ctx: Context) -> int:
    from smschat.config import config_path, save_config
    from smschat.config.build import existing_document, merge_profile, profile_table, validate_input
    from smschat.config.check import CheckError, check_credentials

    path = config_path(getattr(ctx.args, "config", None), ctx.env)
    doc = existing_document(path)
    interactive = is_interactive() and not ctx.args.password_stdin
    try:
        given = gather(ctx, doc, path, interactive)
    except Cancelled:
        ctx.note("smschat: nothing was saved")
        return 1
    merged, replaced = merge_profile(doc, given.name, profile_table(given), make_default=ctx.args.make_default)
    profile = validate_input(merged, given.name, path, ctx.env)
    if profile.password:
        ctx.secrets.append(profile.password)
    notes: list[str] = []
    if not ctx.args.no_check:
        if not ctx.json:
            ctx.note(f"testing the credentials against {profile.base_url} …")
        try:
            result = asyncio.run(check_credentials(profile))
        except CheckError as exc:
            ctx.note(f"smschat: config init: {sanitize_line(ctx.scrub(str(exc)), limit=600)}")
            ctx.note(f"smschat: nothing was saved to {path}")
            return 1
        notes = result.notes()
    backup = _backup(path) if doc else None
    save_config(path, merged)
    for note in notes:
        ctx.warn(note)
    if ctx.json:
        ctx.emit_json({"path": str(path), "profile": given.name, "replaced": replaced,
                       "default_profile": merged["default_profile"], "checked": not ctx.args.no_check,
                       "backup": str(backup) if backup else None, "notes": notes})
        return 0
    verb = "Replaced" if replaced else "Saved"
    ctx.print(f"{verb} profile {given.name!r} in {path} (readable by you only).")
    if backup:
        ctx.print(f"The previous file is kept as {backup}.")
    if merged["default_profile"] == given.name:
        ctx.print("It is the default profile; try `smschat contacts` or `smschat`.")
    else:
        ctx.print(f"Use it with `smschat --profile {given.name}`.")
    if given.password:
        ctx.print("The password is stored in that file; to keep it out, use --password-env or --password-command.")
    return 0

