"""Time to score one very long reply: linear in its length.

Builds replies of 125k … 1M characters three ways — the labelled corpora run together (many red
lines), the same without punctuation (one endless clause), and one red-line phrase repeated
(hundreds of thousands of findings) — and prints the seconds for each and the time per 1,000
characters (of CPU time, which a busy machine does not inflate), which stays flat when scoring is
linear. Before, a red line's findings were checked against each other pairwise, and scoped
exceptions and quotes were searched once per hit: 20,000 characters of "老赖," took 2.9 s and
1M characters would have taken hours.

    python bench/bench_long.py
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.analyzer import analyze  # noqa: E402


def corpus_text() -> str:
    texts = []
    for name in ("replies.jsonl", "heldout.jsonl", "blind2.jsonl", "blind3.jsonl"):
        path = ROOT / "tests" / "data" / name
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return "".join(texts)


def build(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def main() -> None:
    analyze("您好")  # load the rule pack first
    base = corpus_text()
    kinds = {
        "corpus": base,
        "corpus, no punctuation": re.sub(r"[,。!?，！？;；、:：]", "", base),
        "one phrase repeated": "老赖,",
    }
    print(f"{'reply':<26} {'chars':>9} {'red lines':>10} {'seconds':>8} {'cpu s':>7} {'ms/1k chars':>12}")
    for kind, unit in kinds.items():
        for size in (125_000, 250_000, 500_000, 1_000_000):
            text = build(unit, size)
            t0, c0 = time.perf_counter(), time.process_time()
            result = analyze(text)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(f"{kind:<26} {size:>9} {len(result.red_lines):>10} {elapsed:8.2f} {cpu:7.2f} "
                  f"{1000 * cpu / size * 1000:12.3f}", flush=True)


if __name__ == "__main__":
    main()
