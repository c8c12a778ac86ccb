"""Debtor personas: finite-state machines written as data.

A persona file (``personas/<id>.yaml``) holds the debtor's inner variables (anger, trust,
willingness, patience, 0-100), *reactions* that move them after every trainee reply, *states*
with the debtor's lines, and *transitions* between states. Transitions are run by
``transitions.Machine`` with ``auto_transitions=False``.

YAML never names a Python callable: conditions and effects are short strings from an allow-list
(``has:empathy``, ``var_lte:anger:55``, ``add:trust:10`` …) that this module parses and turns
into closures. An unknown name is a finding at its ``path:line:col``, not a silent no-op, and a
state or trigger name that would collide with an attribute of the machine's model (which
``transitions`` skips with nothing but a log line) is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

from .errors import Finding, LoadError
from .yamlsrc import Document, load, validate

from . import vocab
from .vocab import (
    ACT_IDS, CASE_FLAGS, FACTS, FEATURE_IDS, MEMORY_ITEMS, OUTCOMES, PLACEHOLDERS, RED_LINE_IDS, RELATION_KINDS,
    SESSION_SIGNALS, SIGNAL_IDS, SUCCESS_OUTCOMES, VARIABLES,
)

_PLACEHOLDERS = re.compile(r"\{([^{}]*)\}")
#: the answers key for the 「我刚才说了……」 fallback (``{said}`` = what was said before)
AGAIN = "again"
#: the engine's one trigger: every reply fires the first transition out of the state that holds
HEAR = "hear"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Env(Protocol):
    """What conditions and effects see: the session, through a narrow window."""

    def has(self, name: str) -> bool: ...
    def any_red_line(self) -> bool: ...
    def var(self, name: str) -> int: ...
    def add_var(self, name: str, delta: int) -> None: ...
    def set_var(self, name: str, value: int) -> None: ...
    def done(self, fact: str) -> bool: ...
    def count(self, name: str) -> int: ...
    def turns_in_state(self) -> int: ...
    def turn(self) -> int: ...
    def case_flag(self, name: str) -> bool: ...
    def flag(self, name: str) -> bool: ...
    def set_flag(self, name: str, on: bool) -> None: ...
    def affordable(self) -> bool: ...
    def chance(self, percent: int) -> bool: ...
    def verify_identity(self) -> None: ...
    def debtor_on_line(self) -> None: ...
    def offer(self, test: str) -> bool: ...
    def convinced(self) -> bool: ...
    def knows(self, item: str) -> bool: ...
    def relation(self) -> str: ...
    def state(self) -> str: ...


Check = Callable[[Env], bool]
Act = Callable[[Env], None]


# -- the allow-list ----------------------------------------------------------------------------

def _known_id(name: str) -> bool:
    return name in FEATURE_IDS or name in RED_LINE_IDS or name in SIGNAL_IDS or name in SESSION_SIGNALS


def _int(text: str, lo: int = -100, hi: int = 100) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if not lo <= value <= hi:
        raise ValueError(f"{value} is outside {lo}..{hi}")
    return value


def _var(name: str) -> str:
    if name not in VARIABLES:
        raise ValueError(f"unknown variable {name!r}; use one of {', '.join(VARIABLES)}")
    return name


def _ids(text: str, extra_known: frozenset[str]) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise ValueError("expected one or more ids")
    for n in names:
        if not (_known_id(n) or n in extra_known):
            raise ValueError(f"unknown feature, signal or red line {n!r}")
    return names


def _fact(name: str) -> str:
    if name not in FACTS:
        raise ValueError(f"unknown fact {name!r}; use one of {', '.join(FACTS)}")
    return name


def _flagname(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"a flag name is lower_snake_case, got {name!r}")
    return name


#: every condition name, its arguments and what it means in plain words (the schema, the
#: authoring guide and the error messages all read this table)
CONDITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "always": ((), "总是成立 · always true"),
    "has": (("id",), "这句回复有某个特征/信号/红线 · this reply has the feature, signal or red line"),
    "lacks": (("id",), "这句回复没有它 · this reply does not have it"),
    "any": (("id,id,…",), "这句回复至少有其中一个 · this reply has at least one of them"),
    "all": (("id,id,…",), "这句回复全都有 · this reply has all of them"),
    "any_red_line": ((), "这句回复触碰了任何一条红线 · this reply crossed any red line"),
    "no_red_line": ((), "这句回复没有红线 · this reply crossed no red line"),
    "done": (("fact",), "通话到目前为止已经做到 · earlier in the call this was done (identified, verified …)"),
    "not_done": (("fact",), "通话到目前为止还没做到 · not done yet in this call"),
    "var_gte": (("variable", "0-100"), "情绪变量不低于 · the debtor's variable is at least N"),
    "var_lte": (("variable", "0-100"), "情绪变量不高于 · the debtor's variable is at most N"),
    "count_gte": (("id", "n"), "整通电话里出现次数不少于 · the id has appeared at least n times in the call"),
    "turns_in_state_gte": (("n",), "在当前状态已停留至少 n 轮 · n replies or more in the current state"),
    "turn_gte": (("n",), "已经是第 n 轮或之后 · the call has reached reply n"),
    "case": (("case_flag",), "案件资料里为真 · true in the case file (lawsuit_filed, informed, debtor_on_line)"),
    "not_case": (("case_flag",), "案件资料里为假 · false in the case file"),
    "flag": (("name",), "人设开关已打开 · a persona flag is on"),
    "not_flag": (("name",), "人设开关未打开 · a persona flag is off"),
    "affordable": ((), "提出的金额在对方每月能力之内 · the amount offered is within monthly_capacity"),
    "not_affordable": ((), "提出的金额超出对方能力 · the amount offered is more than monthly_capacity"),
    "chance": (("0-100",), "按百分比随机成立(由种子决定)· true N% of the time (seeded)"),
    "offer": ((), "桌面上有具体方案:还款金额和还款日期都有了 · a concrete offer is on the table: a payment "
                  "amount and a payment date"),
    "offer_fits": ((), "方案在对方能力之内(金额和日期)· the offer is within the debtor's capacity (amount and date)"),
    "offer_over": ((), "方案金额超出对方能力 · the offer's amount is more than the debtor can pay"),
    "offer_too_soon": ((), "方案日期早于对方最早能还的日子 · the offer's date is sooner than the debtor can pay"),
    "convinced": ((), "案件 capacity.convinced_by 里要求的都已做到 · what capacity.convinced_by asks for has happened"),
    "knows": (("item",), "债务人已经听学员说过 · the debtor has been told it (caller_name, staff_id, org, "
                         "debt_amount, identity, offer)"),
    "not_knows": (("item",), "债务人还没听说 · the debtor has not been told it"),
    "relation": (("kind",), "接电话的人是这类关系 · the answerer is this kind (parent, spouse, colleague, roommate, "
                            "guarantor, informed …)"),
    "not_relation": (("kind",), "接电话的人不是这类关系 · the answerer is not this kind"),
    "in_state": (("state",), "债务人现在处于这个状态 · the debtor is in this state now (for answers)"),
}
#: every effect name, its arguments and what it does
EFFECTS: dict[str, tuple[tuple[str, ...], str]] = {
    "add": (("variable", "-100..100"), "给情绪变量加减 · add to a variable (kept within 0-100)"),
    "set": (("variable", "0-100"), "把情绪变量设为 · set a variable"),
    "verify_identity": ((), "记为对方已确认本人身份 · the debtor has confirmed who they are"),
    "debtor_on_line": ((), "债务人本人接过了电话 · the debtor has come to the phone"),
    "flag": (("name",), "打开人设开关 · switch a flag on"),
    "unflag": (("name",), "关闭人设开关 · switch a flag off"),
}


_COND_ARITY = {k: len(v[0]) for k, v in CONDITIONS.items()}
_EFFECT_ARITY = {k: len(v[0]) for k, v in EFFECTS.items()}


def compile_condition(text: str, extra_ids: frozenset[str] = frozenset()) -> Check:
    """Turn ``name[:arg[:arg]]`` into a check; ValueError names what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a condition is a non-empty string")
    name, *args = text.strip().split(":")
    arity = _COND_ARITY
    if name not in arity and not args and (_known_id(name) or name in extra_ids):
        return lambda env: env.has(name)  # a bare id is short for has:<id>
    if name not in arity:
        raise ValueError(f"unknown condition {name!r}; allowed: {', '.join(sorted(arity))}, "
                         "or a bare feature/signal/red-line id")
    if len(args) != arity[name]:
        raise ValueError(f"condition {name!r} takes {arity[name]} argument(s) after ':', got {len(args)}")
    if name == "always":
        return lambda env: True
    if name == "any_red_line":
        return lambda env: env.any_red_line()
    if name == "no_red_line":
        return lambda env: not env.any_red_line()
    if name == "affordable":
        return lambda env: env.affordable()
    if name == "not_affordable":
        return lambda env: not env.affordable()
    if name in ("offer", "offer_fits", "offer_over", "offer_too_soon"):
        return lambda env: env.offer(name)
    if name == "convinced":
        return lambda env: env.convinced()
    a = args[0]
    if name in ("has", "lacks"):
        (ident,) = _ids(a, extra_ids)
        return (lambda env: env.has(ident)) if name == "has" else (lambda env: not env.has(ident))
    if name == "any":
        ids = _ids(a, extra_ids)
        return lambda env: any(env.has(i) for i in ids)
    if name == "all":
        ids = _ids(a, extra_ids)
        return lambda env: all(env.has(i) for i in ids)
    if name in ("done", "not_done"):
        fact = _fact(a)
        return (lambda env: env.done(fact)) if name == "done" else (lambda env: not env.done(fact))
    if name == "turns_in_state_gte":
        n = _int(a, 0, 1000)
        return lambda env: env.turns_in_state() >= n
    if name == "turn_gte":
        n = _int(a, 0, 1000)
        return lambda env: env.turn() >= n
    if name in ("case", "not_case"):
        if a not in CASE_FLAGS:
            raise ValueError(f"unknown case flag {a!r}; use one of {', '.join(CASE_FLAGS)}")
        return (lambda env: env.case_flag(a)) if name == "case" else (lambda env: not env.case_flag(a))
    if name in ("flag", "not_flag"):
        f = _flagname(a)
        return (lambda env: env.flag(f)) if name == "flag" else (lambda env: not env.flag(f))
    if name in ("knows", "not_knows"):
        if a not in MEMORY_ITEMS:
            raise ValueError(f"unknown memory item {a!r}; use one of {', '.join(MEMORY_ITEMS)}")
        return (lambda env: env.knows(a)) if name == "knows" else (lambda env: not env.knows(a))
    if name in ("relation", "not_relation"):
        if a not in RELATION_KINDS:
            raise ValueError(f"unknown relation kind {a!r}; use one of {', '.join(RELATION_KINDS)}")
        return (lambda env: env.relation() == a) if name == "relation" else (lambda env: env.relation() != a)
    if name == "in_state":
        st = _flagname(a)
        return lambda env: env.state() == st
    if name == "chance":
        p = _int(a, 0, 100)
        return lambda env: env.chance(p)
    if name in ("var_gte", "var_lte"):
        v, n = _var(a), _int(args[1], 0, 100)
        return (lambda env: env.var(v) >= n) if name == "var_gte" else (lambda env: env.var(v) <= n)
    if name == "count_gte":
        (ident,) = _ids(a, extra_ids)
        n = _int(args[1], 0, 1000)
        return lambda env: env.count(ident) >= n
    raise AssertionError(name)  # pragma: no cover


def compile_effect(text: str) -> Act:
    """Turn ``add:anger:-10`` (etc.) into an action; ValueError names what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("an effect is a non-empty string")
    name, *args = text.strip().split(":")
    arity = _EFFECT_ARITY
    if name not in arity:
        raise ValueError(f"unknown effect {name!r}; allowed: {', '.join(sorted(arity))}")
    if len(args) != arity[name]:
        raise ValueError(f"effect {name!r} takes {arity[name]} argument(s) after ':', got {len(args)}")
    if name == "verify_identity":
        return lambda env: env.verify_identity()
    if name == "debtor_on_line":
        return lambda env: env.debtor_on_line()
    if name in ("flag", "unflag"):
        f = _flagname(args[0])
        on = name == "flag"
        return lambda env: env.set_flag(f, on)
    v = _var(args[0])
    if name == "add":
        d = _int(args[1])
        return lambda env: env.add_var(v, d)
    n = _int(args[1], 0, 100)
    return lambda env: env.set_var(v, n)


# -- the allow-list as JSON Schema (completion and checking in an editor) ---------------------

def all_ids() -> tuple[str, ...]:
    """Every id a condition may test: features, red lines, analyzer signals, session signals."""
    return vocab.condition_ids()


def _alt(names: Iterable[str]) -> str:
    return "(?:" + "|".join(re.escape(n) for n in names) + ")"


_PERCENT = "(?:100|[1-9]?[0-9])"
_FLAG = "[a-z][a-z0-9_]*"


def condition_json_schema() -> dict[str, Any]:
    """A condition string: every fixed form as an enum (editors complete them), the forms that
    take numbers as patterns. Kept in step with ``compile_condition`` by the tests."""
    ids = all_ids()
    fixed = [n for n, (args, _) in CONDITIONS.items() if not args]
    with_arg = [f"{c}:{i}" for c in ("has", "lacks") for i in ids]
    with_arg += [f"{c}:{f}" for c in ("done", "not_done") for f in FACTS]
    with_arg += [f"{c}:{f}" for c in ("case", "not_case") for f in CASE_FLAGS]
    with_arg += [f"{c}:{f}" for c in ("knows", "not_knows") for f in MEMORY_ITEMS]
    with_arg += [f"{c}:{f}" for c in ("relation", "not_relation") for f in RELATION_KINDS]
    idlist = f"{_alt(ids)}(?: ?, ?{_alt(ids)})*"
    help_lines = [f"{n}{''.join(':' + a for a in args)} — {text}" for n, (args, text) in CONDITIONS.items()]
    return {
        "type": "string",
        "title": "条件 condition",
        "description": ("写成 name:参数,冒号后不要空格;单独一个特征/信号/红线 id 等于 has:id。"
                        "A condition, written name:arg with no space after the colon; a bare id "
                        "means has:id.\n" + "\n".join(help_lines)),
        "anyOf": [
            {"enum": fixed + list(ids), "description": "无参数的条件,或单独的 id · no-argument conditions, or a bare id"},
            {"enum": with_arg, "description": "has/lacks 一个 id;done/not_done 一个通话事实;case/not_case 案件标志"},
            {"pattern": f"^(?:any|all):{idlist}$", "description": "any:id1,id2 / all:id1,id2"},
            {"pattern": f"^var_(?:gte|lte):{_alt(VARIABLES)}:{_PERCENT}$", "description": "var_gte:anger:60"},
            {"pattern": f"^count_gte:{_alt(ids)}:[0-9]{{1,4}}$", "description": "count_gte:vague_deadline:2"},
            {"pattern": "^(?:turns_in_state_gte|turn_gte):[0-9]{1,4}$", "description": "turns_in_state_gte:2"},
            {"pattern": f"^chance:{_PERCENT}$", "description": "chance:30"},
            {"pattern": f"^(?:not_)?flag:{_FLAG}$", "description": "flag:name / not_flag:name"},
            {"pattern": f"^in_state:{_FLAG}$", "description": "in_state:venting"},
        ],
        "examples": ["has:empathy", "any:identity_check,asks_for_debtor", "var_gte:anger:80", "done:amount",
                     "not_done:deadline", "pressure", "any_red_line"],
    }


def effect_json_schema() -> dict[str, Any]:
    """An effect string, as ``compile_effect`` accepts it."""
    help_lines = [f"{n}{''.join(':' + a for a in args)} — {text}" for n, (args, text) in EFFECTS.items()]
    return {
        "type": "string",
        "title": "效果 effect",
        "description": "A change to the debtor's mood or memory, written name:arg.\n" + "\n".join(help_lines),
        "anyOf": [
            {"enum": [n for n, (args, _) in EFFECTS.items() if not args]},
            {"pattern": f"^add:{_alt(VARIABLES)}:-?{_PERCENT}$", "description": "add:anger:-10"},
            {"pattern": f"^set:{_alt(VARIABLES)}:{_PERCENT}$", "description": "set:trust:50"},
            {"pattern": f"^(?:un)?flag:{_FLAG}$", "description": "flag:name / unflag:name"},
        ],
        "examples": ["add:anger:-10", "add:trust:12", "verify_identity", "flag:asked_twice"],
    }


def line_text_json_schema() -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "title": "台词 line",
            "description": "债务人说的一句话;可用占位符 · what the debtor says; placeholders: "
                           + ", ".join("{" + p + "}" for p in PLACEHOLDERS)}


def _one_string(value: Any) -> Any:
    """``- has: empathy`` (a space after the colon) is a YAML mapping, not a condition: say how to
    write it instead of "Input should be a valid string"."""
    if isinstance(value, dict) and len(value) == 1:
        (k, v), = value.items()
        raise ValueError(f"write it as one string with no space after the colon: \"{k}:{v}\" "
                         f"(YAML read '{k}: {v}' as a key and a value)")
    return value


ConditionText = Annotated[str, BeforeValidator(_one_string), WithJsonSchema(condition_json_schema())]
EffectText = Annotated[str, BeforeValidator(_one_string), WithJsonSchema(effect_json_schema())]


# -- the file format ---------------------------------------------------------------------------

class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def colon_hint(item: Any, where: str, fields: tuple[str, ...]) -> None:
    """A line like ``- 好的, 比如: 分期`` is read by YAML as a mapping (``key: value``) because of the
    colon and space; say so plainly instead of three confusing union errors."""
    if isinstance(item, dict) and item and not set(item) <= set(fields):
        key = next(k for k in item if k not in fields)
        raise ValueError(f"{where}: this line was read as 'key: value' because of the ': ' in {str(key)[:30]!r}; "
                         "put the whole sentence in double quotes, or use a full-width colon ':'")


def _check_lines(value: Any, where: str) -> Any:
    if isinstance(value, list):
        for i, item in enumerate(value):
            colon_hint(item, f"{where}.{i}", ("text", "when", "unless"))
    return value


OutcomeName = Literal[OUTCOMES]  # type: ignore[valid-type]
LineText = Annotated[str, WithJsonSchema(line_text_json_schema())]
_OUTCOMES_HELP = ("promise_to_pay 承诺还款(需要金额和日期)· message_left 第三方答应转告 · "
                  "no_agreement 没谈成 · hung_up 对方挂断 · complaint 对方要投诉")


class Line(_Model):
    """A debtor line said only when its conditions hold (plain strings are always eligible)."""

    text: str = Field(min_length=1, description="债务人说的话 · what the debtor says; placeholders: "
                      + ", ".join("{" + p + "}" for p in PLACEHOLDERS))
    when: list[ConditionText] = Field(default_factory=list, description="全部成立才说 · said only when all hold")
    unless: list[ConditionText] = Field(default_factory=list, description="任一成立就不说 · not said when any holds")


LineSpec = LineText | Line


class AnswerLine(_Model):
    """An answer to a dialogue act, said only when its conditions hold and (if ``states`` is
    given) only in those states — a state variant is preferred over a plain answer there."""

    text: str = Field(min_length=1, description="债务人的回答 · what the debtor answers; placeholders: "
                      + ", ".join("{" + p + "}" for p in PLACEHOLDERS))
    when: list[ConditionText] = Field(default_factory=list, description="全部成立才说 · said only when all hold")
    unless: list[ConditionText] = Field(default_factory=list, description="任一成立就不说 · not said when any holds")
    states: list[str] = Field(default_factory=list, description=(
        "只在这些状态说(状态变体)· said only in these states (a state variant, preferred there)"))


AnswerSpec = LineText | AnswerLine
_ACT_KEYS = {"propertyNames": {"enum": list(ACT_IDS) + [AGAIN]}}


def _check_answers(value: Any, where: str) -> Any:
    if isinstance(value, dict):
        for act, lines in value.items():
            if isinstance(lines, list):
                for i, item in enumerate(lines):
                    colon_hint(item, f"{where}.{act}.{i}", ("text", "when", "unless", "states"))
    return value


class RelationSpec(_Model):
    """What one kind of third party says (a persona's ``relations:``, keyed by relation kind)."""

    answers: dict[str, list[AnswerSpec]] = Field(default_factory=dict, description=(
        "动作 → 这类接听人的回答(优先于通用回答)· act -> this answerer's answers (before the general ones)"),
        json_schema_extra=_ACT_KEYS)
    lines: dict[str, list[LineSpec]] = Field(default_factory=dict, description=(
        "状态 → 这类接听人的台词(替换该状态的台词)· state -> lines that replace the state's lines for this "
        "answerer"), json_schema_extra={"propertyNames": {"pattern": r"^[a-z][a-z0-9_]*$"}})

    @field_validator("answers", mode="before")
    @classmethod
    def _colon_answers(cls, value: Any) -> Any:
        return _check_answers(value, "answers")


class StateSpec(_Model):
    """One state of the debtor (情绪/态度阶段): what they say while in it, and how the call ends here."""

    description: str = Field("", description="这个状态是什么 · what this state is, in plain words (shown in diagrams)")
    lines: list[LineSpec] = Field(default_factory=list, description=(
        "债务人在这个状态说的话,随机选一句;带 when/unless 的句子条件成立时优先 · the debtor's lines here, "
        "one picked at random; a conditional line wins when its conditions hold"))
    terminal: bool = Field(False, description="到这里通话结束 · the call ends on entering this state")
    outcome: OutcomeName | None = Field(
        None, description="终止状态:通话结果 · terminal states: how the call ends here. " + _OUTCOMES_HELP)
    end_outcome: OutcomeName | None = Field(
        None, description="非终止状态:学员在这里挂断时的结果 · non-terminal states: the outcome if the trainee "
                          "ends the call here. " + _OUTCOMES_HELP)
    negotiating: bool = Field(False, description="这里说出的金额算还款方案 · an amount said here is a repayment offer")
    hint: str | None = Field(None, min_length=1, description=(
        "提示话术:练习模式下学员按提示键时看到的示范说法(合规话术),可用与台词相同的占位符 · the coaching "
        "hint: a lawful model line (话术) shown when the trainee asks for a hint in this state; the same "
        "placeholders as lines: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS)),
        json_schema_extra={"examples": ["{surname}{honorific},我理解您的心情,您先别着急。我们可以帮您申请分期,"
                                        "先定一个您做得到的金额和日期。"]})

    hint_why: str | None = Field(None, min_length=1, description=(
        "这个状态挡在路上时,提示键先说该做什么(几个字),再给本状态的 hint · when the debtor's state is what "
        "stands in the way (upset, suspicious, disputing, refusing): what to do, in a few words; the hint "
        "key then shows it with this state's hint before the checklist's next step"),
        json_schema_extra={"examples": ["对方怀疑是诈骗:给出工号和官方核实渠道"]})

    @field_validator("lines", mode="before")
    @classmethod
    def _colon(cls, value: Any) -> Any:
        return _check_lines(value, "lines")


class Reaction(_Model):
    """After every reply: when the conditions hold, the effects move the debtor's mood."""

    when: list[ConditionText] = Field(min_length=1, description="全部成立才生效 · all must hold")
    unless: list[ConditionText] = Field(default_factory=list, description="任一成立就不生效 · none may hold")
    effects: list[EffectText] = Field(min_length=1, description="情绪变化 · what changes, e.g. add:trust:10")
    reason: str = Field("", description="为什么(复盘里显示)· why, shown in the debrief")


class TransitionSpec(_Model):
    """A way from one state to another. After each reply the first transition (in file order)
    out of the current state whose conditions hold is taken."""

    trigger: str = Field(description="这一步的名字 · a name for this move, lower_snake_case",
                         json_schema_extra={"pattern": r"^[a-z][a-z0-9_]*$"})
    source: str | list[str] = Field(description="从哪个状态出发;\"*\" 表示任何进行中的状态 · the state(s) it "
                                                "leaves from; \"*\" means every non-terminal state")
    dest: str = Field(description="到哪个状态 · the state it goes to")
    when: list[ConditionText] = Field(default_factory=list, description="全部成立才走 · all must hold")
    unless: list[ConditionText] = Field(default_factory=list, description="任一成立就不走 · none may hold")
    effects: list[EffectText] = Field(default_factory=list, description="走这一步时的效果 · effects when taken")
    reason: str = Field("", description="why the debtor moves; shown in the debrief")
    lines: list[LineSpec] = Field(default_factory=list, description="said instead of the dest state's lines")

    @field_validator("lines", mode="before")
    @classmethod
    def _colon(cls, value: Any) -> Any:
        return _check_lines(value, "lines")


_VARIABLE_MAP = {"propertyNames": {"enum": list(VARIABLES)}}
_STATE_MAP = {"propertyNames": {"pattern": r"^[a-z][a-z0-9_]*$"}}


class PersonaFile(_Model):
    """A debtor persona (债务人人设): mood variables, reactions, states and transitions."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="与文件名相同 · the file name without .yaml")
    title: str = Field(description="人设名称 · the persona's name, e.g. 困难型债务人")
    kind: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$", description=(
        "人设类型,默认与 id 相同;另一种语言的同一人设写原来的类型 · the kind of debtor, reported as "
        "``persona`` in run --json: angry, evasive, hardship or lost_contact (default: the id). An English "
        "version of a persona (angry_en) says kind: angry"),
        json_schema_extra={"examples": ["angry", "evasive", "hardship", "lost_contact"]})
    description: str = ""
    lang: str = Field("zh", description="rule pack language", json_schema_extra={"enum": ["zh", "en"]})
    speaks_first: bool = Field(True, description="债务人先开口(“喂?”)· the debtor speaks first")
    checklist: Literal["debtor", "third_party"] = Field("debtor", description=(
        "评分清单:debtor 本人接听;third_party 他人接听(失联)· the step checklist: the debtor answers, "
        "or a third party does"))
    variables: dict[str, int] = Field(default_factory=dict, description=(
        "起始情绪 0-100 · starting mood: anger, trust, willingness, patience"),
        json_schema_extra={**_VARIABLE_MAP, "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 100}})
    per_turn: dict[str, int] = Field(default_factory=dict, description="added to the variables every reply",
                                     json_schema_extra=_VARIABLE_MAP)
    stall_turns: int = Field(4, ge=1, le=50, description="replies without progress before the call ends")
    max_turns: int = Field(30, ge=1, le=200, description="通话最长轮数 · the most replies in one call")
    stall_lines: list[str] = Field(default_factory=lambda: ["……我还有事,先这样吧。"],
                                   description="原地打转时债务人结束通话说的话 · said when the call stalls")
    flags: list[str] = Field(default_factory=list, description="开关,用 flag:/not_flag: 检查 · switches")
    initial: str = Field(description="通话开始时的状态 · the state the call starts in")
    reactions: list[Reaction] = Field(default_factory=list, description=(
        "每句回复后,条件成立就改变情绪 · after every reply: mood changes"))
    states: dict[str, StateSpec] = Field(min_length=1, description="状态名 → 状态 · state name → state",
                                         json_schema_extra=_STATE_MAP)
    transitions: list[TransitionSpec] = Field(default_factory=list, description=(
        "状态之间怎么走,按顺序检查 · how the debtor moves between states, checked in order"))
    answers: dict[str, list[AnswerSpec]] = Field(default_factory=dict, description=(
        "对话动作 → 债务人的回答:先回答学员这句话做的事,再说状态台词;again 是「我刚才说了……」的说法,"
        "{said} 为之前说过的话 · dialogue act -> the debtor's answers: the debtor answers what the reply does "
        "first, then adds its state line; 'again' lines are the 「我刚才说了……」 fallback ({said} = what was "
        "said before)"), json_schema_extra=_ACT_KEYS)
    relations: dict[Literal[RELATION_KINDS], RelationSpec] = Field(  # type: ignore[valid-type]
        default_factory=dict, description=(
            "第三方按关系的专用回答和台词(按案件 answerer 的关系选)· third parties by relation: answers and "
            "lines for a parent, spouse, colleague, roommate, guarantor … (chosen by case.answerer)"))
    answer_order: list[str] = Field(default_factory=list, description=(
        "回答动作的先后(不写则用引擎默认顺序)· the order acts are answered in (default: the engine's)"),
        json_schema_extra={"items": {"enum": list(ACT_IDS)}})

    @field_validator("answers", mode="before")
    @classmethod
    def _colon_answers(cls, value: Any) -> Any:
        return _check_answers(value, "answers")

    @field_validator("variables", "per_turn")
    @classmethod
    def _vars(cls, value: dict[str, int]) -> dict[str, int]:
        for k in value:
            if k not in VARIABLES:
                raise ValueError(f"unknown variable {k!r}; use one of {', '.join(VARIABLES)}")
        return value


# -- compiled persona --------------------------------------------------------------------------

@dataclass
class CLine:
    text: str
    when: list[tuple[str, Check]]
    unless: list[tuple[str, Check]]

    def holds(self, env: Env) -> bool:
        return all(c(env) for _, c in self.when) and not any(c(env) for _, c in self.unless)


@dataclass
class CAnswer:
    text: str
    when: list[tuple[str, Check]]
    unless: list[tuple[str, Check]]
    states: frozenset[str]

    def holds(self, env: Env) -> bool:
        if self.states and env.state() not in self.states:
            return False
        return all(c(env) for _, c in self.when) and not any(c(env) for _, c in self.unless)


@dataclass
class CRelation:
    answers: dict[str, list[CAnswer]]
    lines: dict[str, list[CLine]]


@dataclass
class CReaction:
    index: int
    when: list[tuple[str, Check]]
    unless: list[tuple[str, Check]]
    effects: list[tuple[str, Act]]
    reason: str


@dataclass
class CTransition:
    index: int
    trigger: str
    sources: list[str]
    dest: str
    when: list[tuple[str, Check]]
    unless: list[tuple[str, Check]]
    effects: list[tuple[str, Act]]
    reason: str
    lines: list[CLine]

    def holds(self, env: Env) -> bool:
        return all(c(env) for _, c in self.when) and not any(c(env) for _, c in self.unless)

    @property
    def label(self) -> str:
        parts = [c for c, _ in self.when] + [f"not {c}" for c, _ in self.unless]
        return " & ".join(parts) or "always"


@dataclass
class CState:
    name: str
    spec: StateSpec
    lines: list[CLine]


@dataclass
class Persona:
    """A validated persona, ready to drive sessions (shared between them; never mutated)."""

    spec: PersonaFile
    path: str
    states: dict[str, CState]
    reactions: list[CReaction]
    transitions: list[CTransition]
    doc: Document | None = field(default=None, repr=False)
    answers: dict[str, list[CAnswer]] = field(default_factory=dict)
    relations: dict[str, CRelation] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def kind(self) -> str:
        """angry | evasive | hardship | lost_contact: the ``kind`` the file says, else its id."""
        return self.spec.kind or self.spec.id

    def outgoing(self, state: str) -> list[CTransition]:
        return [t for t in self.transitions if state in t.sources]

    def initial_variables(self) -> dict[str, int]:
        base = {"anger": 30, "trust": 40, "willingness": 40, "patience": 70}
        base.update(self.spec.variables)
        return base

    def machine_states(self) -> list[str]:
        return list(self.states)

    def machine_transitions(self) -> list[dict[str, Any]]:
        """The transition table as ``transitions`` wants it (conditions are added by the session)."""
        return [{"trigger": t.trigger, "source": t.sources, "dest": t.dest} for t in self.transitions]


class _Collector:
    def __init__(self, doc: Document):
        self.doc = doc
        self.findings: list[Finding] = []

    def add(self, loc: Iterable[Any], message: str) -> None:
        self.findings.append(self.doc.at(tuple(loc), message))


def _conds(items: list[str], loc: tuple[Any, ...], col: _Collector, extra: frozenset[str]) -> list[tuple[str, Check]]:
    out = []
    for i, text in enumerate(items):
        try:
            out.append((text, compile_condition(text, extra)))
        except ValueError as exc:
            col.add(loc + (i,), f"{'.'.join(map(str, loc + (i,)))}: {exc}")
    return out


def _effects(items: list[str], loc: tuple[Any, ...], col: _Collector) -> list[tuple[str, Act]]:
    out = []
    for i, text in enumerate(items):
        try:
            out.append((text, compile_effect(text)))
        except ValueError as exc:
            col.add(loc + (i,), f"{'.'.join(map(str, loc + (i,)))}: {exc}")
    return out


def _lines(items: list[LineSpec], loc: tuple[Any, ...], col: _Collector, extra: frozenset[str]) -> list[CLine]:
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append(CLine(item, [], []))
        else:
            out.append(CLine(item.text, _conds(item.when, loc + (i, "when"), col, extra),
                             _conds(item.unless, loc + (i, "unless"), col, extra)))
    return out


def compile_persona(spec: PersonaFile, doc: Document, extra_ids: frozenset[str] = frozenset()) -> tuple[Persona, list[Finding]]:
    """Compile conditions, effects and lines; return the persona and every finding."""
    col = _Collector(doc)
    states: dict[str, CState] = {}
    for name, st in spec.states.items():
        states[name] = CState(name, st, _lines(st.lines, ("states", name, "lines"), col, extra_ids))
    reactions = [
        CReaction(i, _conds(r.when, ("reactions", i, "when"), col, extra_ids),
                  _conds(r.unless, ("reactions", i, "unless"), col, extra_ids),
                  _effects(r.effects, ("reactions", i, "effects"), col), r.reason)
        for i, r in enumerate(spec.reactions)
    ]
    transitions: list[CTransition] = []
    for i, t in enumerate(spec.transitions):
        loc = ("transitions", i)
        raw = [t.source] if isinstance(t.source, str) else list(t.source)
        sources: list[str] = []
        for j, s in enumerate(raw):
            if s == "*":
                sources.extend(n for n, st in spec.states.items() if not st.terminal and n not in sources)
            elif s in spec.states:
                if s not in sources:
                    sources.append(s)
            else:
                col.add(loc + (("source", j) if isinstance(t.source, list) else ("source",)),
                        f"transitions.{i}.source: unknown state {s!r}")
        if t.dest not in spec.states:
            col.add(loc + ("dest",), f"transitions.{i}.dest: unknown state {t.dest!r} (dangling transition target)")
        transitions.append(CTransition(
            i, t.trigger, sources, t.dest,
            _conds(t.when, loc + ("when",), col, extra_ids), _conds(t.unless, loc + ("unless",), col, extra_ids),
            _effects(t.effects, loc + ("effects",), col), t.reason,
            _lines(t.lines, loc + ("lines",), col, extra_ids)))
    answers = _answers(spec.answers, ("answers",), col, extra_ids, spec)
    relations = {
        kind: CRelation(_answers(r.answers, ("relations", kind, "answers"), col, extra_ids, spec),
                        {st: _lines(ls, ("relations", kind, "lines", st), col, extra_ids) for st, ls in r.lines.items()})
        for kind, r in spec.relations.items()
    }
    for kind, r in spec.relations.items():
        for st in r.lines:
            if st not in spec.states:
                col.add(("relations", kind, "lines", st), f"relations.{kind}.lines: unknown state {st!r}")
    for i, act in enumerate(spec.answer_order):
        if act not in ACT_IDS:
            col.add(("answer_order", i), f"answer_order: unknown act {act!r}")
    persona = Persona(spec, doc.path, states, reactions, transitions, doc, answers, relations)
    return persona, col.findings


def _answers(items: dict[str, list[AnswerSpec]], loc: tuple[Any, ...], col: _Collector, extra: frozenset[str],
             spec: PersonaFile) -> dict[str, list[CAnswer]]:
    out: dict[str, list[CAnswer]] = {}
    for act, lines in items.items():
        if act not in ACT_IDS and act != AGAIN:
            col.add(loc + (act,), f"{'.'.join(map(str, loc))}: unknown dialogue act {act!r}; use one of "
                                  + ", ".join(ACT_IDS) + f" or {AGAIN}")
            continue
        compiled = []
        for i, item in enumerate(lines):
            where = loc + (act, i)
            if isinstance(item, str):
                compiled.append(CAnswer(item, [], [], frozenset()))
                _check_placeholders(item, where, col, "answer")
                continue
            for st in item.states:
                if st not in spec.states:
                    col.add(where + ("states",), f"{'.'.join(map(str, where))}.states: unknown state {st!r}")
            compiled.append(CAnswer(item.text, _conds(item.when, where + ("when",), col, extra),
                                    _conds(item.unless, where + ("unless",), col, extra), frozenset(item.states)))
            _check_placeholders(item.text, where, col, "answer")
        out[act] = compiled
    return out


def check_persona(path: str) -> tuple[Persona | None, list[Finding]]:
    """Load, validate, compile and lint one persona file; return it (if usable) and every finding."""
    try:
        doc = load(path)
        spec = validate(doc, PersonaFile)
    except LoadError as exc:
        return None, list(exc.findings)
    persona, findings = compile_persona(spec, doc)
    findings += lint(persona)
    return persona, _sorted(findings)


def load_persona(path: str) -> Persona:
    """Like ``check_persona``, but raise LoadError on any finding."""
    persona, findings = check_persona(path)
    if findings or persona is None:
        raise LoadError(findings)
    return persona


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.col, f.message))


class Overrides(_Model):
    """What a scenario may change in its persona: starting mood, pacing, flags and lines."""

    variables: dict[str, int] = Field(default_factory=dict)
    per_turn: dict[str, int] = Field(default_factory=dict)
    stall_turns: int | None = Field(None, ge=1, le=50)
    max_turns: int | None = Field(None, ge=1, le=200)
    speaks_first: bool | None = None
    flags: list[str] = Field(default_factory=list, description="persona flags switched on (flag:<name>)")
    lines: dict[str, list[LineSpec]] = Field(default_factory=dict, description="state -> lines that replace its own")
    answers: dict[str, list[AnswerSpec]] = Field(default_factory=dict, description=(
        "动作 → 这个场景专用的回答(替换人设里该动作的回答)· act -> answers for this scenario that replace "
        "the persona's answers for that act"), json_schema_extra=_ACT_KEYS)
    hints: dict[str, Annotated[str, Field(min_length=1)]] = Field(default_factory=dict, description=(
        "状态 → 这个场景专用的提示话术(替换人设里的 hint)· state -> a model line for this scenario that "
        "replaces the persona's hint there; the same placeholders as lines"))

    @field_validator("lines", mode="before")
    @classmethod
    def _colon(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for state, lines in value.items():
                _check_lines(lines, f"lines.{state}")
        return value

    @field_validator("variables")
    @classmethod
    def _vars(cls, value: dict[str, int]) -> dict[str, int]:
        for k, v in value.items():
            if k not in VARIABLES:
                raise ValueError(f"unknown variable {k!r}; use one of {', '.join(VARIABLES)}")
            if not 0 <= v <= 100:
                raise ValueError(f"variable {k} must be 0..100, got {v}")
        return value

    @field_validator("per_turn")
    @classmethod
    def _per_turn(cls, value: dict[str, int]) -> dict[str, int]:
        for k in value:
            if k not in VARIABLES:
                raise ValueError(f"unknown variable {k!r}; use one of {', '.join(VARIABLES)}")
        return value


def apply_overrides(persona: Persona, ov: Overrides | None, doc: Document,
                    loc: tuple[Any, ...]) -> tuple[Persona, list[Finding]]:
    """The persona as one scenario plays it; findings point into the scenario file."""
    if ov is None:
        return persona, []
    col = _Collector(doc)
    update: dict[str, Any] = {}
    if ov.variables:
        update["variables"] = {**persona.spec.variables, **ov.variables}
    if ov.per_turn:
        update["per_turn"] = {**persona.spec.per_turn, **ov.per_turn}
    for key in ("stall_turns", "max_turns", "speaks_first"):
        if getattr(ov, key) is not None:
            update[key] = getattr(ov, key)
    if ov.flags:
        for i, f in enumerate(ov.flags):
            if not _NAME.match(f):
                col.add(loc + ("flags", i), f"a flag name is lower_snake_case, got {f!r}")
        update["flags"] = list(dict.fromkeys(persona.spec.flags + ov.flags))
    states = dict(persona.states)
    for name, lines in ov.lines.items():
        if name not in states:
            col.add(loc + ("lines", name), f"overrides.lines: persona {persona.id!r} has no state {name!r}")
            continue
        compiled = _lines(lines, loc + ("lines", name), col, frozenset())
        for i, line in enumerate(lines):
            _check_placeholders(line if isinstance(line, str) else line.text, loc + ("lines", name, i), col)
        states[name] = CState(name, states[name].spec, compiled)
    for name, text in ov.hints.items():
        if name not in states:
            col.add(loc + ("hints", name), f"overrides.hints: persona {persona.id!r} has no state {name!r}")
            continue
        _check_placeholders(text, loc + ("hints", name), col, "hint")
        if states[name].spec.terminal:
            col.add(loc + ("hints", name), f"overrides.hints.{name}: a terminal state's hint is never shown "
                                           "(the call has ended there)")
        states[name] = CState(name, states[name].spec.model_copy(update={"hint": text}), states[name].lines)
    answers = dict(persona.answers)
    if ov.answers:
        answers.update(_answers(ov.answers, loc + ("answers",), col, frozenset(), persona.spec))
    spec = persona.spec.model_copy(update=update)
    return Persona(spec, persona.path, states, persona.reactions, persona.transitions, persona.doc, answers,
                   persona.relations), col.findings


class DebtorModel:
    """The object ``transitions`` binds the persona's triggers to. Deliberately bare: every
    attribute it has is a name a state or trigger may not take (see ``reserved_names``)."""

    def __init__(self, owner: Any):
        self.owner = owner


# -- lint --------------------------------------------------------------------------------------

def reserved_names() -> frozenset[str]:
    """Attributes the machine's model already has: a state or trigger with such a name is skipped
    by ``transitions`` with only a log line, so we refuse it up front."""
    names = set(dir(DebtorModel(None)))  # class and instance attributes
    names |= {"state", "trigger", "machine", "may_trigger", "to_state", HEAR, f"may_{HEAR}"}
    return frozenset(names)




def lint(persona: Persona) -> list[Finding]:
    """Problems the schema cannot see: reachability, dead ends, names, outcomes, lines."""
    spec, doc = persona.spec, persona.doc
    assert doc is not None
    col = _Collector(doc)
    reserved = reserved_names()
    if spec.initial not in spec.states:
        col.add(("initial",), f"initial: unknown state {spec.initial!r}")
    for name, st in spec.states.items():
        loc = ("states", name)
        if not _NAME.match(name):
            col.add(loc, f"state name {name!r} must be lower_snake_case")
        if name in reserved or f"is_{name}" in reserved:
            col.add(loc, f"state name {name!r} collides with an attribute of the engine's model; rename it")
        if st.terminal and st.outcome is None:
            col.add(loc, f"states.{name}: a terminal state needs an outcome ({', '.join(OUTCOMES)})")
        if not st.terminal and st.outcome is not None:
            col.add(loc + ("outcome",), f"states.{name}: outcome is for terminal states; use end_outcome")
        if not st.lines and not (st.terminal and _all_incoming_have_lines(persona, name)):
            col.add(loc, f"states.{name}: no debtor lines")
        for i, line in enumerate(st.lines):
            _check_placeholders(line if isinstance(line, str) else line.text, loc + ("lines", i), col)
        if st.hint is not None:
            _check_placeholders(st.hint, loc + ("hint",), col, "hint")
            if st.terminal:
                col.add(loc + ("hint",), f"states.{name}.hint: a terminal state's hint is never shown "
                                         "(the call has ended there); remove it")
        if st.lines and all(not isinstance(x, str) and (x.when or x.unless) for x in st.lines):
            col.add(loc + ("lines",), f"states.{name}: every line is conditional; add one plain line as a fallback")
    triggers_seen: set[str] = set()
    for t in persona.transitions:
        loc = ("transitions", t.index)
        if t.trigger not in triggers_seen:
            triggers_seen.add(t.trigger)
            if not _NAME.match(t.trigger):
                col.add(loc + ("trigger",), f"trigger name {t.trigger!r} must be lower_snake_case")
            if t.trigger in reserved or t.trigger in spec.states or f"may_{t.trigger}" in reserved:
                col.add(loc + ("trigger",), f"trigger {t.trigger!r} collides with an attribute of the engine's "
                                            "model or a state name; rename it")
        for s in t.sources:
            if spec.states[s].terminal:
                col.add(loc + ("source",), f"transitions.{t.index}: leaves terminal state {s!r}")
        dest = spec.states.get(t.dest)
        if dest is not None and dest.terminal and dest.outcome == "promise_to_pay":
            needed = {"done:amount", "done:deadline"}
            have = _guards(t)
            # the guard may sit in the source state's way in (agreed states): accept either
            if not needed <= have and not all(_entered_with(persona, s, needed) for s in t.sources):
                col.add(loc + ("when",), f"transitions.{t.index}: reaches promise_to_pay without "
                                         "done:amount and done:deadline")
        for i, line in enumerate(t.lines):
            _check_placeholders(line.text, loc + ("lines", i), col)
    # reachability from the initial state
    if spec.initial in spec.states:
        seen = {spec.initial}
        todo = [spec.initial]
        while todo:
            s = todo.pop()
            for t in persona.outgoing(s):
                if t.dest in spec.states and t.dest not in seen:
                    seen.add(t.dest)
                    todo.append(t.dest)
        for name in spec.states:
            if name not in seen:
                col.add(("states", name), f"states.{name}: unreachable from the initial state {spec.initial!r}")
        # every non-terminal state needs a way out, and a way to some end
        can_end = {n for n, st in spec.states.items() if st.terminal}
        changed = True
        while changed:
            changed = False
            for t in persona.transitions:
                if t.dest in can_end:
                    for s in t.sources:
                        if s not in can_end:
                            can_end.add(s)
                            changed = True
        for name, st in spec.states.items():
            if st.terminal:
                continue
            if not [t for t in persona.outgoing(name) if t.dest != name]:
                col.add(("states", name), f"states.{name}: a non-terminal state with no way out (dead end)")
            elif name not in can_end:
                col.add(("states", name), f"states.{name}: no path from here reaches a terminal state")
        if not any(st.terminal and st.outcome in SUCCESS_OUTCOMES for st in spec.states.values()) and \
                not any(st.end_outcome in SUCCESS_OUTCOMES for st in spec.states.values()):
            col.add(("states",), "no state ends in success (promise_to_pay or message_left)")
    return col.findings


def _guards(t: CTransition) -> set[str]:
    """A transition's conditions; an offer on the table (``offer``, ``offer_fits``) has an amount
    and a date, so it stands for done:amount and done:deadline."""
    have = {c for c, _ in t.when}
    if have & {"offer", "offer_fits"}:
        have |= {"done:amount", "done:deadline"}
    return have


def _entered_with(persona: Persona, state: str, needed: set[str]) -> bool:
    incoming = [t for t in persona.transitions if t.dest == state and state not in t.sources]
    return bool(incoming) and all(needed <= _guards(t) for t in incoming)


def _all_incoming_have_lines(persona: Persona, state: str) -> bool:
    incoming = [t for t in persona.transitions if t.dest == state]
    return bool(incoming) and all(t.lines for t in incoming)


def _check_placeholders(text: str, loc: tuple[Any, ...], col: _Collector, what: str = "line") -> None:
    for m in _PLACEHOLDERS.finditer(text):
        if m.group(1) not in PLACEHOLDERS:
            col.add(loc, f"unknown placeholder {{{m.group(1)}}} in a {what}; use one of "
                         + ", ".join("{" + p + "}" for p in PLACEHOLDERS))
