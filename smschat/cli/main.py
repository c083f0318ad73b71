"""`smschat`: the parser, the dispatch, and the one place errors become messages and exit codes.

Exit codes: 0 success; 1 the API or the network failed (or a message was not delivered with
`send --wait`); 2 usage or configuration error; 130 interrupted. No traceback reaches the terminal:
an unexpected error prints one line and its traceback goes to a log file in `smschat.paths.log_dir()`.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from smschat import __version__
from smschat.cli.context import Context, UsageError, utc_now
from smschat.domain.errors import ApiError, AuthError, ConfigError, SendOutcomeUnknown, SmsError
from smschat.domain.sanitize import sanitize_line

EPILOG = """\
examples:
  smschat --demo                          try the chat screen on a built-in simulator
  smschat --demo --provider plivo         the same on Plivo, texts arriving through the receiver
  smschat                                 open the chat screen on the default profile
  smschat contacts                        every conversation, newest first
  smschat conversation 2435678910         one thread, oldest first
  smschat export 2435678910 -o t.csv      one thread to a file (--format text, json or csv)
  smschat send --to 2435678910 --body "On my way" --wait
  echo "hello" | smschat send --to 2435678910 --body -
  smschat --json status ID                machine-readable output
  smschat simulate                        run the Plum simulator for testing
  smschat receive                         run the receiver providers post texts to (see receive --help)
  smschat config init                     set up an account (asks on a terminal)

exit codes: 0 ok, 1 API/network failure or not delivered, 2 usage/config error, 130 interrupted
config: --config PATH, else $SMSCHAT_CONFIG, else the path `smschat config path` prints
"""

CONFIG_EPILOG = """\
config file layout (TOML):
  default_profile = "work"

  [profiles.work]
  provider = "plum"
  base_url = "https://hosting.plumvoice.com/ws/sms"
  format = "json"                      # or "xml"
  username = "me"
  password_command = "pass show plum"  # or password_env = "VAR", or password = "..."
  numbers = ["2435678910"]             # your SMS numbers; the first is the default sender
  # timeout = 15                       # seconds per request
  # allow_insecure = true              # allow http:// to a host other than this machine

keep a file with a literal password private: chmod 600
"""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of 1 or more, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"expected seconds between 0 and 86400, got {text}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port between 0 and 65535, got {value}")
    return value


def _demo_provider(text: str) -> str:
    from smschat.demo import DEMO_PROVIDERS

    name = text.strip().lower()
    if name not in DEMO_PROVIDERS:
        raise argparse.ArgumentTypeError(f"expected {' or '.join(DEMO_PROVIDERS)}, got {text!r}")
    return name


def _common_options(parser: argparse.ArgumentParser, default: object) -> None:
    """The global options; accepted before or after the command."""
    parser.add_argument("--config", metavar="PATH", default=default,
                        help="config file (default: $SMSCHAT_CONFIG, else `smschat config path`)")
    parser.add_argument("--profile", metavar="NAME", default=default, help="profile to use (default: default_profile)")
    parser.add_argument("--json", action="store_true", default=default, help="machine-readable JSON output")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="smschat",
        description="Keyboard-first SMS chat for support agents. Without a command: the chat screen.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    _common_options(parser, None)
    parser.set_defaults(json=False, command=None)
    parser.add_argument("--demo", action="store_true", help="open the chat screen on a built-in simulated account")
    parser.add_argument("--provider", metavar="NAME", type=_demo_provider, default=None, dest="demo_provider",
                        help="with --demo: the provider to simulate, plum (default) or plivo (with the receiver)")
    parser.add_argument("--version", action="version", version=f"smschat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common], allow_abbrev=False)

    p = add("contacts", "list conversations, one per customer number, newest activity first")
    p.add_argument("--account", metavar="N", action="append",
                   help="only conversations on this account number (repeatable)")

    p = add("conversation", "show the thread with one customer, oldest to newest")
    p.add_argument("number", metavar="NUMBER", help="the customer's phone number")
    p.add_argument("--account", metavar="N", help="the account number (default: the profile's first number)")
    p.add_argument("--limit", metavar="N", type=_positive_int, default=50, help="newest N messages (default 50)")

    p = add("send", "send a text; prints the queued id(s), one per SMS part")
    p.add_argument("--to", metavar="N", required=True, help="the customer's phone number")
    p.add_argument("--body", metavar="TEXT", required=True, help="the message; - reads it from stdin")
    p.add_argument("--from", metavar="N", dest="from_number", help="sender (default: the profile's first number)")
    p.add_argument("--wait", action="store_true", help="wait until every part has a final delivery status")
    p.add_argument("--timeout", metavar="S", type=_seconds, help="give up waiting after S seconds (default 120)")

    p = add("status", "show the status and delivery of messages by id")
    p.add_argument("ids", metavar="ID", nargs="+", help="message id (32 hex digits)")

    p = add("simulate", "run the Plum API simulator in the foreground (for testing and demos)")
    p.add_argument("--port", type=_port, default=None, help="port to listen on (default 8025; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--username", metavar="U", help="user name the simulator accepts (default: demo)")
    p.add_argument("--password-env", metavar="VAR", help="read the password it accepts from $VAR (default: demo)")
    p.add_argument("--quiet-customers", action="store_true", help="no simulated customers texting in")
    p.add_argument("--format", choices=("json", "xml"), default="json", help="wire format of the printed profile")

    from smschat.cli.commands.receive import DESCRIPTION as RECEIVE_HELP, add_arguments as receive_arguments

    receive_arguments(add("receive", RECEIVE_HELP))

    from smschat.cli.commands.export import DESCRIPTION as EXPORT_HELP, add_arguments as export_arguments

    export_arguments(add("export", EXPORT_HELP))

    p = add("config", "set up a profile, show the active one, or where the config file is")
    p.epilog = CONFIG_EPILOG
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    config_sub = p.add_subparsers(dest="config_command", metavar="ACTION", title="actions", required=True)
    config_sub.add_parser("show", help="the active profile, password masked", parents=[common])
    config_sub.add_parser("path", help="the config file path", parents=[common])
    _init_parser(config_sub, common)
    return parser


INIT_EPILOG = """\
On a terminal, init asks for anything the flags leave out (the password is not echoed).
Without a terminal every value comes from flags, and the password from exactly one of
--password-stdin, --password-env or --password-command (never as an argument).
The credentials are tested with one request before anything is saved. With --password-env or
--password-command the file stores that reference, not the password; a password typed or piped in
is stored in the file, which is written readable by you only (mode 0600). Other profiles in the file
are kept (the old file is copied to FILE.bak; comments are not carried over).

examples:
  smschat config init
  pass show plum | smschat config init --profile work --username me --number 2435678910 --password-stdin
  smschat config init --profile work --username me --number 2435678910 --number 2435670000 \\
      --password-command "pass show plum"
"""


class _RefusePassword(argparse.Action):
    """`--password X` is refused without repeating X (it would be in the shell history and `ps`)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        parser.error("--password: a password is never taken as an argument (it would show in `ps` and the "
                     "shell history); use --password-stdin, --password-env VAR or --password-command CMD")


def _init_parser(config_sub: Any, common: argparse.ArgumentParser) -> None:
    from smschat.config import DEFAULT_BASE_URLS, FORMATS

    p = config_sub.add_parser("init", help="create or replace a profile (tested before it is saved)",
                              description="Create or replace a profile in the config file.", parents=[common],
                              epilog=INIT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
                              allow_abbrev=False)
    p.add_argument("--password", nargs="?", action=_RefusePassword, help=argparse.SUPPRESS)
    p.add_argument("--provider", choices=list(DEFAULT_BASE_URLS), help="the SMS provider (default plum)")
    p.add_argument("--base-url", metavar="URL", help=f"API base URL (default for plum: {DEFAULT_BASE_URLS['plum']})")
    p.add_argument("--format", choices=FORMATS, help="wire format (default json)")
    p.add_argument("--username", metavar="U", help="API user name")
    p.add_argument("--number", metavar="N", action="append",
                   help="one of the account's SMS numbers (repeatable; the first is the default sender)")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true", help="read the password from stdin's first line")
    secret.add_argument("--password-env", metavar="VAR", help="the password is in $VAR (stored as password_env)")
    secret.add_argument("--password-command", metavar="CMD",
                        help="a command that prints the password (stored as password_command; run without a shell)")
    p.add_argument("--allow-insecure", action="store_true", help="allow a plain http:// base URL to another machine")
    p.add_argument("--ca-bundle", metavar="PEM", help="verify TLS with the CA certificates in this file")
    p.add_argument("--make-default", action="store_true", help="make this the default profile")
    p.add_argument("--no-check", action="store_true", help="save without testing the credentials")


Handler = Callable[[Context], "int | object"]


def _handler(args: argparse.Namespace) -> Handler:
    from smschat.cli.commands import history, sending, setup

    if args.command is None:
        return setup.run_tui
    if args.command == "export":
        from smschat.cli.commands.export import run_export

        return run_export
    if args.command == "receive":
        from smschat.cli.commands.receive import run_receive

        return run_receive
    if args.command == "config":
        if args.config_command == "init":
            from smschat.cli.commands.init import run_config_init

            return run_config_init
        return setup.run_config_show if args.config_command == "show" else setup.run_config_path
    return {
        "contacts": history.run_contacts,
        "conversation": history.run_conversation,
        "send": sending.run_send,
        "status": sending.run_status,
        "simulate": setup.run_simulate,
    }[args.command]


def _run(ctx: Context) -> int:
    result = _handler(ctx.args)(ctx)
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    return int(result or 0)


def _say(ctx: Context, text: str) -> None:
    print(f"smschat: {sanitize_line(ctx.scrub(text), limit=1000)}", file=sys.stderr)


def _log_internal_error(ctx: Context, exc: BaseException) -> str:
    """Append the traceback (secrets scrubbed) to the CLI log; returns its path or ""."""
    try:
        from smschat.paths import log_dir

        directory = log_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "cli-errors.log"
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        command = ctx.args.command or "(chat screen)"  # not argv: it may hold a message body
        entry = ctx.scrub(f"--- {stamp} smschat {__version__} {command}\n{text}\n")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(entry)
        return str(path)
    except Exception:  # noqa: BLE001 - logging must never make things worse
        return ""


def _quiet_broken_pipe() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _safe_streams() -> None:
    """Never crash on a character the terminal's encoding lacks."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def main(argv: Sequence[str] | None = None, *, clock: Callable[[], datetime] | None = None,
         tz: tzinfo | None = None) -> int:
    """Run the CLI; returns the exit code. `clock` and `tz` are for tests."""
    _safe_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # --help, --version, or a usage error argparse already explained
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    if args.demo and args.command is not None:
        try:
            parser.error(f"--demo opens the chat screen; it does not go with the {args.command!r} command")
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else 2
    if args.demo_provider is not None and not args.demo:
        try:
            parser.error("--provider chooses the simulated provider of --demo (smschat --demo --provider plivo); "
                         "a profile's provider is set in its config")
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else 2
    ctx = Context(args, out=sys.stdout, err=sys.stderr, clock=clock or utc_now, tz=tz)
    try:
        return _run(ctx)
    except KeyboardInterrupt:
        return 130
    except UsageError as exc:
        _say(ctx, f"{exc}")
        if "--help" not in str(exc):
            ctx.note("(see `smschat --help`)")
        return 2
    except ConfigError as exc:
        _say(ctx, f"config error: {exc}")
        return 2
    except AuthError as exc:
        who = ""
        if ctx._profile is not None:
            who = f" for user {ctx._profile.username!r} (profile {ctx._profile.name!r})"
        _say(ctx, f"authentication failed{who}: {exc}; check the username and password")
        return 1
    except SendOutcomeUnknown as exc:
        _say(ctx, f"{exc}")
        _say(ctx, "the message may or may not have been sent: check `smschat conversation` before sending again")
        return 1
    except ApiError as exc:  # the server's own words, already sanitised by the error
        _say(ctx, f"{ctx.args.command or 'request'} failed: {exc}")
        return 1
    except SmsError as exc:
        _say(ctx, f"{exc}")
        return 1
    except BrokenPipeError:
        _quiet_broken_pipe()
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        where = _log_internal_error(ctx, exc)
        detail = sanitize_line(ctx.scrub(str(exc)), limit=300)
        _say(ctx, f"internal error: {type(exc).__name__}: {detail}" if detail else f"internal error: {type(exc).__name__}")
        if where:
            ctx.note(f"(details in {where})")
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
