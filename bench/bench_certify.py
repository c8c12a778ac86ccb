"""Certification speed: grade one exam, report and verify over 10,000 stored attempts.

Targets (issue 5): ``grade`` of one exam under 1 s; ``report`` over 10,000 stored attempts under
5 s; ``verify`` over 10,000 attempts: the figure is printed (no target).

The 10,000 attempts are built from a pool of real calls (each foundation scenario played with
several reply variants: good, rude, red-line, terse), signed like any attempt, and bulk-inserted.
Because calls repeat across attempts, ``verify`` re-runs each distinct call once (it caches by
scenario, seed and replies); the cost of re-running one call is printed too, so the figure for
10,000 attempts whose every call is different can be worked out.

    python bench/bench_certify.py [--attempts 10000] [--db URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

KEY = "bench-signing-key-0123456789abcdef"
GOOD = ROOT / "tests" / "data" / "certify" / "good"


def lines(scenario: str) -> list[str]:
    return [x for x in (GOOD / f"{scenario}.txt").read_text(encoding="utf-8").splitlines() if x.strip()]


def variants(scenario: str) -> list[list[str]]:
    good = lines(scenario)
    return [
        good,
        good[:-1],                                                   # forgets to confirm and close
        [good[0]] + ["你到底什么时候还钱?今天必须还清!"] + good[1:],       # pressure
        good[:-1] + [good[-1] + "再不还我们就去你单位找你领导。"],           # a red line
        [g.replace("您", "你") for g in good],                        # drops the honorific
        good[:2] + good[3:],                                         # skips a step
    ]


def cli(*args: str, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT)
    return time.perf_counter() - t0, proc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--attempts", type=int, default=10_000)
    ap.add_argument("--db", help="store URL (default: a temporary SQLite file)")
    ap.add_argument("--distinct", action="store_true",
                    help="make every call of every attempt different (slow to build; verify re-runs them all)")
    opts = ap.parse_args()

    from simulator.certify.attempt import ExamRun
    from simulator.certify.calls import CallEngine
    from simulator.certify.exam import ExamCatalog
    from simulator.certify.report import build_report, render
    from simulator.certify.signing import SigningKey, canonical
    from simulator.certify.store import Store
    from simulator.certify.verify import verify_store

    tmp = tempfile.mkdtemp(prefix="bench-certify-")
    env = dict(os.environ, COLLECTOR_SIM_KEY=KEY)
    key = SigningKey(KEY.encode())

    # 1. grade one exam ---------------------------------------------------------------------------
    db1 = f"{tmp}/grade.sqlite3"
    times = []
    for i in range(3):
        dt, proc = cli("grade", "foundation", "--replies", str(GOOD), "--trainee", f"bench-{i}", "--db", db1, env=env)
        assert proc.returncode == 0, proc.stderr
        times.append(dt)
    print(f"grade foundation (4 calls), end to end incl. process start: median {statistics.median(times):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
    t0 = time.perf_counter()
    engine = CallEngine()
    exam = ExamCatalog.discover().get("foundation")
    t_load = time.perf_counter() - t0
    with Store.open(f"{tmp}/grade2.sqlite3") as store:
        t0 = time.perf_counter()
        run = ExamRun.begin(exam, "bench-in-process", engine=engine, store=store, key=key)
        for call in run.pending():
            run.play(call, lines(call.scenario))
        run.finish()
        t_grade = time.perf_counter() - t0
    print(f"grade in process: load scenarios and exam {t_load:.2f} s, then grade and store {t_grade:.2f} s")

    # 2. a store of N attempts ----------------------------------------------------------------------
    pool: dict[str, list[dict]] = {}
    t0 = time.perf_counter()
    for call in exam.spec.calls:
        pool[call.scenario] = [engine.run_call(call.scenario, call.seed, v) for v in variants(call.scenario)]
    n_calls = sum(len(v) for v in pool.values())
    per_call = (time.perf_counter() - t0) / n_calls
    print(f"one call re-run (uncached): {per_call * 1e3:.1f} ms on average over {n_calls} distinct calls")

    rng = random.Random(42)
    url = opts.db or f"{tmp}/big.sqlite3"
    store = Store.open(url, key=key)
    clock = [0]

    def now() -> str:
        clock[0] += 1
        day, sec = divmod(clock[0], 86_400)
        return f"2026-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}+00:00"

    def attempts():
        trainee, number = 0, 0
        for i in range(opts.attempts):
            if number == 0 or rng.random() < 0.6 or number >= exam.spec.attempts:
                trainee, number = trainee + 1, 0
            number += 1
            run = ExamRun(exam, f"trainee-{trainee:05d}", engine, store, key, now)  # not begun: records only
            run.attempt_no = number
            run.content = {"scenarios": {}, "personas": {}, "rule_pack": {}, "exam": exam.text_hash}
            skill = rng.random()
            for call in exam.spec.calls:
                if i % 97 == 0 and call is exam.spec.calls[-1]:
                    break  # an incomplete attempt now and then
                options = pool[call.scenario]
                pick = 0 if rng.random() < skill else rng.randrange(len(options))
                if opts.distinct:  # the same call in the trainee's own words: a unique employee number
                    said = variants(call.scenario)[pick]
                    said = [said[0] + f"我的工号是{10000 + i}。"] + said[1:]
                    run.record(engine.run_call(call.scenario, call.seed, said), duration_s=rng.uniform(60, 500))
                    continue
                run.record(options[pick], duration_s=rng.uniform(60, 500))
            if not run.pending():
                run.finish()
            record = run.to_record()
            text = canonical(record)
            yield record, text, key.sign(text)

    t0 = time.perf_counter()
    n = store.import_records(attempts())
    print(f"built and stored {n:,} signed attempts in {time.perf_counter() - t0:.1f} s ({store.shown})")

    # 3. report ---------------------------------------------------------------------------------------
    t0 = time.perf_counter()
    data = build_report(store, exam_id="foundation")
    html = render(data, "html")
    t_rep = time.perf_counter() - t0
    print(f"report --exam foundation in process: {t_rep:.2f} s ({len(html) / 1e6:.1f} MB HTML, "
          f"{data['summary']['attempts']:,} attempts, pass rate {data['summary']['pass_rate']})")
    for fmt in ("html", "csv", "json"):
        dt, proc = cli("report", "--exam", "foundation", "--format", fmt, "-o", f"{tmp}/r.{fmt}", "--db", url, env=env)
        assert proc.returncode == 0, proc.stderr
        print(f"report --exam foundation --format {fmt}, end to end: {dt:.2f} s")
    dt, proc = cli("report", "--trainee", "trainee-00001", "-o", f"{tmp}/t.html", "--db", url, env=env)
    assert proc.returncode == 0, proc.stderr
    print(f"report --trainee, end to end: {dt:.2f} s")

    # 4. verify ---------------------------------------------------------------------------------------
    t0 = time.perf_counter()
    rep = verify_store(store, key, None, rescore=False)
    print(f"verify --no-rescore in process: {time.perf_counter() - t0:.2f} s for {rep.checked:,} attempts")
    dt, proc = cli("verify", "--no-rescore", "--db", url, env=env)
    print(f"verify --no-rescore, end to end: {dt:.2f} s -> {proc.stdout.strip().splitlines()[-1]}")
    for jobs in ("1", "0"):
        dt, proc = cli("verify", "--jobs", jobs, "--db", url, env=env)
        last = proc.stdout.strip().splitlines()[-1]
        shown = "one per CPU" if jobs == "0" else jobs
        print(f"verify (signatures, fields, re-score; jobs {shown}, {os.cpu_count()} CPUs), end to end: "
              f"{dt:.2f} s -> {last}")
    if not opts.distinct:
        print(f"  (calls repeat here; with every call distinct, each of the {n * 4:,} calls is re-run at about "
              f"{per_call * 1e3:.1f} ms: see --distinct)")
    store.close()


if __name__ == "__main__":
    main()
