"""`smschat receive`: run the inbound receiver (uvicorn) on the profile's store, in the foreground."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from smschat.cli.context import Context, UsageError
from smschat.domain.sanitize import sanitize_line

DESCRIPTION = "run the inbound receiver: the providers post texts and delivery reports to it"

EPILOG = """\
The receiver serves one profile and writes into its local store; a running chat screen shows
what arrives within a second. Configure it in the config file:

  [receiver]
  listen = "127.0.0.1:8787"                # behind a reverse proxy; 0.0.0.0:8443 with TLS of its own
  public_url = "https://sms.example.com"   # the URL the providers call (Plivo signs it)
  plum_secret_env = "SMSCHAT_PLUM_SECRET"  # or plum_secret = "..." (Plum only; 16+ of A-Z a-z 0-9 - _)
  # certfile = "/etc/ssl/sms.pem"          # TLS without a proxy
  # keyfile = "/etc/ssl/sms.key"
  # profile = "work"                       # default: the default profile

Then point the provider at it (`smschat receive --urls` prints the exact URLs):
  Plum:  the number's Application URL    = PUBLIC_URL/plum/inbound/SECRET
         status posts (result_url)       = PUBLIC_URL/plum/status/SECRET   (sent by smschat itself)
  Plivo: the application's Message URL   = PUBLIC_URL/plivo/message (method POST)
         delivery reports (url)          = PUBLIC_URL/plivo/status         (sent by smschat itself)

Stop with Ctrl-C or SIGTERM (requests in flight finish; exit status 0).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--listen", metavar="HOST:PORT", help="address to listen on (default: [receiver] listen)")
    parser.add_argument("--certfile", metavar="PEM", help="serve TLS with this certificate chain (with --keyfile)")
    parser.add_argument("--keyfile", metavar="PEM", help="the private key of --certfile")
    parser.add_argument("--urls", action="store_true",
                        help="print the URLs to configure at the provider (they contain the Plum secret) and exit")


def _setup_logging(ctx: Context) -> None:
    """One line per request to stderr (journald or the tmux pane); uvicorn says only what is wrong."""
    handler = logging.StreamHandler(ctx.err)
    handler.setFormatter(logging.Formatter("%(message)s"))
    receiver_log = logging.getLogger("smschat.receive")
    receiver_log.handlers[:] = [handler]
    receiver_log.setLevel(logging.INFO)
    receiver_log.propagate = False
    quiet = logging.StreamHandler(ctx.err)
    quiet.setFormatter(logging.Formatter("smschat receive: %(message)s"))
    uvicorn_log = logging.getLogger("uvicorn")
    uvicorn_log.handlers[:] = [quiet]
    uvicorn_log.setLevel(logging.WARNING)
    uvicorn_log.propagate = False


def _urls(ctx: Context, profile: Any, receiver: Any) -> int:
    if profile.provider == "plivo":
        inbound, status = receiver.plivo_message_url, receiver.plivo_status_url
        labels = ("Plivo application Message URL (POST)", "Plivo delivery reports (url, sent with each message)")
    else:
        inbound, status = receiver.plum_inbound_url, receiver.plum_status_url
        labels = ("Plum number Application URL", "Plum status posts (result_url, sent with each message)")
    if ctx.json:
        ctx.emit_json({"provider": profile.provider, "inbound_url": inbound, "status_url": status})
    else:
        for label, url in zip(labels, (inbound, status), strict=True):
            ctx.print(f"{label}:\n  {url}")
    return 0


def run_receive(ctx: Context) -> int:
    from smschat.config.receiver import format_listen, parse_listen
    from smschat.paths import store_file
    from smschat.receive import ReceiverServer, build_app, check_receiver
    from smschat.receive.server import CertificateError
    from smschat.store import Store

    profile = ctx.profile()
    receiver = check_receiver(profile)
    if receiver.plum_secret:
        ctx.secrets.append(receiver.plum_secret)
    if ctx.args.urls:
        return _urls(ctx, profile, receiver)
    host, port = receiver.host, receiver.port
    if ctx.args.listen:
        try:
            host, port = parse_listen(ctx.args.listen)
        except ValueError as exc:
            raise UsageError(f"--listen: {exc}") from None
    certfile = ctx.args.certfile or ("" if ctx.args.keyfile else receiver.certfile)
    keyfile = ctx.args.keyfile or ("" if ctx.args.certfile else receiver.keyfile)
    if bool(certfile) != bool(keyfile):
        raise UsageError("--certfile and --keyfile go together (TLS needs both)")
    _setup_logging(ctx)
    store = Store.open(store_file(profile.name))
    try:
        app = build_app(store, profile, receiver=receiver)
        try:
            server = ReceiverServer(app, host=host, port=port, certfile=certfile, keyfile=keyfile)
        except CertificateError as exc:
            ctx.note(f"smschat receive: {sanitize_line(str(exc), limit=300)}")
            return 2
        except OSError as exc:
            reason = sanitize_line(exc.strerror or str(exc), limit=200)
            ctx.note(f"smschat receive: cannot listen on {format_listen(host, port)}: {reason}")
            return 2
        scheme = "https" if certfile else "http"
        ctx.note(f"smschat receive: profile {profile.name!r} ({profile.provider}) -> {store.path}")
        ctx.note(f"smschat receive: listening on {scheme}://{format_listen(host, server.port)}; "
                 f"providers call {receiver.public_url}; Ctrl-C stops")
        if not certfile and not _loopback(host):
            ctx.warn(f"listening on {host} without TLS: put it behind a TLS reverse proxy, or give --certfile/--keyfile")
        server.run()
        ctx.note("smschat receive: stopped")
        return 0
    finally:
        store.close()


def _loopback(host: str) -> bool:
    from smschat.config.load import _is_loopback

    return _is_loopback(host)
