"""Session files: every turn of a call, on disk as it happens.

Plain Python (no Textual), so the resume logic is tested without a terminal. One JSON Lines file
per call under ``<home>/sessions/``; ``<home>`` is ``$COLLECTOR_SIM_HOME`` or the user data
directory. Records, one a line, each written and flushed (and fsynced) before the screen shows
its effect, so a crash, a closed terminal or ``kill -9`` loses at most the reply being typed::

    {"kind": "start", "scenario": …, "seed": …, "mode": "practice|exam", "started": …, …}
    {"kind": "turn", "turn": 0, "trainee": "", "debtor": "…", "state": …}        # debtor speaks first
    {"kind": "turn", "turn": 1, "trainee": "…", "debtor": "…", "state": …, "scores": {…}, …}
    {"kind": "clock", "elapsed": 35.0}              # exam calls: the call clock, every few seconds
    {"kind": "interrupted", "signal": "SIGTERM", "elapsed": …}   # the app was told to stop
    {"kind": "end", "outcome": …, "ended_by": …, "summary": {…}}   # or {"kind": "abandoned"}

A file without an ``end`` or ``abandoned`` record is an unfinished call. Turn records carry
``elapsed`` (seconds on the call clock), so a resumed call goes on from where its clock stood.
A certification call's header names its attempt (``exam``, ``trainee``, ``attempt``,
``attempt_started``, ``call``, ``calls``, ``time_limit``): only ``collector-sim exam`` resumes it,
into that attempt; ``play --resume`` leaves it alone. Resuming replays the
recorded replies through the session engine with the recorded seed, which rebuilds the same state
(the engine is deterministic); the recorded debtor lines are compared to prove it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..paths import HOME_ENV, home_dir  # noqa: F401  (re-exported: the app and its tests use them from here)

FORMAT_VERSION = 1


@dataclass
class SessionRecord:
    """What a session file says (read back for the resume offer)."""

    path: Path
    header: dict[str, Any]
    turns: list[dict[str, Any]] = field(default_factory=list)
    end: dict[str, Any] | None = None
    clock: float = 0.0          # the furthest the call clock was recorded at (seconds)

    @property
    def scenario(self) -> str:
        return str(self.header.get("scenario", ""))

    @property
    def seed(self) -> int:
        return int(self.header.get("seed", 0))

    @property
    def mode(self) -> str:
        return str(self.header.get("mode", "practice"))

    @property
    def started(self) -> str:
        return str(self.header.get("started", ""))

    @property
    def replies(self) -> list[str]:
        return [str(t.get("trainee", "")) for t in self.turns if int(t.get("turn", 0)) > 0]

    @property
    def finished(self) -> bool:
        return self.end is not None

    @property
    def resumable(self) -> bool:
        """Unfinished and worth resuming (at least one reply said)."""
        return not self.finished and bool(self.replies)

    @property
    def certification(self) -> bool:
        """A call of a stored exam attempt (resumed only by ``collector-sim exam``)."""
        return self.header.get("attempt") is not None

    @property
    def elapsed(self) -> float:
        """Seconds on the call clock when the file was last written."""
        return self.clock

    @property
    def time_limit(self) -> float | None:
        value = self.header.get("time_limit")
        return float(value) if isinstance(value, (int, float)) and value > 0 else None


def read_record(path: Path) -> SessionRecord | None:
    """Read a session file; None if it has no header. A torn last line (killed mid-write) is skipped."""
    header: dict[str, Any] | None = None
    turns: list[dict[str, Any]] = []
    end: dict[str, Any] | None = None
    clock = 0.0
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(rec, dict):
            continue
        kind = rec.get("kind")
        if kind == "start" and header is None:
            header = rec
        elif kind == "turn" and header is not None:
            turns.append(rec)
        elif kind in ("end", "abandoned") and header is not None:
            end = rec
        for key in ("elapsed", "duration"):
            value = rec.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1e7:
                clock = max(clock, float(value))
    if header is None:
        return None
    return SessionRecord(path, header, turns, end, clock)


class SessionLog:
    """An open session file; ``append`` writes one record and makes it durable."""

    def __init__(self, path: Path, fsync: bool = True):
        self.path = path
        self._fsync = fsync
        path.parent.mkdir(parents=True, exist_ok=True)
        torn = False
        if path.exists() and path.stat().st_size:
            with open(path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                torn = fh.read(1) != b"\n"
        self._fh = open(path, "a", encoding="utf-8")
        if torn:  # a line cut short by a crash: end it, so the next record stands on its own line
            self._fh.write("\n")

    def append(self, record: dict[str, Any]) -> None:
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._fh.flush()
        if self._fsync:
            try:
                os.fsync(self._fh.fileno())
            except OSError:  # pragma: no cover - some filesystems refuse fsync
                pass

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    @property
    def closed(self) -> bool:
        return self._fh.closed


class SessionStore:
    """The folder of session files."""

    def __init__(self, home: Path | str | None = None):
        self.home = Path(home) if home is not None else home_dir()
        self.folder = self.home / "sessions"

    def new_log(self, header: dict[str, Any]) -> SessionLog:
        """Create a file for a new call and write its header."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        base = f"{stamp}-{header.get('scenario', 'call')}-{header.get('seed', 0)}"
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{base}.jsonl"
        n = 1
        while path.exists():
            n += 1
            path = self.folder / f"{base}-{n}.jsonl"
        log = SessionLog(path)
        log.append({"kind": "start", "v": FORMAT_VERSION, "started": datetime.now().isoformat(timespec="seconds"),
                    **header})
        return log

    def reopen(self, record: SessionRecord) -> SessionLog:
        """Keep appending to a resumed call's file."""
        log = SessionLog(record.path)
        log.append({"kind": "resumed", "at": datetime.now().isoformat(timespec="seconds"),
                    "replies": len(record.replies)})
        return log

    def records(self) -> Iterator[SessionRecord]:
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime, reverse=True):
            rec = read_record(path)
            if rec is not None:
                yield rec

    def unfinished(self, scenario: str | None = None) -> list[SessionRecord]:
        """Practice calls that can be resumed, newest first (a certification call is resumed only
        by ``collector-sim exam``, into its attempt)."""
        return [r for r in self.records()
                if r.resumable and not r.certification and (scenario is None or r.scenario == scenario)]

    def unfinished_exam_calls(self, scenario: str | None = None) -> list[SessionRecord]:
        """Certification calls left unfinished, newest first (to point ``play --resume`` at ``exam``)."""
        return [r for r in self.records()
                if r.certification and not r.finished and (scenario is None or r.scenario == scenario)]

    def exam_call(self, match: dict[str, Any]) -> SessionRecord | None:
        """The newest session file of one call of an exam attempt: its header holds every key of ``match``."""
        for rec in self.records():
            if all(rec.header.get(k) == v for k, v in match.items()):
                return rec
        return None

    def abandon(self, record: SessionRecord) -> None:
        """Mark an unfinished call as given up, so it is not offered again."""
        log = SessionLog(record.path)
        try:
            log.append({"kind": "abandoned", "at": datetime.now().isoformat(timespec="seconds")})
        finally:
            log.close()

    @property
    def exports(self) -> Path:
        return self.home / "exports"


def turn_record(result: Any) -> dict[str, Any]:
    """A session-file line for one ``TurnResult`` (what a resume needs, and what the debrief shows)."""
    rec: dict[str, Any] = {"kind": "turn", "turn": result.turn, "trainee": result.trainee, "debtor": result.debtor,
                           "speaker": result.speaker, "state": result.state, "variables": dict(result.variables), "at": round(time.time(), 3)}
    if result.analysis is not None:
        a = result.analysis
        rec["scores"] = dict(a.scores)
        rec["red_lines"] = [r.to_dict() for r in a.red_lines]
    if result.ended:
        rec["ended"] = True
        rec["outcome"] = result.outcome
    return rec
