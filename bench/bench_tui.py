"""Benchmarks of the trainee's app (targets from issue 4).

1. Launch to first screen: ``collector-sim play`` started in a pseudo-terminal, timed until the
   picker's table is on the screen (median of N launches).          target < 1.5 s
2. Enter to the debtor's line on screen: a 50-turn call driven by Pilot; for each turn the time
   from the Enter key event to the debtor's bubble being painted (median, p90, max).  target < 50 ms
3. Peak memory of the app process over that 50-turn call (ru_maxrss of a fresh process).
                                                                     target < 150 MB

    .venv/bin/python bench/bench_tui.py [--launches 5] [--turns 50] [--json]

A 50-turn call needs a debtor who does not hang up: the bench writes a scenario (the bundled
hardship case, with ``max_turns: 60``, ``stall_turns: 50`` and no patience loss) into a temporary
``--path`` folder, and the trainee keeps the conversation going without closing a deal.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pty
import re
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

BENCH_SCENARIO = """\
id: bench_long_call
title: 基准测试:很长的一通电话
persona: hardship
difficulty: 1
lang: zh
objective: 基准测试用
case:
  debtor_name: 李娜
  honorific: 女士
  creditor: 华信银行信用卡中心
  product: credit_card
  amount: 9800
  overdue_days: 30
  reason: 上个月被公司裁员了,还在找工作
  monthly_capacity: 3000
overrides:
  max_turns: 60
  stall_turns: 50
  per_turn: {patience: 0}
"""

REPLIES = [
    "您好,我是华信银行信用卡中心的客服专员王芳,工号W0321,请问是李娜女士本人吗?",
    "李女士,打扰您了,您的信用卡目前欠款9800元,已经逾期30天了。",
    "失业确实很不容易,我能理解您现在的压力。",
    "请问您现在每个月大概有多少收入呢?",
    "您别着急,我们一起想想办法,好吗?",
    "家里的开销大概是多少呢?方便说说吗?",
    "谢谢您愿意跟我说这些,我理解您的难处。",
    "最近找工作有进展吗?",
]

ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>NOPMc78]|\x1b\][^\x07]*\x07")


def cli_path() -> str:
    """The console script installed beside this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / "collector-sim"
    return os.environ.get("COLLECTOR_SIM") or (str(beside) if beside.exists() else shutil.which("collector-sim") or "")


def launch_time(env: dict[str, str], timeout: float = 20.0) -> float:
    """Seconds from exec to the picker's table on the pty (text '个场景' painted)."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command, in a real (pseudo) terminal
        os.environ.update(env)
        os.execv(cli_path(), [cli_path(), "play"])
    buf = b""
    try:
        import fcntl
        import struct
        import termios

        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            if "个场景".encode() in ANSI.sub(b"", buf):
                return time.perf_counter() - start
        raise RuntimeError("the picker never showed: " + ANSI.sub(b"", buf)[-400:].decode(errors="replace"))
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


async def turn_latencies(folder: Path, home: Path, turns: int) -> dict[str, float | int]:
    from textual import events
    from tui_support import FIXED_CLOCK, type_text

    from simulator.tui import make_app
    from simulator.tui.screens.call import CallScreen
    from simulator.tui.widgets import Transcript

    app = make_app("bench_long_call", seed=7, paths=[folder], home=home, now=FIXED_CLOCK)
    times: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()            # the analyzer warm-up, as a trainee reading the case
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CallScreen)
        transcript = screen.query_one(Transcript)
        for i in range(turns):
            reply = REPLIES[i % len(REPLIES)] if i < len(REPLIES) else REPLIES[2 + i % (len(REPLIES) - 2)]
            await type_text(pilot, reply)
            before = len(transcript.messages)
            t0 = time.perf_counter()
            app.post_message(events.Key("enter", "\r"))
            # the debtor's line is in the transcript ...
            while len(transcript.messages) < before + 2:
                await asyncio.sleep(0)
            # ... and on the screen: the next frame has been composed with it
            line = transcript.messages[-1].text[:6]
            while not any(line in row for row in _screen_rows(app)):
                await asyncio.sleep(0.0005)
            times.append(time.perf_counter() - t0)
            assert not screen.session.ended, f"the bench call ended at turn {i + 1}: {screen.session.outcome}"
    in_order = [t * 1000 for t in times]
    times_ms = sorted(in_order)
    return {"turns": len(times_ms), "median_ms": round(statistics.median(times_ms), 2),
            "first10_median_ms": round(statistics.median(in_order[:10]), 2),
            "last10_median_ms": round(statistics.median(in_order[-10:]), 2),
            "p90_ms": round(times_ms[int(len(times_ms) * 0.9) - 1], 2), "max_ms": round(times_ms[-1], 2),
            "first_ms": round(times[0] * 1000, 2)}


def _screen_rows(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The screen as the terminal would show it now (the compositor's current frame)."""
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]


def child(folder: str, home: str, turns: int) -> None:
    result = asyncio.run(turn_latencies(Path(folder), Path(home), turns))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--launches", type=int, default=5)
    ap.add_argument("--turns", type=int, default=50)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", nargs=2, metavar=("FOLDER", "HOME"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.turns)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        folder = Path(tmp) / "scenarios"
        folder.mkdir()
        (folder / "bench_long_call.yaml").write_text(BENCH_SCENARIO, encoding="utf-8")
        env = {"COLLECTOR_SIM_HOME": str(home), "TERM": "xterm-256color", "LANG": "C.UTF-8",
               "COLUMNS": "80", "LINES": "24"}
        launches = sorted(launch_time(env) for _ in range(args.launches))
        out = subprocess.run([sys.executable, __file__, "--turns", str(args.turns), "--child", str(folder), str(home)],
                             capture_output=True, text=True, cwd=ROOT, env={**os.environ, **env})
        if out.returncode != 0:
            sys.stderr.write(out.stderr)
            return 1
        turns = json.loads(out.stdout.strip().splitlines()[-1])
    result = {
        "launch_to_first_screen_s": {"median": round(statistics.median(launches), 3),
                                     "all": [round(x, 3) for x in launches], "target": 1.5},
        "enter_to_debtor_line_ms": {k: v for k, v in turns.items() if k != "peak_rss_mb"} | {"target": 50},
        "peak_memory_mb": {"value": turns["peak_rss_mb"], "turns": turns["turns"], "target": 150},
    }
    ok = (result["launch_to_first_screen_s"]["median"] < 1.5 and turns["median_ms"] < 50
          and turns["peak_rss_mb"] < 150)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        ls = result["launch_to_first_screen_s"]
        print(f"launch → first screen (pty, 80x24): median {ls['median']:.3f} s  {ls['all']}   target < 1.5 s")
        print(f"Enter → debtor line ({turns['turns']} turns, Pilot): median {turns['median_ms']} ms, "
              f"p90 {turns['p90_ms']} ms, max {turns['max_ms']} ms, first {turns['first_ms']} ms   target < 50 ms")
        print(f"    turns 1-10 median {turns['first10_median_ms']} ms, turns {turns['turns'] - 9}-{turns['turns']} "
              f"median {turns['last10_median_ms']} ms (no growth with the transcript)")
        print(f"peak memory, {turns['turns']}-turn call: {turns['peak_rss_mb']} MB (max RSS)   target < 150 MB")
        print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
