"""Every command the README shows runs as written (issue 13: runnable docs).

The README's ```bash blocks are read, each ``collector-sim …`` line is run from a scratch folder
holding a copy of ``examples/`` and ``tests/data/`` (so relative paths resolve as they do from the
checkout's root), in order, with a scratch results store and signing key. The app itself
(a bare ``collector-sim``, ``play``, ``exam``) needs a terminal and is driven by the TUI tests and
``bench/smoke_tmux.sh`` instead.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTERACTIVE = {"play", "exam"}


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out: list[list[str]] = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            for part in line.split("&&"):
                words = shlex.split(part, comments=True)
                if words and words[0] == "collector-sim":
                    out.append(words[1:])
    return out


def test_the_readme_shows_the_commands_a_newcomer_needs():
    cmds = readme_commands()
    names = {c[0] for c in cmds if c}
    assert {"score", "evaluate", "run", "list", "validate", "graph", "grade", "verify", "report", "test",
            "schema", "new", "exams"} <= names
    # every file a command reads is in the checkout
    for c in cmds:
        for w in c:
            if w.startswith("examples/"):
                assert (ROOT / w).exists(), f"README names {w}, which is not in the checkout"


def test_every_readme_command_runs_as_written(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "tests" / "data", tmp_path / "tests" / "data", ignore=shutil.ignore_patterns("certify"))
    env = dict(os.environ, COLLECTOR_SIM_HOME=str(tmp_path / "home"), COLLECTOR_SIM_DB=str(tmp_path / "results.db"),
               COLLECTOR_SIM_KEY="7f" * 32, PYTHONPATH=str(ROOT))
    ran = 0
    for args in readme_commands():
        if not args or args[0] in INTERACTIVE or args[0].startswith("-"):
            continue
        proc = subprocess.run([sys.executable, "-m", "simulator", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=180)
        shown = "collector-sim " + " ".join(args)
        assert "Traceback" not in proc.stderr, f"{shown}\n{proc.stderr}"
        assert proc.returncode == 0, f"{shown} exited {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        ran += 1
    assert ran >= 20
