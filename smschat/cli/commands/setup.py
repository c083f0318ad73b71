"""`smschat config show|path`, `smschat simulate`, and launching the TUI (`config init` is in init.py)."""

from __future__ import annotations

import sys
from typing import Any

from smschat.cli.context import Context, UsageError
from smschat.domain.numbers import national, pretty
from smschat.domain.sanitize import sanitize_line

DEFAULT_SIM_PORT = 8025


# -- config ----------------------------------------------------------------------------------------


def run_config_path(ctx: Context) -> int:
    from smschat.config import config_path

    path = config_path(getattr(ctx.args, "config", None), ctx.env)
    if ctx.json:
        from smschat.paths import data_dir, log_dir

        ctx.emit_json({"path": str(path), "exists": path.is_file(), "data_dir": str(data_dir()),
                       "log_dir": str(log_dir())})
    else:
        ctx.print(str(path))
    return 0


def run_config_show(ctx: Context) -> int:
    profile = ctx.profile()
    data = profile.redacted()
    if ctx.json:
        ctx.emit_json(data)
        return 0
    source = data["secret_source"]
    if source.startswith("password_env:"):
        source = f"from ${source.split(':', 1)[1]}"
    elif source == "password_command":
        source = "from password_command"
    else:
        source = "written in the config file"
    rows = [
        ("profile", data["name"]),
        ("config file", data["config_file"]),
        ("provider", data["provider"]),
        ("base_url", data["base_url"] + ("  (insecure http allowed)" if data["allow_insecure"] else "")),
        ("format", data["format"]),
        ("username", data["username"]),
        ("password", f"{data['password']} ({source})"),
        ("numbers", ", ".join(pretty(n) for n in data["numbers"]) + "  (first = default sender)"),
        ("timeout", f"{data['timeout']:g} s"),
        ("ca_bundle", data["ca_bundle"] or "(system default CAs)"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        ctx.print(f"{key.ljust(width)}  {sanitize_line(ctx.scrub(str(value)))}")
    return 0


# -- simulator -------------------------------------------------------------------------------------


def _loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def config_snippet(url: str, username: str, numbers: list[str], *, password: str | None,
                   password_env: str | None, insecure: bool, fmt: str = "json") -> str:
    """A profile for the simulator, ready to paste. `password` only for the public demo credential."""
    import tomli_w

    profile: dict[str, Any] = {"provider": "plum", "base_url": url, "format": fmt, "username": username}
    if password_env:
        profile["password_env"] = password_env
    else:
        profile["password"] = password or ""
    profile["numbers"] = [national(n) for n in numbers]
    if insecure:
        profile["allow_insecure"] = True
    return tomli_w.dumps({"default_profile": "sim", "profiles": {"sim": profile}})


def wait_for_stop(server: Any) -> None:
    """Block until Ctrl+C (tests replace this)."""
    import threading

    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        return


def run_simulate(ctx: Context) -> int:
    """The seeded demo simulator in the foreground (`smschat.sim.make_demo_server`), until Ctrl+C.

    The CLI starts it itself rather than through `sim.serve_forever_cli`, so that it knows the bound
    port (with --port 0) before printing, and prints one banner with one pasteable profile.
    """
    from smschat import sim
    from smschat.sim.demo import DEMO_PASSWORD, DEMO_USERNAME

    args = ctx.args
    host: str = args.host
    port: int = args.port if args.port is not None else DEFAULT_SIM_PORT
    username = args.username or DEMO_USERNAME
    if args.password_env:
        password = ctx.env.get(args.password_env, "")
        if not password:
            raise UsageError(f"--password-env: environment variable {args.password_env} is not set or empty")
        ctx.secrets.append(password)
    else:
        password = DEMO_PASSWORD
    try:
        server = sim.make_demo_server(port, lively=not args.quiet_customers, host=host,
                                      username=username, password=password)
    except OSError as exc:
        ctx.note(f"smschat: cannot listen on {host}:{port}: {exc.strerror or exc}")
        return 1
    server.start()
    try:
        wildcard = host in ("0.0.0.0", "::", "")
        client_host = "127.0.0.1" if wildcard else (f"[{host}]" if ":" in host else host)
        url = f"http://{client_host}:{server.port}/ws/sms"
        insecure = not wildcard and not _loopback(host)
        snippet = config_snippet(url, username, list(server.account.numbers),
                                 password=None if args.password_env else password,
                                 password_env=args.password_env, insecure=insecure, fmt=args.format)
        if not _loopback(host):
            ctx.note(f"smschat: warning: the simulator listens on {host}, beyond this machine, over plain http")
        customers = "off" if args.quiet_customers else "on (simulated customers text in)"
        ctx.print(f"Plum SMS simulator serving at {url}")
        ctx.print(f"user {username!r}; lively customers {customers}; Ctrl+C stops it")
        ctx.print("")
        ctx.print("A profile for it (save as the file `smschat config path` prints, or pass --config FILE):")
        ctx.print("")
        ctx.print(snippet.rstrip())
        ctx.out.flush()
        wait_for_stop(server)
    finally:
        server.stop()
    ctx.note("simulator stopped")
    return 0


# -- TUI -------------------------------------------------------------------------------------------


def is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _ui_run():  # noqa: ANN202 - the UI's own signature
    """`smschat.ui.app.run(profile=None|Profile, demo=bool, store_path=None, ...) -> int`, imported lazily."""
    from smschat.ui.app import run

    return run


def run_tui(ctx: Context) -> int:
    """The chat screen; with no config file yet (first run) the UI opens its setup screen instead.

    A config file that exists but is wrong is a config error (exit 2), as for every command: the
    setup screen never rewrites a file a person wrote.
    """
    from smschat.config import config_path

    demo = bool(getattr(ctx.args, "demo", False))
    path = None if demo else config_path(getattr(ctx.args, "config", None), ctx.env)
    first_run = path is not None and not path.exists() and is_terminal()
    profile = None if demo or first_run else ctx.profile()
    if not is_terminal():
        raise UsageError("the chat screen needs a terminal; for scripts use a command (see `smschat --help`)")
    try:
        run = _ui_run()
    except ImportError as exc:
        ctx.note(f"smschat: the terminal UI is not available in this installation ({sanitize_line(str(exc))})")
        return 1
    extra = {"demo_provider": getattr(ctx.args, "demo_provider", None) or "plum"} if demo else {}
    result = run(profile=profile, demo=demo, store_path=None, config_path=path,
                 profile_name=getattr(ctx.args, "profile", None), **extra)
    return result if isinstance(result, int) else 0
