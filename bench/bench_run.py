"""Benchmarks for issue 3.

1. A 20-turn ``collector-sim run --json`` end to end, process start included (budget 0.5 s).
2. Loading every bundled scenario with its persona, validated and linted (budget 0.3 s).

Run: ``.venv/bin/python bench/bench_run.py [--repeat N]``. Prints the best and median times and
exits 1 if a budget is blown (best of N, so a noisy machine does not fail it by accident).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

RUN_BUDGET = 0.5
LOAD_BUDGET = 0.3

# A call that keeps going for 20 replies: the bench scenario turns off the stall and patience
# limits, and the replies circle without fixing a date.
REPLIES = [
    "您好,我是华信银行信用卡中心的客服专员李明,工号A0231。请问您是张伟先生本人吗?",
    "张先生,非常抱歉打扰您了,我理解您接到电话心里烦。",
    "您的信用卡目前欠款12850元,已经逾期45天了。请问是遇到什么困难了吗?",
    "我理解您的难处,我们一起想想办法。",
    "逾期时间长了可能会影响您的个人征信记录。",
    "您这边收入情况怎么样?",
    "我们这边可以帮您申请分期还款。",
    "也可以考虑先还一部分。",
    "还款可以通过手机银行APP或者网银,非常方便。",
    "您看您更倾向哪种方式呢?",
    "我明白,您再考虑一下也可以。",
    "请您放心,我们不会联系您的家人或单位。",
    "您有任何疑问都可以拨打官方客服热线核实。",
    "这笔欠款越早处理,对您的影响越小。",
    "您觉得分几期比较合适?",
    "我们也可以申请减免部分罚息。",
    "好的,我理解您的顾虑。",
    "那您这边先算一算,看看每个月能还多少。",
    "谢谢您的耐心。",
    "今天先沟通到这里,感谢您的配合,再见。",
]

SCENARIO = """\
id: bench_long_call
title: 基准测试用的长通话
persona: angry
difficulty: 1
case:
  debtor_name: 张伟
  honorific: 先生
  creditor: 华信银行信用卡中心
  product: credit_card
  amount: 12850
  overdue_days: 45
  reason: 上个月公司拖欠工资
overrides:
  stall_turns: 50
  max_turns: 50
  per_turn: {patience: 0}
  variables: {anger: 90, patience: 100}
"""


def bench_run(repeat: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "bench_long_call.yaml").write_text(SCENARIO, encoding="utf-8")
        replies = d / "replies.txt"
        replies.write_text("\n".join(REPLIES) + "\n", encoding="utf-8")
        cmd = [sys.executable, "-m", "simulator", "run", "bench_long_call", "--path", str(d),
               "--replies", str(replies), "--json"]
        env = dict(os.environ, PYTHONPATH=str(REPO))
        check = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
        if check.returncode != 0:
            raise SystemExit(f"run failed: {check.stderr}")
        import json

        turns = [t for t in json.loads(check.stdout)["turns"] if t["trainee"]]
        assert len(turns) == 20, f"the bench call ended after {len(turns)} replies"
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, env=env, cwd=tmp, check=True)
            times.append(time.perf_counter() - t0)
        return times


def bench_load(repeat: int) -> list[float]:
    """In a fresh process each time, so nothing is cached between rounds."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "from simulator.scenario import Catalog\n"
        "cat = Catalog.discover()\n"
        "findings = cat.validate_all()\n"
        "ps = [s.persona() for s in cat.scenarios.values()]\n"
        "assert not findings and len(ps) >= 12\n"
        "print(time.perf_counter() - t0)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    times = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                             cwd=REPO, check=True).stdout
        times.append(float(out.strip()))
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    ok = True
    for name, fn, budget in (("run --json, 20 turns, process start included", bench_run, RUN_BUDGET),
                             ("load all bundled scenarios + personas (imports included)", bench_load, LOAD_BUDGET)):
        times = fn(args.repeat)
        best, med = min(times), statistics.median(times)
        verdict = "ok" if best <= budget else "OVER BUDGET"
        ok &= best <= budget
        print(f"{name}: best {best * 1000:.0f} ms, median {med * 1000:.0f} ms (budget {budget * 1000:.0f} ms) {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
