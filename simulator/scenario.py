"""Scenarios: a persona plus the case file the trainee reads before the call.

Where scenarios and personas are found, highest priority first: every ``--path DIR`` (its YAML
files, and its ``scenarios/`` and ``personas/`` folders), then ``./scenarios`` and ``./personas``,
then the centre's official folder when ``$COLLECTOR_SIM_OFFICIAL`` names one, then the bundled set
(``simulator/_bundled/…`` in an installed wheel, the checkout's top-level folders otherwise). A
scenario id found in a higher-priority place hides the bundled one, so a trainer can adapt a
bundled scenario without touching the package. ``official_only=True`` (certification) searches
only the official places: the centre's folder and the bundled set.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import vocab
from .errors import Finding, LoadError, UserError
from .vocab import RELATION_KINDS, relation_kind
from .persona import Overrides, Persona, apply_overrides, check_persona, colon_hint
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


_AFTER = re.compile(r"^(?:asks_for_debtor|asks_to_put_on|turn ?([1-9]\d?))$")


class HandsOver(_Model):
    """A third party answers first, then hands the phone to the debtor (转接给本人)."""

    after: str = Field("asks_for_debtor", description=(
        "什么时候把电话交给本人 · when the debtor takes the phone: asks_for_debtor (the trainee asks for the "
        "debtor: names them in a question, asks if it is them, or asks to put them on — default), "
        "asks_to_put_on (only when asked to put them on: 请他本人接一下电话), or turn N (after the Nth reply, "
        "whatever it says)"),
        json_schema_extra={"examples": ["asks_for_debtor", "asks_to_put_on", "turn 2"],
                           "pattern": r"^(asks_for_debtor|asks_to_put_on|turn ?[1-9][0-9]?)$"})
    greeting: str | None = Field(None, description=(
        "接听人接起电话的第一句(不写用默认)· the third party's first words when picking up (default: 喂,您好,哪位?)"))
    before: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list, description=(
        "交给本人之前,接听人对其他话的回答,每次选一句没说过的 · what the third party says to other replies before "
        "the hand-over (a line not said yet each time; default: 您找他什么事?…)"),
        json_schema_extra={"examples": [["他在后厨忙着呢,您找他什么事?", "您是哪里?找他有什么事?"]]})
    lines: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list, description=(
        "交出电话时说的话(选一句)· what the third party says as they hand over (one is picked; default: "
        "您稍等,我叫他来接……)"),
        json_schema_extra={"examples": [["您等一下,我叫他……老张,电话!"]]})

    @field_validator("after", mode="before")
    @classmethod
    def _after(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError(f"after: write turn {value} (the words, not the number alone)")
        if isinstance(value, str):
            value = " ".join(value.split())
            if not _AFTER.match(value):
                raise ValueError(f"after: {value!r} is not asks_for_debtor, asks_to_put_on or turn N (N ≥ 1)")
        return value

    @property
    def turn(self) -> int | None:
        """The reply after which the debtor takes the phone (``turn N``), or None (when asked)."""
        m = _AFTER.match(self.after)
        return int(m.group(1)) if m and m.group(1) else None


class Answerer(_Model):
    """Who picks up the phone. ``本人`` is the debtor; anyone else is a third party."""

    relation: str = Field("本人", description="谁接的电话 · who answers: 本人 (the debtor), 母亲, 父亲, 妻子, 丈夫, "
                                            "同事, 室友, 担保人 …",
                          json_schema_extra={"examples": ["本人", "母亲", "同事", "室友", "担保人"]})
    name: str | None = Field(None, description="接听人姓名(可不填)· the answerer's name, if known")
    informed: bool = Field(False, description="担保人或已知情的联系人,可以听欠款信息 · a guarantor, or a contact "
                                              "who already knows of the loan")
    kind: Literal[RELATION_KINDS] | None = Field(None, description=(  # type: ignore[valid-type]
        "接听人类别(不写则由 relation 推断)· the kind of answerer, for the persona's relation lines "
        "(relations:); derived from relation when omitted: 母亲 → parent, 同事 → colleague, 担保人 → guarantor"))
    whereabouts: str = Field("", description=(
        "接听人知道的本人去向,台词里用 {whereabouts} · what the answerer knows of where the debtor is"),
        json_schema_extra={"examples": ["去深圳打工了", "早就搬走了,不知道去哪了"]})
    has_new_number: bool = Field(False, description=(
        "接听人知道本人的新号码 · the answerer knows the debtor's new number (condition case:has_new_number)"))
    hands_over: HandsOver | None = Field(None, description=(
        "接听人先接,再把电话交给本人(转接)· the third party answers first, then hands the phone to the debtor: "
        "a debtor persona (angry, evasive, hardship) plays the debtor from then on"))

    @property
    def is_debtor(self) -> bool:
        return self.relation == "本人"

    @property
    def relation_kind(self) -> str:
        """parent, spouse, colleague, roommate, guarantor, informed … (``vocab.RELATION_KINDS``)."""
        return self.kind or relation_kind(self.relation, self.informed)


class Capacity(_Model):
    """What the debtor can really pay: the negotiation is measured against it."""

    lump_sum: int | None = Field(None, gt=0, description=(
        "一次最多能拿出多少(元)· the most they can pay in one go; default: the whole debt up to 5,000, "
        "else 30% of it"))
    earliest_days: int = Field(0, ge=0, le=365, description=(
        "最早几天后能还(0 = 今天)· the soonest they can pay, in days from the call (0 = today)"))
    monthly: int | None = Field(None, gt=0, description=(
        "分期每月最多还多少 · the most a month in instalments; default: monthly_capacity, else the debt / 12"))
    convinced_by: list[str] = Field(default_factory=list, description=(
        "答应任何方案之前,通话里必须已经出现的动作/事实 · acts or facts that must have happened in the call "
        "before they accept any offer (asks_situation, fee_reduction, official_verification, done:verified …)"),
        json_schema_extra={"examples": [["asks_situation"], ["official_verification", "acknowledges_dispute"]]})


class Case(_Model):
    """The case file (案件资料): what the trainee knows before dialling."""

    debtor_name: str = Field(min_length=2, description="债务人姓名 · the debtor's full name, e.g. 张伟")
    honorific: Literal["先生", "女士", "Mr.", "Ms.", "Mrs."] = Field(description=(
        "称呼 · 先生 or 女士; an English scenario may write Mr., Ms. or Mrs. (kept as 先生 / 女士; each "
        "language's catalog says how to address the debtor)"))
    creditor: str = Field(min_length=2, description="委托机构 · the institution the trainee calls for")
    product: Literal["credit_card", "consumer_loan", "business_loan", "online_loan", "car_loan"] = Field(
        description="产品 · credit_card 信用卡, consumer_loan 消费贷款, business_loan 经营贷, online_loan 网贷, "
                    "car_loan 车贷")
    product_name: str | None = Field(None, description="shown to the trainee, e.g. 白金信用卡")
    amount: float = Field(gt=0, description="逾期金额(元)· amount overdue, yuan")
    overdue_days: int = Field(ge=1, description="逾期天数 · days overdue")
    history: str = Field("", description="what happened so far: past calls, promises, payments")
    reason: str = Field("", description="why the debtor is not paying (the debtor says it when asked)")
    monthly_capacity: int | None = Field(None, gt=0, description="what the debtor can really pay a month "
                                          "(the same as capacity.monthly)")
    capacity: Capacity = Field(default_factory=Capacity, description=(
        "还款能力:一次能拿出多少、每月最多多少、最早哪天 · what the debtor can really pay: the negotiation "
        "accepts an offer within it and counters otherwise"))
    date: _dt.date = Field(_dt.date(2026, 3, 16), description=(
        "通话日期,用来换算「15号」「本周五」· the day of the call (YYYY-MM-DD), to resolve 15号 / 本周五; "
        "default 2026-03-16, a Monday"))
    lawsuit_filed: bool = Field(False, description="是否真的已起诉 · has a lawsuit really been filed? (if not, "
                                                   "claiming one is the false_legal red line)")
    clock: str = Field("10:30", description="local time of the call, HH:MM (quote it: \"10:30\")",
                       json_schema_extra={"pattern": r"^([01]?\d|2[0-3]):[0-5]\d$"})
    calls_today: int = Field(1, ge=1, description="this call included")
    answerer: Answerer = Field(default_factory=Answerer, description="谁接的电话 · who picks up the phone")
    concessions: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list, description=(
        "授权方案:学员在这通电话里可以提出的让步,一条一项(最多分几期、可否减免罚息/违约金、最长延期几天、"
        "首付不低于多少)· what the trainee is authorised to offer, one item each: the most instalments, "
        "whether penalty interest or fees may be reduced, the longest deferral, the smallest first payment"),
        json_schema_extra={"examples": [["最多分 12 期(每期约 1100 元)", "可申请减免部分罚息和违约金,本金不减",
                                         "最长延期 15 天", "先还一部分,首笔不低于 1000 元"]]})

    @field_validator("honorific")
    @classmethod
    def _honorific(cls, value: str) -> str:
        """One code for the case file (``list --json`` shows 先生|女士); Mr. → 先生, Ms./Mrs. → 女士."""
        return {"Mr.": "先生", "Ms.": "女士", "Mrs.": "女士"}.get(value, value)

    @field_validator("clock", mode="before")
    @classmethod
    def _unquoted_clock(cls, value: Any) -> Any:
        """YAML 1.1 reads an unquoted 10:30 as the base-60 number 630: take it back to 10:30."""
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            return f"{value // 60:02d}:{value % 60:02d}"
        return value

    @field_validator("clock")
    @classmethod
    def _clock(cls, value: str) -> str:
        m = _CLOCK.match(str(value).strip())
        if not m:
            raise ValueError(f"clock must be HH:MM (24h), got {value!r}")
        return f"{int(m.group(1)):02d}:{m.group(2)}"

    @property
    def surname(self) -> str:
        """张伟 → 张; an English name (with a space) → its last word: John Miller → Miller."""
        parts = self.debtor_name.split()
        return parts[-1] if len(parts) > 1 else self.debtor_name[0]

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


RedLineName = Literal[vocab.RED_LINE_IDS]  # type: ignore[valid-type]
OutcomeName = Literal[vocab.OUTCOMES]  # type: ignore[valid-type]
_ID = r"^[a-z][a-z0-9_]*$"


class ExpectedRedLine(_Model):
    """A red line the test call must cross (a bad-call test), at a given reply if ``turn`` is set."""

    rule: RedLineName = Field(description="红线 id · the red-line id")
    turn: int | None = Field(None, ge=1, description="第几句回复(从 1 开始);不写则任一句 · which reply "
                                                    "(1 = the first); omit for any")


class Reply(_Model):
    """A trainee reply with what must happen right after it (Botium/Rasa-style turn checks)."""

    say: str = Field(min_length=1, description="学员说的话 · what the trainee says")
    state: str | None = Field(None, description="这句之后债务人应处的状态 · the debtor's state after this reply")
    red_lines: list[RedLineName] | None = Field(None, description=(
        "这句应触碰的红线;[] 表示不应触碰 · the red lines this reply must cross; [] for none"))


class Expect(_Model):
    """What the test call must end with. Red lines are always checked: any red line not listed
    here (or on a reply) fails the test, so a good-call test needs no ``red_lines`` at all."""

    outcome: OutcomeName | None = Field(None, description=(
        "通话结果 · how the call must end: promise_to_pay, message_left, no_agreement, hung_up, complaint"))
    passed: bool | None = Field(None, description="通话是否合格(没有红线)· whether the call passes (no red line)")
    path: list[str] | None = Field(None, description=(
        "债务人依次经过的状态,从初始状态开始 · the states the debtor goes through, starting with the initial one"))
    red_lines: list[ExpectedRedLine | RedLineName] = Field(default_factory=list, description=(
        "应触碰的红线,如 {rule: abuse, turn: 2} 或 abuse · red lines the call must cross"))


class TestCall(_Model):
    """A test call a scenario carries (run by ``collector-sim test``): replies and what must happen."""

    __test__ = False  # not a pytest test class

    name: str = Field(min_length=1, description="测试名 · a short name, shown in the report")
    description: str = Field("", description="这个测试检查什么 · what this test checks")
    seed: int = Field(0, ge=0, description="随机种子,决定债务人说哪句 · seed for the debtor's choice of lines")
    replies: list[str | Reply] = Field(min_length=1, description=(
        "学员的回复,一句一项;也可写 {say, state, red_lines} 检查这一句之后的情况 · the trainee's replies, one "
        "per item; or {say, state, red_lines} to check what happens right after that reply"))
    expect: Expect = Field(default_factory=Expect, description="期望的结果 · what must happen")

    @field_validator("replies", mode="before")
    @classmethod
    def _colon_in_reply(cls, value: Any) -> Any:
        if isinstance(value, list):
            for i, item in enumerate(value):
                colon_hint(item, f"replies.{i}", ("say", "state", "red_lines"))
        return value

    def texts(self) -> list[str]:
        return [r if isinstance(r, str) else r.say for r in self.replies]


class ScenarioTests(_Model):
    """A file of test calls kept beside a scenario (``<id>.tests.yaml``), so editing the tests
    never changes the scenario file itself (whose hash certification records)."""

    scenario: str = Field(pattern=_ID, description="要测试的场景 id · the id of the scenario these tests call")
    tests: list[TestCall] = Field(min_length=1, description="测试通话 · the test calls")


class ScenarioFile(_Model):
    """A scenario (场景): a persona plus the case file the trainee reads before dialling."""

    id: str = Field(pattern=_ID, description="场景 id,小写字母、数字、下划线 · lower_snake_case, unique")
    title: str = Field(min_length=1, description="场景标题,学员在列表里看到 · the title trainees see")
    persona: str = Field(pattern=_ID, description=(
        "债务人人设(personas/ 下的文件名)· the persona file name: angry, evasive, hardship, lost_contact …"),
        json_schema_extra={"examples": ["angry", "evasive", "hardship", "lost_contact"]})
    difficulty: int = Field(ge=1, le=5, description="难度 1-5 · difficulty, 1 (entry) to 5")
    lang: str = Field("zh", description="语言 · rule-pack language", json_schema_extra={"enum": ["zh", "en"]})
    profile: str | None = Field(None, description="rule-pack hours profile: seeds (default) or cba2026",
                                json_schema_extra={"enum": ["seeds", "cba2026", None]})
    objective: str = Field("", description="这通电话要练什么 · what the trainee should achieve")
    case: Case = Field(description="案件资料 · the case file the trainee reads first")
    overrides: Overrides | None = Field(None, description=(
        "对人设的调整:起始情绪、节奏、开关、台词 · changes to the persona for this scenario"))
    tests: list[TestCall] = Field(default_factory=list, description=(
        "测试通话,用 collector-sim test 运行 · test calls, run with collector-sim test"))


@dataclass
class Scenario:
    """A scenario file, validated, with the persona it plays (overrides applied)."""

    spec: ScenarioFile
    path: str
    doc: Document = field(repr=False)
    origin: str = "bundled"
    catalog: "Catalog | None" = field(default=None, repr=False)
    _persona: Persona | None = field(default=None, repr=False)
    side_tests: list["BoundTest"] = field(default_factory=list, repr=False)

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
        answerer = self.case.answerer
        if persona.spec.checklist == "third_party" and answerer.is_debtor:
            more.append(self.doc.at(("case", "answerer"), f"case.answerer: persona {persona.id!r} is a "
                                    "third-party call; set answerer.relation (母亲, 同事, 担保人 …)"))
        if persona.spec.checklist == "third_party" and answerer.hands_over is not None:
            more.append(self.doc.at(("case", "answerer", "hands_over"), f"case.answerer.hands_over: persona "
                                    f"{persona.id!r} plays the third party, not the debtor the phone is handed to; "
                                    "use a debtor persona (angry, evasive, hardship …)"))
        if answerer.is_debtor and answerer.hands_over is not None:
            more.append(self.doc.at(("case", "answerer", "hands_over"), "case.answerer.hands_over: the debtor "
                                    "answers (relation: 本人); set relation to who answers first (妻子, 母亲 …)"))
        if persona.spec.checklist == "debtor" and not answerer.is_debtor and answerer.hands_over is None:
            more.append(self.doc.at(("case", "answerer"), f"case.answerer: persona {persona.id!r} expects the "
                                    f"debtor to answer (relation: 本人); or add hands_over: {{after: asks_for_debtor}} "
                                    f"so the {answerer.relation} answers and hands the phone over"))
        more += self._check_profile()
        return persona, more

    def _check_profile(self) -> list[Finding]:
        """A profile the rule pack does not define is refused (the pack would quietly use its default)."""
        if self.spec.profile is None:
            return []
        from .analyzer import get_pack

        try:
            profiles = sorted(get_pack(self.spec.lang).pack.profiles)
        except UserError:
            return []  # an unknown language is reported on its own
        if self.spec.profile in profiles:
            return []
        return [self.doc.at(("profile",), f"profile: unknown profile {self.spec.profile!r} for the {self.spec.lang!r} "
                                          f"rule pack (known: {', '.join(profiles)})")]

    def tests(self) -> list["BoundTest"]:
        """Every test call of this scenario: its own ``tests:``, then those in files beside it."""
        own = [BoundTest(t, self.path, self.doc, ("tests", i)) for i, t in enumerate(self.spec.tests)]
        return own + list(self.side_tests)

    def check_tests(self, persona: Persona) -> list[Finding]:
        """Test calls that name states the persona does not have, or share a name."""
        out: list[Finding] = []
        states = set(persona.states)
        seen: dict[str, str] = {}
        for bt in self.tests():
            t, doc, loc = bt.test, bt.doc, bt.loc
            if t.name in seen:
                out.append(doc.at(loc + ("name",), f"tests: two test calls named {t.name!r} in scenario "
                                                   f"{self.id!r} (also in {seen[t.name]})"))
            seen.setdefault(t.name, bt.path)
            known = ", ".join(persona.states)
            for i, r in enumerate(t.replies):
                if not isinstance(r, str) and r.state is not None and r.state not in states:
                    out.append(doc.at(loc + ("replies", i, "state"), f"replies.{i}.state: persona "
                                      f"{persona.id!r} has no state {r.state!r} (states: {known})"))
            for i, name in enumerate(t.expect.path or []):
                if name not in states:
                    out.append(doc.at(loc + ("expect", "path", i), f"expect.path.{i}: persona {persona.id!r} "
                                      f"has no state {name!r} (states: {known})"))
            if t.expect.path and t.expect.path[0] != persona.spec.initial:
                out.append(doc.at(loc + ("expect", "path", 0), f"expect.path: a path starts with the initial "
                                  f"state {persona.spec.initial!r}"))
        return out

    def summary(self) -> dict[str, Any]:
        """``list --json``: ``persona`` is the kind (angry|evasive|hardship|lost_contact) as in
        ``run --json``; ``persona_file`` is the persona the scenario names (e.g. ``angry_en``)."""
        s = self.spec
        try:
            kind = self.persona().kind
        except LoadError:  # a broken persona: list still shows the scenario
            kind = s.persona
        return {"id": s.id, "title": s.title, "persona": kind, "persona_file": s.persona, "difficulty": s.difficulty,
                "lang": s.lang, "objective": s.objective, "source": self.origin, "path": self.path,
                "case": s.case.to_public()}


@dataclass
class BoundTest:
    """A test call and where it was written (a scenario's ``tests:`` or a ``.tests.yaml`` file)."""

    test: TestCall
    path: str
    doc: Document = field(repr=False)
    loc: tuple[Any, ...] = ()

    @property
    def line(self) -> int:
        return self.doc.at(self.loc, "").line


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
        if "scenario" in doc_data and "tests" in doc_data and "case" not in doc_data:
            return "tests"
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
        self.test_files: list[tuple[str, Document, ScenarioTests, int]] = []  # path, doc, spec, place rank
        self._personas: dict[str, tuple[Persona | None, list[Finding]]] = {}
        self._rank: dict[str, int] = {}  # scenario id -> rank of the place it came from

    @staticmethod
    def _places(paths: Sequence[str | Path], cwd: Path | None,
                official_only: bool = False) -> list[tuple[str, Path, str]]:
        """(origin, folder, expected kind or "") in priority order."""
        from .official import official_dir

        cwd = cwd or Path.cwd()
        root = bundled_root()
        places: list[tuple[str, Path, str]] = []
        if not official_only:
            for p in paths:
                d = Path(p)
                if not d.is_dir():
                    raise UserError(f"--path {p}: not a directory")
                places += [("path", d, ""), ("path", d / "scenarios", "scenario"),
                           ("path", d / "personas", "persona")]
            places += [("local", cwd / "scenarios", "scenario"), ("local", cwd / "personas", "persona")]
        centre = official_dir()
        if centre is not None:
            places += [("official", centre / "scenarios", "scenario"), ("official", centre / "personas", "persona")]
        places += [("bundled", root / "scenarios", "scenario"), ("bundled", root / "personas", "persona")]
        bundled = {(root / "scenarios").resolve(), (root / "personas").resolve()}
        return [("bundled" if folder.resolve() in bundled else origin, folder, kind)
                for origin, folder, kind in places]

    @classmethod
    def discover(cls, paths: Sequence[str | Path] = (), cwd: Path | None = None, *,
                 official_only: bool = False) -> "Catalog":
        cat = cls()
        seen_files: set[Path] = set()
        groups: dict[tuple[str, Path], int] = {}  # a --path DIR, ./, the centre's folder, bundled: one rank each
        for origin, folder, kind in cls._places(paths, cwd, official_only):
            rank = groups.setdefault((origin, folder if kind == "" else folder.parent), len(groups))
            for f in _yaml_files(folder):
                real = f.resolve()
                if real in seen_files:
                    continue
                seen_files.add(real)
                cat._add_file(f, origin, kind, rank)
        cat.attach_tests()
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

    def _add_file(self, path: Path, origin: str, kind: str, rank: int = 0) -> None:
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
        if found == "tests":
            self.files.append(str(path))
            try:
                self.test_files.append((str(path), doc, validate(doc, ScenarioTests), rank))
            except LoadError as exc:
                self.findings += exc.findings
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
        self._rank[spec.id] = rank

    def attach_tests(self) -> None:
        """Give each scenario the test files written for it. A tests file from a lower-priority place
        than the scenario (the bundled tests of a scenario a trainer has replaced) is left out."""
        for sc in self.scenarios.values():
            sc.side_tests = []
        for path, doc, spec, rank in self.test_files:
            sc = self.scenarios.get(spec.scenario)
            if sc is None:
                known = ", ".join(sorted(self.scenarios)) or "none found"
                self.findings.append(doc.at(("scenario",), f"scenario: unknown scenario {spec.scenario!r} "
                                                           f"(known: {known})"))
                continue
            if rank > self._rank.get(sc.id, 0):
                continue
            sc.side_tests += [BoundTest(t, path, doc, ("tests", i)) for i, t in enumerate(spec.tests)]

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
            persona, more = sc.check_persona()
            findings += [f for f in more if f.path == sc.path]  # persona findings are listed above
            if persona is not None:
                findings += sc.check_tests(persona)
        return _unique(findings)


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.col, f.message))


def _expand(paths: Sequence[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files += _yaml_files(p) + _yaml_files(p / "scenarios") + _yaml_files(p / "personas")
        else:
            files.append(p)
    return files


def _local_catalog(files: Sequence[Path], cat: "Catalog") -> "Catalog":
    """Personas for the files given: the files themselves, personas/ beside them, then the search path,
    so a trainer checks their own work against their own personas."""
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
    return local


def check_files(paths: Sequence[str | Path], search: Sequence[str | Path] = ()) -> tuple[list[Finding], int]:
    """Validate the given files or folders (personas referenced by scenarios are looked up in the
    search path, then beside the file). Returns findings and how many files were checked."""
    files = _expand(paths)
    cat = Catalog.discover(search)
    local = _local_catalog(files, cat)
    findings = list(local.findings)
    tests_files: list[tuple[Path, Document, ScenarioTests]] = []
    checked: dict[str, Scenario] = {}
    for f in files:
        if str(f) not in local.files or any(x.path == str(f) for x in local.findings):
            continue
        if local.persona_paths.get(f.stem) == str(f):
            findings += local.persona(str(f))[1]
            continue
        doc = load(f)
        kind = _kind(doc.data)
        if kind == "unknown":
            findings.append(doc.at((), "not a persona (needs states:), a scenario (needs persona: and case:), "
                                       "a tests file (needs scenario: and tests:) or an exam (needs calls: and pass:)"))
            continue
        if kind == "tests":
            try:
                tests_files.append((f, doc, validate(doc, ScenarioTests)))
            except LoadError as exc:
                findings += exc.findings
            continue
        try:
            spec = validate(doc, ScenarioFile)
        except LoadError as exc:
            findings += exc.findings
            continue
        sc = Scenario(spec, str(f), doc, "path", local)
        checked.setdefault(spec.id, sc)
        persona, more = sc.check_persona()
        findings += more
        if persona is not None:
            findings += sc.check_tests(persona)
    for f, doc, spec in tests_files:
        sc = checked.get(spec.scenario) or _beside(f, spec.scenario, local) or cat.scenarios.get(spec.scenario)
        if sc is None:
            known = ", ".join(sorted(set(cat.scenarios) | set(checked))) or "none found"
            findings.append(doc.at(("scenario",), f"scenario: unknown scenario {spec.scenario!r} (known: {known})"))
            continue
        persona, _ = sc.check_persona()
        if persona is not None:
            view = Scenario(sc.spec.model_copy(update={"tests": []}), sc.path, sc.doc, sc.origin, sc.catalog,
                            side_tests=[BoundTest(t, str(f), doc, ("tests", i)) for i, t in enumerate(spec.tests)])
            findings += view.check_tests(persona)
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


def _beside(path: Path, scenario_id: str, local: "Catalog") -> Scenario | None:
    """The scenario with this id in the same folder as a tests file (usually ``<id>.yaml``)."""
    candidates = [path.parent / f"{scenario_id}.yaml", path.parent / f"{scenario_id}.yml"]
    candidates += [g for g in _yaml_files(path.parent) if g not in candidates]
    for g in candidates:
        if not g.is_file() or g == path:
            continue
        try:
            doc = load(g)
            if _kind(doc.data) != "scenario" or not isinstance(doc.data, dict) or doc.data.get("id") != scenario_id:
                continue
            return Scenario(validate(doc, ScenarioFile), str(g), doc, "path", local)
        except LoadError:
            continue
    return None


def collect_tests(paths: Sequence[str | Path], search: Sequence[str | Path] = ()
                  ) -> tuple[list[tuple[Scenario, list[BoundTest]]], list[Finding], int]:
    """The test calls to run: for a scenario file its own ``tests:`` and the ``.tests.yaml`` files
    beside it; for a tests file its tests; no PATH: every scenario found. Returns (scenario, tests)
    pairs in a stable order, findings for files that could not be read, and the number of files."""
    cat = Catalog.discover(search)
    if not paths:
        items = sorted(cat.scenarios.values(), key=lambda sc: sc.id)
        return [(sc, sc.tests()) for sc in items], list(cat.findings), len(cat.files)
    for p in paths:
        if not Path(p).exists():
            raise UserError(f"{p}: no such file or directory")
    files = _expand(paths)
    local = _local_catalog(files, cat)
    findings = list(local.findings)
    chosen: dict[str, tuple[Scenario, list[BoundTest]]] = {}
    tests_files: list[tuple[Path, Document, ScenarioTests]] = []
    given = {f.resolve() for f in files}
    for f in files:
        if str(f) not in local.files or any(x.path == str(f) for x in local.findings):
            continue
        doc = load(f)
        kind = _kind(doc.data)
        try:
            if kind == "tests":
                tests_files.append((f, doc, validate(doc, ScenarioTests)))
            elif kind == "scenario":
                sc = Scenario(validate(doc, ScenarioFile), str(f), doc, "path", local)
                if sc.id in chosen:
                    findings.append(doc.at(("id",), f"id: duplicate scenario id {sc.id!r} "
                                                    f"(also in {chosen[sc.id][0].path})"))
                    continue
                chosen[sc.id] = (sc, [BoundTest(t, sc.path, doc, ("tests", i)) for i, t in enumerate(sc.spec.tests)])
                for g in _yaml_files(f.parent):  # tests files beside it
                    if g.resolve() in given:
                        continue
                    try:
                        gdoc = load(g)
                        if _kind(gdoc.data) == "tests" and gdoc.data.get("scenario") == sc.id:
                            tests_files.append((g, gdoc, validate(gdoc, ScenarioTests)))
                    except LoadError as exc:
                        findings += exc.findings
        except LoadError as exc:
            findings += exc.findings
    for f, doc, spec in tests_files:
        bound = [BoundTest(t, str(f), doc, ("tests", i)) for i, t in enumerate(spec.tests)]
        if spec.scenario in chosen:
            chosen[spec.scenario][1].extend(bound)
            continue
        sc = _beside(f, spec.scenario, local) or cat.scenarios.get(spec.scenario)
        if sc is None:
            known = ", ".join(sorted(cat.scenarios)) or "none found"
            findings.append(doc.at(("scenario",), f"scenario: unknown scenario {spec.scenario!r} (known: {known})"))
            continue
        chosen[spec.scenario] = (sc, bound)
    items = sorted(chosen.values(), key=lambda pair: pair[0].id)
    return items, _unique(findings), len(files)
