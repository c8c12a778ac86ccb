"""Analyzer speed and memory.

Per-reply latency (median, p99) in-process, and `collector-sim score --jsonl` on 10,000 replies
end to end (process start included), with the peak memory of that process.
Targets: median < 1 ms per reply; 10,000 replies < 2 s end to end; peak memory < 100 MB.

    python bench/bench_score.py
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.analyzer import CallContext, analyze  # noqa: E402


def corpus(*names: str) -> list[dict]:
    items = []
    for name in names:
        path = ROOT / "tests" / "data" / name
        items += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"id": f"{i}", "text": it["text"], "context": it.get("context") or {}} for i, it in enumerate(items)]


def distinct_replies(items: list[dict], n: int, seed: int = 7) -> list[dict]:
    """n different replies made of one to three sentences of the corpora, recombined."""
    sentences = [s for it in items for s in re.split(r"(?<=[。!?！？])", it["text"]) if s.strip()]
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[dict] = []
    while len(out) < n:
        text = "".join(rng.sample(sentences, rng.randint(1, 3)))
        if text not in seen:
            seen.add(text)
            out.append({"id": len(out), "text": text, "context": rng.choice(items)["context"]})
    return out


# Run the command from a small, fresh process: a child's peak RSS counts what it inherited from
# its parent before exec, so measuring from this (large) process would report this process.
_MEASURE = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
elapsed = time.perf_counter() - t0
print(rc, elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def end_to_end(rows: list[dict], label: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "10k.jsonl"
        with src.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        out = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "simulator", "score",
                              "--jsonl", str(src)], capture_output=True, text=True, cwd=ROOT, env=os.environ)
        rc, elapsed, peak = out.stdout.split()
        assert rc == "0", out.stderr
        seconds = float(elapsed)
        print(f"score --jsonl, {len(rows):,} {label} end to end: {seconds:.2f} s "
              f"({seconds / len(rows) * 1e3:.3f} ms/reply), peak RSS {float(peak):.0f} MB")


def main() -> None:
    items = corpus("replies.jsonl")
    # end to end first, while this process is still small
    end_to_end([dict(items[n % len(items)], id=n) for n in range(10_000)], "replies (the corpus, cycled)")
    end_to_end(distinct_replies(corpus("replies.jsonl", "heldout.jsonl"), 10_000), "distinct replies")

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


if __name__ == "__main__":
    main()
