"""Analyzer speed and memory.

Per-reply latency (median, p99) in-process, and `collector-sim score --jsonl` on 10,000 replies
end to end (process start included), with the peak memory of that process.
Targets: median < 1 ms per reply; 10,000 replies < 2 s end to end; peak memory < 100 MB.

    python bench/bench_score.py
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.analyzer import CallContext, analyze  # noqa: E402


def corpus() -> list[dict]:
    path = ROOT / "tests" / "data" / "replies.jsonl"
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"id": f"{i}", "text": it["text"], "context": it.get("context") or {}} for i, it in enumerate(items)]


def main() -> None:
    items = corpus()
    contexts = [CallContext.model_validate(it["context"]) for it in items]
    analyze(items[0]["text"], contexts[0])  # load the pack once
    times = []
    for _ in range(5):
        for it, ctx in zip(items, contexts):
            t0 = time.perf_counter()
            analyze(it["text"], ctx)
            times.append(time.perf_counter() - t0)
    times.sort()
    print(f"per reply ({len(times)} calls on {len(items)} corpus replies): "
          f"median {statistics.median(times) * 1e3:.3f} ms, p99 {times[int(len(times) * 0.99)] * 1e3:.3f} ms")

    long_text = "您好,请问您是张伟先生吗?我们可以帮您申请分期。" * 4000
    t0 = time.perf_counter()
    analyze(long_text)
    print(f"one reply of {len(long_text):,} characters: {(time.perf_counter() - t0) * 1e3:.1f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "10k.jsonl"
        with src.open("w", encoding="utf-8") as f:
            for n in range(10_000):
                it = items[n % len(items)]
                f.write(json.dumps({"id": n, "text": it["text"], "context": it["context"]}, ensure_ascii=False) + "\n")
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "simulator", "score", "--jsonl", str(src)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=os.environ)
        elapsed = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        assert proc.returncode == 0, proc.stderr.decode()
        print(f"score --jsonl, 10,000 replies end to end: {elapsed:.2f} s ({elapsed / 10_000 * 1e3:.3f} ms/reply), "
              f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
