"""Scenarios: a persona plus the case file the trainee reads before the call.

Where scenarios and personas are found, highest priority first: every ``--path DIR`` (its YAML
files, and its ``scenarios/`` and ``personas/`` folders), then ``./scenarios`` and ``./personas``,
then the bundled set (``simulator/_bundled/…`` in an installed wheel, the checkout's top-level
folders otherwise). A scenario id found in a higher-priority place hides the bundled one, so a
trainer can adapt a bundled scenario without touching the package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .errors import Finding, LoadError, UserError
from .persona import Overrides, Persona, apply_overrides, check_persona
from .yamlsrc import Document, load, validate

PRODUCTS = {
    "credit_card": "信用卡",
    "consumer_loan": "消费贷款",
    "business_loan": "小微企业经营贷款",
    "online_loan": "网络小额贷款",
    "car_loan": "汽车贷款",
}
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Answerer(_Model):
    """Who picks up the phone. ``本人`` is the debtor; anyone else is a third party."""

    relation: str = Field("本人", description="本人, 母亲, 父亲, 妻子, 丈夫, 同事, 室友, 担保人 …")
    name: str | None = None
    informed: bool = Field(False, description="a guarantor, or a contact who already knows of the loan")

    @property
    def is_debtor(self) -> bool:
        return self.relation == "本人"


class Case(_Model):
    """The case file (案件资料): what the trainee knows before dialling."""

    debtor_name: str = Field(min_length=2)
    honorific: Literal["先生", "女士"]
    creditor: str = Field(min_length=2, description="the institution the trainee calls for")
    product: Literal["credit_card", "consumer_loan", "business_loan", "online_loan", "car_loan"]
    product_name: str | None = Field(None, description="shown to the trainee, e.g. 白金信用卡")
    amount: float = Field(gt=0, description="amount overdue, yuan")
    overdue_days: int = Field(ge=1)
    history: str = Field("", description="what happened so far: past calls, promises, payments")
    reason: str = Field("", description="why the debtor is not paying (the debtor says it when asked)")
    monthly_capacity: int | None = Field(None, gt=0, description="what the debtor can really pay a month")
    lawsuit_filed: bool = False
    clock: str = Field("10:30", description="local time of the call, HH:MM")
    calls_today: int = Field(1, ge=1, description="this call included")
    answerer: Answerer = Field(default_factory=Answerer)

    @field_validator("clock")
    @classmethod
    def _clock(cls, value: str) -> str:
        m = _CLOCK.match(str(value).strip())
        if not m:
            raise ValueError(f"clock must be HH:MM (24h), got {value!r}")
        return f"{int(m.group(1)):02d}:{m.group(2)}"

    @property
    def surname(self) -> str:
        return self.debtor_name[0]

    @property
    def amount_text(self) -> str:
        return f"{self.amount:.2f}".rstrip("0").rstrip(".") + "元"

    def to_public(self) -> dict[str, Any]:
        """The case file as ``list --json`` shows it."""
        out = self.model_dump(mode="json")
        amount = out["amount"]
        out["amount"] = int(amount) if float(amount).is_integer() else amount
        out["product_label"] = self.product_name or PRODUCTS[self.product]
        return out


class Expect(_Model):
    outcome: Literal["promise_to_pay", "message_left", "no_agreement", "hung_up", "complaint"] | None = None
    passed: bool | None = None
    red_lines: list[dict[str, Any]] = Field(default_factory=list, description="[{rule, turn}]")


class TestCall(_Model):
    """A test call a scenario carries (run by ``collector-sim test``)."""

    name: str
    seed: int = 0
    replies: list[str] = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)


class ScenarioFile(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    persona: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    difficulty: int = Field(ge=1, le=5)
    lang: str = "zh"
    profile: str | None = Field(None, description="rule-pack hours profile: seeds (default) or cba2026")
    objective: str = ""
    case: Case
    overrides: Overrides | None = None
    tests: list[TestCall] = Field(default_factory=list)


@dataclass
class Scenario:
    """A scenario file, validated, with the persona it plays (overrides applied)."""

    spec: ScenarioFile
    path: str
    doc: Document = field(repr=False)
    origin: str = "bundled"
    catalog: "Catalog | None" = field(default=None, repr=False)
    _persona: Persona | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def case(self) -> Case:
        return self.spec.case

    def persona(self) -> Persona:
        """The persona as this scenario plays it; LoadError if it is missing or broken."""
        if self._persona is None:
            persona, findings = self.check_persona()
            if findings or persona is None:
                raise LoadError(findings)
            self._persona = persona
        return self._persona

    def check_persona(self) -> tuple[Persona | None, list[Finding]]:
        catalog = self.catalog or Catalog.discover()
        path = catalog.persona_path(self.spec.persona)
        if path is None:
            known = ", ".join(sorted(catalog.persona_paths)) or "none found"
            return None, [self.doc.at(("persona",), f"persona: unknown persona {self.spec.persona!r} (known: {known})")]
        base, findings = catalog.persona(path)
        if base is None or findings:
            return None, findings
        persona, more = apply_overrides(base, self.spec.overrides, self.doc, ("overrides",))
        if persona.spec.checklist == "third_party" and self.case.answerer.is_debtor:
            more.append(self.doc.at(("case", "answerer"), f"case.answerer: persona {persona.id!r} is a "
                                    "third-party call; set answerer.relation (母亲, 同事, 担保人 …)"))
        if persona.spec.checklist == "debtor" and not self.case.answerer.is_debtor:
            more.append(self.doc.at(("case", "answerer"), f"case.answerer: persona {persona.id!r} expects the "
                                    "debtor to answer (relation: 本人)"))
        return persona, more

    def summary(self) -> dict[str, Any]:
        s = self.spec
        return {"id": s.id, "title": s.title, "persona": s.persona, "difficulty": s.difficulty,
                "lang": s.lang, "objective": s.objective, "source": self.origin, "path": self.path,
                "case": s.case.to_public()}


# -- discovery ---------------------------------------------------------------------------------

def bundled_root() -> Path:
    """Where the bundled personas/ and scenarios/ live: in the wheel or in the checkout."""
    try:
        inside = Path(str(resources.files("simulator") / "_bundled"))
        if (inside / "scenarios").is_dir():
            return inside
    except (ModuleNotFoundError, TypeError):  # pragma: no cover
        pass
    return Path(__file__).resolve().parent.parent


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _kind(doc_data: Any) -> str:
    if isinstance(doc_data, dict):
        if "states" in doc_data or "transitions" in doc_data:
            return "persona"
        if "persona" in doc_data or "case" in doc_data:
            return "scenario"
    return "unknown"


class Catalog:
    """Every scenario and persona in the search path, loaded once."""

    def __init__(self) -> None:
        self.scenarios: dict[str, Scenario] = {}
        self.persona_paths: dict[str, str] = {}
        self.findings: list[Finding] = []
        self.files: list[str] = []
        self._personas: dict[str, tuple[Persona | None, list[Finding]]] = {}

    @staticmethod
    def _places(paths: Sequence[str | Path], cwd: Path | None) -> list[tuple[str, Path, str]]:
        """(origin, folder, expected kind or "") in priority order."""
        cwd = cwd or Path.cwd()
        root = bundled_root()
        places: list[tuple[str, Path, str]] = []
        for p in paths:
            d = Path(p)
            if not d.is_dir():
                raise UserError(f"--path {p}: not a directory")
            places += [("path", d, ""), ("path", d / "scenarios", "scenario"), ("path", d / "personas", "persona")]
        places += [("local", cwd / "scenarios", "scenario"), ("local", cwd / "personas", "persona")]
        places += [("bundled", root / "scenarios", "scenario"), ("bundled", root / "personas", "persona")]
        bundled = {(root / "scenarios").resolve(), (root / "personas").resolve()}
        return [("bundled" if folder.resolve() in bundled else origin, folder, kind)
                for origin, folder, kind in places]

    @classmethod
    def discover(cls, paths: Sequence[str | Path] = (), cwd: Path | None = None) -> "Catalog":
        cat = cls()
        seen_files: set[Path] = set()
        for origin, folder, kind in cls._places(paths, cwd):
            for f in _yaml_files(folder):
                real = f.resolve()
                if real in seen_files:
                    continue
                seen_files.add(real)
                cat._add_file(f, origin, kind)
        return cat

    @classmethod
    def find(cls, scenario_id: str, paths: Sequence[str | Path] = (), cwd: Path | None = None) -> Scenario:
        """One scenario, reading as few files as priority allows: every file of a place that comes
        before the one holding ``<id>.yaml`` is read (any of them could carry the id), later ones not.
        Personas are indexed by file name without being read."""
        cat = cls()
        places = cls._places(paths, cwd)
        for origin, folder, kind in places:
            if kind == "persona":
                for f in _yaml_files(folder):
                    cat.persona_paths.setdefault(f.stem, str(f))
        seen_files: set[Path] = set()
        for origin, folder, kind in places:
            if kind == "persona":
                continue
            direct = folder / f"{scenario_id}.yaml"
            if kind == "scenario" and direct.is_file() and direct.resolve() not in seen_files:
                seen_files.add(direct.resolve())
                cat._add_file(direct, origin, kind)
                if scenario_id in cat.scenarios:
                    return cat.scenarios[scenario_id]
            for f in _yaml_files(folder):
                real = f.resolve()
                if real in seen_files:
                    continue
                seen_files.add(real)
                cat._add_file(f, origin, kind)
            if scenario_id in cat.scenarios:
                return cat.scenarios[scenario_id]
        return cls.discover(paths, cwd).get(scenario_id)  # not found: the full list for the message

    def _add_file(self, path: Path, origin: str, kind: str) -> None:
        if kind == "persona":
            self.persona_paths.setdefault(path.stem, str(path))
            self.files.append(str(path))
            return
        try:
            doc = load(path)
        except LoadError as exc:
            self.files.append(str(path))
            self.findings += exc.findings
            return
        found = _kind(doc.data)
        if found == "persona" or (kind == "" and found == "persona"):
            self.persona_paths.setdefault(path.stem, str(path))
            self.files.append(str(path))
            return
        if kind == "" and found != "scenario":
            return  # some other YAML in a --path folder (an exam, a rule file): not ours
        self.files.append(str(path))
        try:
            spec = validate(doc, ScenarioFile)
        except LoadError as exc:
            self.findings += exc.findings
            return
        if spec.id in self.scenarios:
            first = self.scenarios[spec.id]
            if first.origin == origin:
                self.findings.append(doc.at(("id",), f"id: duplicate scenario id {spec.id!r} (also in {first.path})"))
            return  # a higher-priority place already has it
        self.scenarios[spec.id] = Scenario(spec, str(path), doc, origin, self)

    def persona_path(self, persona_id: str) -> str | None:
        return self.persona_paths.get(persona_id)

    def persona(self, path: str) -> tuple[Persona | None, list[Finding]]:
        if path not in self._personas:
            self._personas[path] = check_persona(path)
        return self._personas[path]

    def get(self, scenario_id: str) -> Scenario:
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            known = ", ".join(sorted(self.scenarios)) or "none found"
            raise UserError(f"unknown scenario {scenario_id!r}; known: {known}") from None

    def validate_all(self) -> list[Finding]:
        """Every finding in every file found: schema, persona lint, overrides, duplicates."""
        findings = list(self.findings)
        for pid, path in sorted(self.persona_paths.items()):
            persona, more = self.persona(path)
            findings += more
            if persona is not None and persona.id != pid:
                findings.append(persona.doc.at(("id",), f"id: {persona.id!r} differs from the file name "
                                               f"{pid!r}; scenarios find personas by file name"))
        for sc in self.scenarios.values():
            _, more = sc.check_persona()
            findings += [f for f in more if f.path == sc.path]  # persona findings are listed above
        return _unique(findings)


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.col, f.message))


def check_files(paths: Sequence[str | Path], search: Sequence[str | Path] = ()) -> tuple[list[Finding], int]:
    """Validate the given files or folders (personas referenced by scenarios are looked up in the
    search path, then beside the file). Returns findings and how many files were checked."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files += _yaml_files(p) + _yaml_files(p / "scenarios") + _yaml_files(p / "personas")
        else:
            files.append(p)
    cat = Catalog.discover(search)
    # personas beside the files given win over the catalog's, so a trainer checks their own work
    local = Catalog()
    for f in files:
        try:
            doc = load(f)
        except LoadError as exc:
            local.findings += exc.findings
            local.files.append(str(f))
            continue
        kind = _kind(doc.data)
        if kind == "persona" or f.parent.name == "personas":
            local.persona_paths[f.stem] = str(f)
        local.files.append(str(f))
    for f in files:  # personas kept beside the scenarios being checked
        for folder in (f.parent / "personas", f.parent.parent / "personas"):
            for pf in _yaml_files(folder):
                local.persona_paths.setdefault(pf.stem, str(pf))
    for pid, path in cat.persona_paths.items():
        local.persona_paths.setdefault(pid, path)
    findings = list(local.findings)
    for f in files:
        if str(f) not in local.files or any(x.path == str(f) for x in local.findings):
            continue
        if local.persona_paths.get(f.stem) == str(f):
            findings += local.persona(str(f))[1]
            continue
        doc = load(f)
        if _kind(doc.data) == "unknown":
            findings.append(doc.at((), "not a persona (needs states:) or a scenario (needs persona: and case:)"))
            continue
        try:
            spec = validate(doc, ScenarioFile)
        except LoadError as exc:
            findings += exc.findings
            continue
        sc = Scenario(spec, str(f), doc, "path", local)
        persona, more = sc.check_persona()
        findings += more
    # duplicate ids among the files given
    ids: dict[str, str] = {}
    for f in files:
        if str(f) in local.persona_paths.values():
            continue
        try:
            doc = load(f)
        except LoadError:
            continue
        if isinstance(doc.data, dict) and _kind(doc.data) == "scenario" and isinstance(doc.data.get("id"), str):
            sid = doc.data["id"]
            if sid in ids:
                findings.append(doc.at(("id",), f"id: duplicate scenario id {sid!r} (also in {ids[sid]})"))
            else:
                ids[sid] = str(f)
    return _unique(findings), len(files)
