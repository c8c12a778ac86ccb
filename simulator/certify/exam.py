"""Exams: a fixed set of scenario calls with fixed seeds, and the rules that pass an attempt.

An exam file (``exams/<id>.yaml``)::

    id: foundation
    title: 合规催收基础认证
    attempts: 3                 # attempts allowed per trainee (incomplete ones count)
    time_limit_s: 600           # optional, per call (enforced when the call's duration is known)
    pass:
      overall: 65               # mean of the calls' overall scores
      dimensions: {politeness: 60, clarity: 55, solution: 45}   # mean of each dimension
      min_call_overall: 40      # optional: every call at least this
      min_successful_calls: 2   # optional: calls ending in promise_to_pay / message_left
    calls:
      - {scenario: angry_card_dispute, seed: 7}

Any red line fails the attempt; that is not a setting. Exams are found like scenarios: any
``--path DIR`` (and ``DIR/exams``) first, then ``./exams``, then the centre's official folder
(``$COLLECTOR_SIM_OFFICIAL/exams``), then the bundled ones. Certification uses only the last two
(``official_only=True``); see ``simulator.official``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import Finding, LoadError, UserError
from ..vocab import DIMENSIONS, SUCCESS_OUTCOMES
from ..yamlsrc import Document, parse, read_text, validate
from .signing import sha256_hex


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PassRules(_Model):
    """What an attempt needs, besides having no red line at all."""

    overall: int = Field(ge=0, le=100, description="minimum mean overall score over the calls")
    dimensions: dict[Literal["politeness", "clarity", "solution"], int] = Field(
        default_factory=dict, description="minimum mean score per dimension over the calls")
    min_call_overall: int | None = Field(None, ge=0, le=100, description="every call's overall at least this")
    min_successful_calls: int | None = Field(
        None, ge=0, description="calls that must end in promise_to_pay or message_left")
    red_line_fails: Literal[True] = Field(
        True, description="always true: any red line fails the attempt (cannot be switched off)")

    @field_validator("dimensions")
    @classmethod
    def _range(cls, value: dict[str, int]) -> dict[str, int]:
        for dim, minimum in value.items():
            if not 0 <= minimum <= 100:
                raise ValueError(f"{dim}: a minimum score is 0-100, got {minimum}")
        return value


class ExamCall(_Model):
    scenario: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    seed: int = Field(ge=0, description="fixed, so every trainee meets the same debtor")
    time_limit_s: int | None = Field(None, gt=0, description="overrides the exam's time limit for this call")


class ExamFile(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    description: str = ""
    lang: str = "zh"
    attempts: int = Field(3, ge=1, le=100, description="attempts allowed per trainee; incomplete ones count")
    time_limit_s: int | None = Field(None, gt=0, description="per call; enforced when durations are recorded")
    pass_rules: PassRules = Field(alias="pass")
    calls: list[ExamCall] = Field(min_length=1)


@dataclass
class Exam:
    """A validated exam file and the exact text it was read from (hashed into every attempt)."""

    spec: ExamFile
    path: str
    doc: Document = field(repr=False)
    text_hash: str = ""
    origin: str = "bundled"

    @property
    def id(self) -> str:
        return self.spec.id

    def time_limit(self, call: ExamCall) -> int | None:
        return call.time_limit_s or self.spec.time_limit_s

    def summary(self) -> dict[str, Any]:
        s = self.spec
        rules = s.pass_rules.model_dump(exclude_none=True)
        return {"id": s.id, "title": s.title, "description": s.description, "lang": s.lang,
                "scenarios": [c.scenario for c in s.calls],
                "calls": [c.model_dump(exclude_none=True) for c in s.calls],
                "attempts": s.attempts, "time_limit_s": s.time_limit_s,
                "pass": rules, "source": self.origin, "path": self.path}


def _structure(exam: Exam) -> list[Finding]:
    """Checks within one file that the schema cannot express."""
    out: list[Finding] = []
    n = exam.spec.pass_rules.min_successful_calls
    if n is not None and n > len(exam.spec.calls):
        out.append(exam.doc.at(("pass", "min_successful_calls"), f"pass.min_successful_calls: {n} is more than "
                                                                  f"the exam's {len(exam.spec.calls)} calls"))
    return out


def _findings_for_calls(exam: Exam, scenarios: Any) -> list[Finding]:
    """Cross-file checks: every scenario exists, speaks the exam's language, appears once."""
    out: list[Finding] = []
    seen: dict[str, int] = {}
    known = sorted(getattr(scenarios, "scenarios", {}) or {})
    for i, call in enumerate(exam.spec.calls):
        loc = ("calls", i, "scenario")
        if call.scenario in seen:
            out.append(exam.doc.at(loc, f"calls.{i}.scenario: {call.scenario!r} is already call {seen[call.scenario]}; "
                                        "grade reads one replies file per scenario, so each may appear once"))
            continue
        seen[call.scenario] = i
        if scenarios is None:
            continue
        sc = scenarios.scenarios.get(call.scenario)
        if sc is None:
            shown = ", ".join(known) or "none found"
            out.append(exam.doc.at(loc, f"calls.{i}.scenario: unknown scenario {call.scenario!r} (known: {shown})"))
        elif getattr(sc.spec, "lang", exam.spec.lang) != exam.spec.lang:
            out.append(exam.doc.at(loc, f"calls.{i}.scenario: {call.scenario!r} is in {sc.spec.lang!r}, "
                                        f"the exam is in {exam.spec.lang!r}"))
    return out


def check_exam(path: Path | str, scenarios: Any = None, origin: str = "path") -> tuple[Exam | None, list[Finding]]:
    """Read, validate and check one exam file; the exam (None if it could not be read or fails its
    schema) and every ``path:line:col`` finding. With ``scenarios`` (a ``Catalog``), the calls are
    checked against it too (unknown scenario, another language)."""
    path = Path(path)
    try:
        text = read_text(path)
        doc = parse(text, str(path))
        spec = validate(doc, ExamFile)
    except LoadError as exc:
        return None, list(exc.findings)
    exam = Exam(spec, str(path), doc, sha256_hex(text), origin)
    problems = _structure(exam) + _findings_for_calls(exam, scenarios)
    return exam, sorted(set(problems), key=lambda f: (f.path, f.line, f.col, f.message))


def load_exam(path: Path | str, origin: str = "path") -> Exam:
    """Read and validate one exam file (schema only); LoadError with ``path:line:col`` findings."""
    exam, problems = check_exam(path, None, origin)
    if problems or exam is None:
        raise LoadError(problems)
    return exam


def looks_like_exam(path: Path | str) -> bool:
    """Is this file meant as an exam? In an ``exams/`` folder, or a mapping with ``calls:`` and
    ``pass:`` (or ``attempts:``) and nothing that makes it a scenario or persona. Unreadable files
    are not (whoever checks them reports why)."""
    p = Path(path)
    if p.parent.name == "exams":
        return True
    try:
        data = parse(read_text(p), str(p)).data
    except LoadError:
        return False
    return _looks_like_exam(data) and not any(k in data for k in ("persona", "case", "states", "transitions"))


def exam_search_dir(path: Path | str) -> Path:
    """Where the scenarios an exam file names are looked for first, as ``--path`` would: the folder
    above ``exams/`` for a file in an ``exams`` folder, else the file's own folder."""
    p = Path(path)
    return p.parent.parent if p.parent.name == "exams" else p.parent


def bundled_exams_dir() -> Path:
    """The bundled exams: inside the wheel (``simulator/_bundled/exams``) or the checkout's ``exams/``."""
    try:
        inside = Path(str(resources.files("simulator") / "_bundled" / "exams"))
        if inside.is_dir():
            return inside
    except (ModuleNotFoundError, TypeError):  # pragma: no cover
        pass
    return Path(__file__).resolve().parent.parent.parent / "exams"


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _looks_like_exam(data: Any) -> bool:
    return isinstance(data, dict) and "calls" in data and ("pass" in data or "attempts" in data)


class ExamCatalog:
    """Every exam in the search path, loaded once; broken files become findings."""

    def __init__(self) -> None:
        self.exams: dict[str, Exam] = {}
        self.findings: list[Finding] = []
        self.files: list[str] = []

    @classmethod
    def discover(cls, paths: Sequence[str | Path] = (), cwd: Path | None = None, *,
                 official_only: bool = False) -> "ExamCatalog":
        from ..official import official_dir

        cat = cls()
        cwd = cwd or Path.cwd()
        places: list[tuple[str, Path, bool]] = []  # (origin, folder, only files that look like exams)
        if not official_only:
            for p in paths:
                d = Path(p)
                if not d.is_dir():
                    raise UserError(f"--path {p}: not a directory")
                places += [("path", d, True), ("path", d / "exams", False)]
            places.append(("local", cwd / "exams", False))
        centre = official_dir()
        if centre is not None:
            places.append(("official", centre / "exams", False))
        bundled = bundled_exams_dir()
        places.append(("bundled", bundled, False))
        seen: set[Path] = set()
        for origin, folder, sniff in places:
            for f in _yaml_files(folder):
                real = f.resolve()
                if real in seen:
                    continue
                seen.add(real)
                if real.parent == bundled.resolve():
                    origin = "bundled"
                cat._add(f, origin, sniff)
        return cat

    def _add(self, path: Path, origin: str, sniff: bool) -> None:
        try:
            text = read_text(path)
            doc = parse(text, str(path))
        except LoadError as exc:
            if not sniff:
                self.files.append(str(path))
                self.findings += exc.findings
            return
        if sniff and not _looks_like_exam(doc.data):
            return  # a scenario or persona in a --path folder: not ours
        self.files.append(str(path))
        try:
            spec = validate(doc, ExamFile)
        except LoadError as exc:
            self.findings += exc.findings
            return
        if spec.id in self.exams:
            first = self.exams[spec.id]
            if first.origin == origin:
                self.findings.append(doc.at(("id",), f"id: duplicate exam id {spec.id!r} (also in {first.path})"))
            return  # a higher-priority place already has it
        exam = Exam(spec, str(path), doc, sha256_hex(text), origin)
        problems = _structure(exam)
        if problems:
            self.findings += problems
            return
        self.exams[spec.id] = exam

    def get(self, exam_id: str) -> Exam:
        try:
            return self.exams[exam_id]
        except KeyError:
            known = ", ".join(sorted(self.exams)) or "none found"
            raise UserError(f"unknown exam {exam_id!r}; known: {known}") from None

    def check(self, scenarios: Any) -> list[Finding]:
        """Every finding: broken files, and calls naming scenarios that do not exist."""
        out = list(self.findings)
        for exam in self.exams.values():
            out += _findings_for_calls(exam, scenarios)
        return sorted(set(out), key=lambda f: (f.path, f.line, f.col, f.message))

    def check_exam(self, exam: Exam, scenarios: Any) -> list[Finding]:
        return _findings_for_calls(exam, scenarios)
