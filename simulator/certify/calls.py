"""The one place certification meets the session engine.

Grading, the TUI's exam mode and ``verify`` all run calls through a ``CallEngine``: it finds
scenarios (bundled, the centre's official folder, ``./scenarios``, ``--path``), starts sessions
with the exam's fixed seed, replays recorded replies, and fingerprints everything a score depends
on (scenario and persona files, the rule pack) so a stored attempt says exactly what it was judged
against. ``unofficial(exam)`` names every file an exam would use from outside the official set
(certification refuses those); ``CallEngine(official_only=True)`` sees the official set only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from .. import __version__
from .signing import sha256_hex


class Engine(Protocol):
    """What certification needs from the simulator (tests may pass a stand-in)."""

    version: str

    def run_call(self, scenario_id: str, seed: int, replies: Sequence[str]) -> dict[str, Any]: ...

    def content_hashes(self, scenario_ids: Iterable[str], lang: str) -> dict[str, Any]: ...


@lru_cache(maxsize=256)
def _file_hash(path: str, mtime_ns: int, size: int) -> str:
    return sha256_hex(Path(path).read_bytes())


def file_hash(path: str | Path) -> str:
    p = Path(path)
    st = p.stat()
    return _file_hash(str(p.resolve()), st.st_mtime_ns, st.st_size)


def rule_pack_hash(lang: str) -> str:
    """One hash over every file of the rule pack, by name and content."""
    from ..analyzer import get_pack

    pack = get_pack(lang)
    lines = [f"{Path(f).name}\0{file_hash(f)}" for f in sorted(pack.files, key=lambda f: Path(f).name)]
    return sha256_hex("\n".join(lines))


def slim_turn(turn: dict[str, Any]) -> dict[str, Any]:
    """What a stored transcript keeps of a turn: the words, the debtor's state, the reply's score.

    Mood gauges and trigger traces are left out; ``verify`` recomputes them by replaying the call.
    """
    score = turn.get("score")
    slim_score = None
    if score is not None:
        slim_score = {
            "scores": score.get("scores", {}),
            "features": score.get("features", []),
            "red_lines": [{k: r.get(k) for k in ("rule", "start", "end", "evidence", "message")}
                          for r in score.get("red_lines", [])],
        }
    return {"turn": turn.get("turn"), "trainee": turn.get("trainee", ""), "debtor": turn.get("debtor"),
            "state": turn.get("state"), "score": slim_score}


def slim_call(result: dict[str, Any]) -> dict[str, Any]:
    """The stored form of one call (the contract's ``run --json`` with slimmer turns)."""
    return {"scenario": result["scenario"], "persona": result.get("persona"), "seed": result.get("seed"),
            "turns": [slim_turn(t) for t in result.get("turns", [])], "outcome": result.get("outcome"),
            "summary": result.get("summary", {})}


def replies_of(call: dict[str, Any]) -> list[str]:
    """The trainee's replies in a stored or full call, in order (turn 0 has none)."""
    return [t["trainee"] for t in call.get("turns", []) if t.get("turn") != 0 and t.get("trainee")]


class CallEngine:
    """The simulator's session engine, as certification uses it."""

    version = __version__

    def __init__(self, paths: Sequence[str | Path] = (), cwd: Path | None = None, *, official_only: bool = False):
        from ..official import definitions_set
        from ..scenario import Catalog

        self.paths = [] if official_only else [str(p) for p in paths]
        self.official_only = official_only
        self.definitions = definitions_set()
        self.catalog = Catalog.discover(self.paths, cwd, official_only=official_only)

    def unofficial(self, exam: Any) -> list[str]:
        """Every file the exam would be judged with that is not an official definition: the exam
        file itself, its scenarios and their personas when the working folder or ``--path`` shadows
        them. Empty for an exam certification may use."""
        from ..official import is_official, official_folders

        folders = official_folders()
        out: list[str] = []
        if not is_official(exam.path, folders):
            out.append(f"exam {exam.id} from {exam.path}")
        for call in exam.spec.calls:
            sc = self.catalog.scenarios.get(call.scenario)
            if sc is None:
                continue
            if not is_official(sc.path, folders):
                out.append(f"scenario {sc.id} from {sc.path}")
            ppath = self.catalog.persona_path(sc.spec.persona)
            if ppath is not None and not is_official(ppath, folders):
                out.append(f"persona {sc.spec.persona} from {ppath}")
        return list(dict.fromkeys(out))

    def scenario_facts(self, scenario_id: str) -> dict[str, Any]:
        """What a record keeps of a scenario, so ``verify`` can say what changed in it later."""
        sc = self.scenario(scenario_id)
        return sc.spec.model_dump(mode="json", exclude={"tests"}, exclude_none=True)

    def check_exam(self, exam: Any) -> list[Any]:
        """Findings for an exam against the scenarios this engine can find (unknown ids …)."""
        from .exam import _findings_for_calls

        return _findings_for_calls(exam, self.catalog)

    def scenario(self, scenario_id: str) -> Any:
        return self.catalog.get(scenario_id)

    def session(self, scenario_id: str, seed: int) -> Any:
        """A fresh session for the TUI to drive (``start``, ``reply``, ``finish``, ``to_dict``)."""
        from ..session import Session

        return Session(self.scenario(scenario_id), seed)

    def run_call(self, scenario_id: str, seed: int, replies: Sequence[str]) -> dict[str, Any]:
        """A whole call from recorded replies; replies after the debtor hangs up are not used."""
        session = self.session(scenario_id, seed)
        session.start()
        for text in replies:
            if session.ended:
                break
            session.reply(text)
        session.finish()
        return session.to_dict()

    def content_hashes(self, scenario_ids: Iterable[str], lang: str) -> dict[str, Any]:
        scenarios: dict[str, str] = {}
        personas: dict[str, str] = {}
        for sid in scenario_ids:
            sc = self.scenario(sid)
            scenarios[sid] = file_hash(sc.path)
            ppath = self.catalog.persona_path(sc.spec.persona)
            if ppath is not None:
                personas[sc.spec.persona] = file_hash(ppath)
        return {"scenarios": scenarios, "personas": personas, "rule_pack": {lang: rule_pack_hash(lang)}}
