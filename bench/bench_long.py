"""Time to score one very long reply: linear in its length.

Builds replies of 125k … 1M characters three ways — the labelled corpora run together (many red
lines), the same without punctuation (one endless clause), and one red-line phrase repeated
(hundreds of thousands of findings) — and prints the seconds for each and the time per 1,000
characters, which stays flat when scoring is linear. Target: the 1M-character corpus reply in
about a second.

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
    print(f"{'reply':<26} {'chars':>9} {'red lines':>10} {'seconds':>8} {'ms/1k chars':>12}")
    for kind, unit in kinds.items():
        for size in (125_000, 250_000, 500_000, 1_000_000):
            text = build(unit, size)
            t0 = time.perf_counter()
            result = analyze(text)
            elapsed = time.perf_counter() - t0
            print(f"{kind:<26} {size:>9} {len(result.red_lines):>10} {elapsed:8.2f} {1000 * elapsed / size * 1000:12.3f}",
                  flush=True)


if __name__ == "__main__":
    main()
