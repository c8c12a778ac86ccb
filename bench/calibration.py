"""Call scores of textbook, clumsy and rude calls (tests/golden_calls.py, tests/calibration_calls.py):
the session's summary and the pure call score (simulator/analyzer/callscore.py), per call and per
style. Usage: python bench/calibration.py"""

from __future__ import annotations

import sys
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from calibration_calls import CLUMSY, RUDE  # noqa: E402
from golden_calls import GOOD  # noqa: E402

from simulator.analyzer.callscore import call_scores  # noqa: E402
from simulator.scenario import Catalog  # noqa: E402
from simulator.session import Session  # noqa: E402

DIMS = ("politeness", "clarity", "solution", "overall")


def main() -> None:
    catalog = Catalog.discover()
    for style, calls in (("textbook", GOOD), ("clumsy", CLUMSY), ("rude", RUDE)):
        rows = []
        for sid, label, replies in calls:
            s = Session.replay(catalog.get(sid), 7, replies, finish=True)
            summ = s.summary()
            turns = [t.analysis for t in s.turns if t.analysis is not None]
            cs = call_scores(turns, s.steps())
            rows.append((summ, cs))
            print(f"{style:9} {sid:34} {label:12} {s.outcome:15} session "
                  + " ".join(f"{summ[d]:3}" for d in DIMS) + "   call " + " ".join(f"{cs[d]:3}" for d in DIMS))
        print(f"{style:9} {'mean':34} {'':12} {'':15} session "
              + " ".join(f"{mean(r[0][d] for r in rows):3.0f}" for d in DIMS)
              + "   call " + " ".join(f"{mean(r[1][d] for r in rows):3.0f}" for d in DIMS) + "\n")


if __name__ == "__main__":
    main()
