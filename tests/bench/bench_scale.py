"""Scale bench (issue 5): 100,000 messages over 2,000 customers, one of them with a 10,000-message
thread, served by the Plum simulator on loopback; the client runs as real subprocesses under a
pseudo-terminal (Textual's real Linux driver, 80x24), started by `scale_runner.py`.

Run from a checkout with the package's dependencies installed (about 3 minutes; `--quick`: 20,000
messages, under a minute); the checkout this file is in is what is measured:

    python tests/bench/bench_scale.py [--quick] [--json PATH] [--format json|xml] [--keep]

Prints the figures as JSON, then as a table with each target met or missed; nothing is asserted.
The work directory (stores, child logs) is removed at the end unless `--keep`. The 1-minute load
average is recorded at the start of each phase: on a shared machine it explains most of the spread.

Children run with compiled bytecode cached in the work directory (PYTHONPYCACHEPREFIX), as an
installed package has it, whatever PYTHONDONTWRITEBYTECODE says; each kind of child runs once
untimed before the timed starts.

Method, figure by figure:
- first full sync: `SyncEngine.refresh()` on an empty store in the client process (before the UI
  starts), wall seconds; requests = `messages` list requests without `start_timestamp` in the
  simulator's request log. Then every status the listing could not give (outbound records of the
  last 7 days) is polled once, as the app's timer would (`poll_statuses` until none is due).
- warm start: a fresh process on the synced store. Seconds from spawning the process to the first
  frame written to the terminal in which the contact list has rows, next to a minimal Textual app
  (Header + Footer) spawned and timed the same way, interleaved, median of N runs each. Requests:
  `messages` list requests the app made until its start-up sync finished.
- open the 10k thread: contact cursor moved onto it (what ↑/↓ does) -> end of the first frame that
  draws its thread view (median/max of 5 opens, another contact in between).
- page to the oldest: Home in that thread, repeated (each shows the top, `NeedOlder`, next page
  from the store, repaint) until the oldest message is selected and nothing older exists; total ms.
- keypress -> repaint while a sync runs: the newest 20,000 messages (5,000 with --quick) are
  deleted from the store and the sync cursor set back before them, and the screen's own sync
  worker pulls them again (20 pages of 1,000 parsed and upserted on the sync thread, progress in
  the status bar, every touched conversation re-read at the end), again and again until every key
  is pressed; keys are only pressed while such a sync runs. Meanwhile key events are posted as the terminal driver posts them (↓/j in the
  contact list, each opening that conversation; ↑/k, ↓/j in the 10k thread) 20-60 ms apart, and
  each is timed to the end of the first frame showing its effect (cursor moved and, in the contact
  list, the new conversation's thread drawn). `pilot.press` + `pilot.pause()` is not used: both
  wait for the process to go CPU-idle, which never happens while a sync thread works. Beside the
  wall time, the UI thread's own CPU time per key (`time.thread_time`): the difference is waiting
  (for the GIL the sync thread holds, for the machine, for Textual's next frame). The same keys
  are also timed with no sync running; the store is checked whole again after the last sync.
- peak RSS: `ru_maxrss` (os.wait4) of the client process that did the first full sync, settled
  the statuses and painted the UI.
- idle polling: 20 outbound messages whose delivery never becomes final are added to the simulator;
  a warm client runs for a fixed time; list and status requests are counted (whole window and its
  second half, per minute).
"""

from __future__ import annotations

import argparse
import dataclasses
import fcntl
import json
import math
import os
import pty
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent  # the checkout this file is in: measured, whatever else is installed
sys.path.insert(0, str(ROOT))

from smschat.sim import SimAccount, SimServer  # noqa: E402

RUNNER = HERE / "scale_runner.py"
NUMBERS = ("6175550100", "6175550199")
BIG_CUSTOMER = "14155000000"  # bulk_seed's customer 0


@dataclasses.dataclass(frozen=True)
class Plan:
    messages: int
    customers: int
    big_thread: int
    start_runs: int
    keys: int
    resync_messages: int
    idle_seconds: float


FULL = Plan(100_000, 2_000, 10_000, start_runs=5, keys=100, resync_messages=20_000, idle_seconds=90.0)
QUICK = Plan(20_000, 2_000, 10_000, start_runs=3, keys=40, resync_messages=5_000, idle_seconds=20.0)


class StampedLog:
    """Wraps `account.log_request` to keep a wall-clock time with every request."""

    def __init__(self, account: SimAccount) -> None:
        self.entries: list[tuple[float, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        original = account.log_request

        def log_request(method: str, path: str, params: dict[str, str], status: int) -> None:
            with self._lock:
                self.entries.append((time.time(), path, dict(params)))
            original(method, path, params, status)

        account.log_request = log_request  # type: ignore[method-assign]

    def between(self, start: float, end: float) -> list[tuple[float, str, dict[str, str]]]:
        with self._lock:
            return [e for e in self.entries if start <= e[0] <= end]


def lists(entries: list[tuple[float, str, dict[str, str]]], *, incremental: bool | None = None) -> int:
    found = [e for e in entries if "/messages." in e[1]]
    if incremental is None:
        return len(found)
    return sum(1 for e in found if bool(e[2].get("start_timestamp")) == incremental)


def statuses(entries: list[tuple[float, str, dict[str, str]]]) -> int:
    return sum(1 for e in entries if "/status." in e[1])


# ------------------------------------------------------------------------------ child processes
def run_child(spec: dict[str, Any], workdir: Path, label: str, timeout: float = 600.0) -> dict[str, Any]:
    """Run scale_runner.py under an 80x24 pseudo-terminal; returns its events, spawn time, rusage."""
    out = workdir / f"{label}.jsonl"
    out.unlink(missing_ok=True)
    spec = {**spec, "out": str(out)}
    spec_path = workdir / f"{label}.spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", "PYTHONUNBUFFERED": "1"}
    for name in ("TEXTUAL", "TEXTUAL_DRIVER", "TEXTUAL_HEADLESS", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    # compiled bytecode, as an installed package has it: kept out of the checkout (and an environment
    # with PYTHONDONTWRITEBYTECODE would otherwise compile every smschat module at every start)
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    tail = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            tail.extend(chunk)
            del tail[:-4096]

    spawned = time.time()
    proc = subprocess.Popen(
        [sys.executable, str(RUNNER), str(spec_path)],
        stdin=slave, stdout=slave, stderr=slave, env=env, cwd=str(ROOT),
        start_new_session=True, close_fds=True,
    )
    os.close(slave)
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    deadline = time.time() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.time() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)
    ended = time.time()
    reader.join(2)
    os.close(master)
    events: dict[str, Any] = {}
    if out.exists():
        for line in out.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            events[record["event"]] = record
    if "error" in events or proc.returncode != 0 or "painted" not in events:
        detail = events.get("error", {}).get("traceback") or tail.decode("utf-8", "replace")[-2000:]
        raise RuntimeError(f"{label} failed (exit {proc.returncode}):\n{detail}")
    return {"events": events, "spawned": spawned, "ended": ended, "maxrss_kb": usage.ru_maxrss}


# ----------------------------------------------------------------------------------------- bench
def add_never_final(account: SimAccount, count: int) -> None:
    """`count` outbound messages, sent now, whose delivery never becomes final (seeding helper)."""
    now = time.time()
    with account.lock:
        for i in range(count):
            record = account._record(  # noqa: SLF001 - bench seeding, the simulator's own record maker
                customer=f"1415{5000000 + i:07d}", account=NUMBERS[0], body=f"awaiting delivery #{i}",
                direction="outbound", at=now, msg_id=f"{0xB0 + i:02x}" + os.urandom(15).hex(),
            )
            account._index(dataclasses.replace(record, final_at=math.inf))  # noqa: SLF001


def phase(results: dict[str, Any], name: str, note: str) -> None:
    """Say what runs now (stderr) and keep the 1-minute load average at its start."""
    print(note, file=sys.stderr, flush=True)
    results["machine"]["load_avg_1min_by_phase"][name] = round(os.getloadavg()[0], 2)


def run(plan: Plan, fmt: str, workdir: Path) -> dict[str, Any]:
    store = workdir / "store.sqlite3"
    account = SimAccount("bench", "bench", NUMBERS)
    start = time.perf_counter()
    account.bulk_seed(plan.messages, plan.customers, big_thread=plan.big_thread)
    seed_s = time.perf_counter() - start
    log = StampedLog(account)
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                    "load_avg_at_start": [round(x, 2) for x in os.getloadavg()], "load_avg_1min_by_phase": {}},
        "dataset": {"messages": plan.messages, "customers": plan.customers, "big_thread": plan.big_thread,
                    "format": fmt, "seed_seconds": round(seed_s, 2)},
    }
    with SimServer(account) as server:
        base = {"mode": "app", "base_url": server.url, "username": "bench", "password": "bench",
                "numbers": list(NUMBERS), "format": fmt, "store": str(store), "big_customer": BIG_CUSTOMER}
        # 1. first full sync + status settle + paint, in one client process (peak RSS)
        phase(results, "first_sync", "first full sync ...")
        first = run_child({**base, "first_sync": True, "settle_statuses": True, "wait_sync": True}, workdir, "first")
        ev = first["events"]
        sync_end = ev["first_sync"]["wall"]
        sync_entries = log.between(first["spawned"], sync_end)
        settle_entries = log.between(sync_end, ev["settled"]["wall"])
        results["first_sync"] = {
            "seconds": round(ev["first_sync"]["seconds"], 2),
            "list_requests": lists(sync_entries, incremental=False),
            "expected_list_requests": math.ceil(plan.messages / 1000),
            "status_settle_requests": statuses(settle_entries),
            "status_settle_seconds": round(ev["settled"]["seconds"], 2),
            "still_pending_after_settle": ev["settled"]["still_pending"],
        }
        results["peak_rss_mb"] = round(first["maxrss_kb"] / 1024, 1)
        with sqlite3.connect(store) as conn:
            results["dataset"]["conversations"] = conn.execute(
                "SELECT count(*) FROM conversations WHERE total > 0").fetchone()[0]

        # 2. warm start to painted contact list, beside a minimal Textual app (interleaved)
        phase(results, "warm_start", "warm starts ...")
        run_child({"mode": "minimal"}, workdir, "minimal-warmup")  # untimed: its bytecode cached too
        app_s, minimal_s, warm_lists, warm_statuses = [], [], [], []
        for i in range(plan.start_runs):
            warm = run_child({**base, "wait_sync": True}, workdir, f"warm{i}")
            app_s.append(warm["events"]["painted"]["wall"] - warm["spawned"])
            entries = log.between(warm["spawned"], warm["ended"])
            warm_lists.append(lists(entries))
            warm_statuses.append(statuses(entries))
            minimal = run_child({"mode": "minimal"}, workdir, f"minimal{i}")
            minimal_s.append(minimal["events"]["painted"]["wall"] - minimal["spawned"])
        app_med, min_med = statistics.median(app_s), statistics.median(minimal_s)
        results["warm_start"] = {
            "list_requests": warm_lists,
            "status_requests": warm_statuses,
            "app_seconds": [round(s, 3) for s in app_s],
            "minimal_seconds": [round(s, 3) for s in minimal_s],
            "app_median_s": round(app_med, 3),
            "minimal_median_s": round(min_med, 3),
            "ratio": round(app_med / min_med, 2),
        }

        idle_store = workdir / "idle-store.sqlite3"  # the synced, settled store, for step 4
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{store}{suffix}").exists():
                shutil.copyfile(f"{store}{suffix}", f"{idle_store}{suffix}")

        # 3. the 10k thread (open, page to the oldest) and keypress latency during a sync
        phase(results, "interactive", "10k thread and keys during a sync ...")
        inter = run_child({**base, "scenarios": ["open_big", "page_oldest", "keys_idle", "keys"], "keys": plan.keys,
                           "resync_messages": plan.resync_messages, "verify_oldest": True}, workdir, "interactive")
        ev = inter["events"]
        results["open_big_thread"] = {
            "ms": [round(v, 1) for v in ev["open_big"]["ms"]],
            "median_ms": round(statistics.median(ev["open_big"]["ms"]), 1),
            "max_ms": round(max(ev["open_big"]["ms"]), 1),
            "thread_messages": ev["open_big"]["thread_count"],
        }
        page = ev["page_oldest"]
        results["page_to_oldest"] = {
            "ms": round(page["ms"], 1), "home_presses": page["presses"], "items_shown": page["items"],
            "step_median_ms": round(page["step_p50"], 1), "step_max_ms": round(page["step_max"], 1),
            "reached_oldest": bool(page["oldest_ok"]) and not page["has_older"],
        }
        keys, calm = ev["keys"], ev["keys_idle"]
        calm_ms = calm["contacts_ms"] + calm["thread_ms"]
        results["keys_no_sync"] = {
            "presses": len(calm_ms), "p50_ms": round(statistics.median(calm_ms), 1),
            "p95_ms": round(_p95(calm_ms), 1), "contacts_p95_ms": round(_p95(calm["contacts_ms"]), 1),
            "thread_p95_ms": round(_p95(calm["thread_ms"]), 1), "ui_cpu_p95_ms": round(calm["cpu_p95"], 1),
        }
        results["keys_during_sync"] = {
            "presses": len(keys["contacts_ms"]) + len(keys["thread_ms"]),
            "contacts_p95_ms": round(_p95(keys["contacts_ms"]), 1),
            "thread_p95_ms": round(_p95(keys["thread_ms"]), 1),
            "p50_ms": round(keys["p50"], 1), "p95_ms": round(keys["p95"], 1), "max_ms": round(keys["max"], 1),
            "ui_cpu_p50_ms": round(keys["cpu_p50"], 1), "ui_cpu_p95_ms": round(keys["cpu_p95"], 1),
            "no_effect": keys["lost"], "syncs": keys["syncs"], "messages_per_sync": plan.resync_messages,
            "store_intact_after": keys["stored"][0] == keys["stored"][1],
            "interactive_rss_mb": round(inter["maxrss_kb"] / 1024, 1),
        }

        # 4. idle: 20 outbound messages awaiting a final status
        phase(results, "idle", f"idle polling ({plan.idle_seconds:.0f} s) ...")
        add_never_final(account, 20)
        idle = run_child({**base, "store": str(idle_store), "idle_seconds": plan.idle_seconds, "wait_sync": True},
                         workdir, "idle",
                         timeout=plan.idle_seconds + 120)
        t0, t1 = idle["events"]["painted"]["wall"], idle["events"]["idle_end"]["wall"]
        window = log.between(t0, t1)
        mid = (t0 + t1) / 2
        late = log.between(mid, t1)
        minutes, late_minutes = (t1 - t0) / 60, (t1 - mid) / 60
        results["idle_polling"] = {
            "seconds": round(t1 - t0, 1),
            "list_requests": lists(window), "status_requests": statuses(window),
            "per_minute": round((lists(window) + statuses(window)) / minutes, 1),
            "list_per_minute": round(lists(window) / minutes, 1),
            "status_per_minute": round(statuses(window) / minutes, 1),
            "second_half_per_minute": round((lists(late) + statuses(late)) / late_minutes, 1),
        }
    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["targets"] = targets(results, plan)
    return results


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def targets(r: dict[str, Any], plan: Plan) -> dict[str, dict[str, Any]]:
    def t(met: bool, figure: str, target: str) -> dict[str, Any]:
        return {"met": met, "figure": figure, "target": target}

    fs, ws = r["first_sync"], r["warm_start"]
    return {
        "first_sync_requests": t(fs["list_requests"] == fs["expected_list_requests"],
                                 str(fs["list_requests"]), f"= ceil(N/1000) = {fs['expected_list_requests']}"),
        "warm_start_requests": t(max(ws["list_requests"]) == 1, f"{max(ws['list_requests'])}", "1 list request"),
        "warm_start_ratio": t(ws["ratio"] <= 1.5, f"{ws['ratio']}x", "<= 1.5x minimal app"),
        "open_10k_thread": t(r["open_big_thread"]["median_ms"] < 150, f"{r['open_big_thread']['median_ms']} ms",
                             "< 150 ms"),
        "keypress_p95": t(r["keys_during_sync"]["p95_ms"] < 50, f"{r['keys_during_sync']['p95_ms']} ms", "< 50 ms"),
        "peak_rss": t(r["peak_rss_mb"] < 200, f"{r['peak_rss_mb']} MB",
                      f"< 200 MB at {plan.messages:,} messages"),
    }


def table(r: dict[str, Any]) -> str:
    d, fs, ws = r["dataset"], r["first_sync"], r["warm_start"]
    ob, po, ks, idle = r["open_big_thread"], r["page_to_oldest"], r["keys_during_sync"], r["idle_polling"]
    m = r["machine"]
    rows = [
        ("machine", f"{m['cpus']} CPUs, Python {m['python']}, 1-min load average {m['load_avg_at_start'][0]} at start, "
                    f"{m['load_avg_at_end'][0]} at the end"),
        ("  load by phase", ", ".join(f"{k} {v}" for k, v in m["load_avg_1min_by_phase"].items())
                            + " (other work on the machine skews every figure)"),
        ("dataset", f"{d['messages']:,} messages, {d['customers']:,} customers ({d['conversations']:,} conversations "
                    f"over {len(NUMBERS)} numbers), one thread of {d['big_thread']:,} ({d['format']})"),
        ("first full sync", f"{fs['list_requests']} list requests, {fs['seconds']} s"),
        ("  statuses after it", f"{fs['status_settle_requests']} status requests, {fs['status_settle_seconds']} s "
                                f"(outbound of the last 7 days; {fs['still_pending_after_settle']} left pending)"),
        ("warm start, nothing new", f"{'/'.join(map(str, ws['list_requests']))} list requests per start"),
        ("warm start -> contacts painted", f"{ws['app_median_s']} s median {ws['app_seconds']}"),
        ("minimal Textual app (same way)", f"{ws['minimal_median_s']} s median {ws['minimal_seconds']}"),
        ("  ratio", f"{ws['ratio']}x"),
        ("open 10k thread -> first paint", f"{ob['median_ms']} ms median, {ob['max_ms']} ms max ({ob['ms']})"),
        ("page to its oldest message", f"{po['ms']} ms, {po['home_presses']} Home presses "
                                       f"(step median {po['step_median_ms']} ms, max {po['step_max_ms']} ms), "
                                       f"oldest reached: {po['reached_oldest']}"),
        ("keypress -> repaint during sync", f"p95 {ks['p95_ms']} ms, p50 {ks['p50_ms']} ms, max {ks['max_ms']} ms "
                                           f"({ks['presses']} keys over {ks['syncs']} syncs of "
                                           f"{ks['messages_per_sync']:,}; contacts p95 {ks['contacts_p95_ms']}, "
                                           f"thread p95 {ks['thread_p95_ms']})"),
        ("  UI thread CPU per key", f"p95 {ks['ui_cpu_p95_ms']} ms, p50 {ks['ui_cpu_p50_ms']} ms during sync; "
                                   f"p95 {r['keys_no_sync']['ui_cpu_p95_ms']} ms without"),
        ("  same keys, no sync running", f"p95 {r['keys_no_sync']['p95_ms']} ms, p50 {r['keys_no_sync']['p50_ms']} ms "
                                        f"(contacts p95 {r['keys_no_sync']['contacts_p95_ms']}, "
                                        f"thread p95 {r['keys_no_sync']['thread_p95_ms']})"),
        ("peak RSS (sync + paint process)", f"{r['peak_rss_mb']} MB (interactive process: {ks['interactive_rss_mb']} MB)"),
        ("idle, 20 awaiting final status", f"{idle['per_minute']} requests/min over {idle['seconds']} s "
                                           f"({idle['list_requests']} list + {idle['status_requests']} status; "
                                           f"second half {idle['second_half_per_minute']}/min)"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{k:<{width}}  {v}" for k, v in rows]
    lines.append("")
    lines.append("targets:")
    for name, item in r["targets"].items():
        lines.append(f"  {'met   ' if item['met'] else 'MISSED'}  {name:<22} {item['figure']:<12} (target {item['target']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 messages, fewer runs: a smoke run")
    parser.add_argument("--format", default="json", choices=("json", "xml"))
    parser.add_argument("--json", metavar="PATH", help="also write the JSON figures to PATH")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (stores, child logs)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="smschat-bench-scale-"))
    try:
        results = run(QUICK if args.quick else FULL, args.format, workdir)
    finally:
        if args.keep:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results["bench_seconds"] = round(time.perf_counter() - started, 1)
    text = json.dumps(results, indent=2)
    print(text)
    print()
    print(table(results))
    print(f"\n(bench ran {results['bench_seconds']} s)")
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
