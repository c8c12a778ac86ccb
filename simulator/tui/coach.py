"""Words the app shows around a call: labels, the case file's stage, and the hint key's model lines.

Plain Python (no Textual). Every word comes from the locale catalogs (``simulator/locales``, see
``simulator.i18n``), in the scenario's language for anything about a call. Personas carry no
model lines, so a hint is built from what the call still lacks: the first step of the persona's
checklist not yet done, phrased as a lawful model line (话术, after the seeds) filled in from the
case file, with the persona's hint for the debtor's state first when its author marked that state as being in
the way (``hint_why:`` — upset, suspicious, disputing, refusing). A
red line in the last reply always comes first: its rule pack suggestion is the lawful way to say it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..i18n import DEFAULT, address, money, pronoun, t
from ..vocab import DIMENSIONS as DIMENSION_IDS
from ..vocab import ENDED_BY, OUTCOMES, SUCCESS_OUTCOMES

OUTCOME_GOOD = set(SUCCESS_OUTCOMES)
MOOD_IDS = ("anger", "trust", "willingness", "patience")
PERSONA_KINDS = ("angry", "evasive", "hardship", "lost_contact")
PRODUCT_IDS = ("credit_card", "consumer_loan", "business_loan", "online_loan", "car_loan")


def outcome_label(outcome: str, lang: str = DEFAULT) -> str:
    return t(f"outcome.{outcome}", lang) if outcome in OUTCOMES else outcome


def ended_by_label(ended_by: str | None, lang: str = DEFAULT) -> str:
    return t(f"ended_by.{ended_by}", lang) if ended_by in ENDED_BY else (ended_by or "")


def dimensions(lang: str = DEFAULT) -> tuple[tuple[str, str], ...]:
    """(id, label) of the three score dimensions."""
    return tuple((d, t(f"dimension.{d}", lang)) for d in DIMENSION_IDS)


def mood(lang: str = DEFAULT) -> tuple[tuple[str, str], ...]:
    """(id, label) of the debtor's four inner variables."""
    return tuple((m, t(f"mood.{m}", lang)) for m in MOOD_IDS)


def persona_label(kind: str, lang: str = DEFAULT) -> str:
    return t(f"persona.{kind}", lang) if kind in PERSONA_KINDS else kind


def product_label(product: str, lang: str = DEFAULT) -> str:
    return t(f"product.{product}", lang) if product in PRODUCT_IDS else product


def persona_kind(scenario: Any) -> str:
    """angry | evasive | hardship | lost_contact: the persona's ``kind`` (its id unless it says)."""
    try:
        return scenario.persona().kind
    except Exception:
        return scenario.spec.persona


# Chinese labels, kept for code that imported them (the catalogs are the source)
OUTCOME_LABELS = {o: outcome_label(o) for o in OUTCOMES}
ENDED_BY_LABELS = {e: ended_by_label(e) for e in ENDED_BY}
DIMENSIONS = dimensions()
MOOD = mood()
PERSONA_LABELS = {k: persona_label(k) for k in PERSONA_KINDS}
PRODUCT_LABELS = {p: product_label(p) for p in PRODUCT_IDS}


def stage(overdue_days: int, lang: str = DEFAULT) -> str:
    """The collection stage of a case (seeds 002/003: 1–5 days, 6–10 days, M1/M2/M3 buckets)."""
    if overdue_days <= 5:
        key = "early"
    elif overdue_days <= 10:
        key = "firm"
    elif overdue_days <= 30:
        key = "m1"
    elif overdue_days <= 60:
        key = "m2"
    elif overdue_days <= 90:
        key = "m3"
    else:
        key = "m3plus"
    return t(f"stage.{key}", lang)


#: the one difficulty scale (scenario ``difficulty:`` 1–3), shown as ★☆☆ everywhere
MAX_DIFFICULTY = 3


def stars(difficulty: int) -> str:
    d = max(1, min(MAX_DIFFICULTY, int(difficulty)))
    return "★" * d + "☆" * (MAX_DIFFICULTY - d)


def state_label(persona: Any, state: str, short: bool = False, lang: str = DEFAULT) -> str:
    """A debtor state in the trainee's words: the persona's ``description`` (its first clause when
    ``short``: 「发泄怒气」); a terminal state without one is named by its outcome (对方投诉); the raw
    id only when the author wrote neither."""
    try:
        spec = persona.states[state].spec
    except (KeyError, AttributeError):
        return state
    text = (spec.description or "").strip()
    if not text:
        ending = spec.outcome or (spec.end_outcome if spec.terminal else None)
        return outcome_label(ending, lang) if ending else state
    if short:
        text = re.split(r"[,,;;::。(]", text, maxsplit=1)[0].strip() or text
    return text


_CLAUSE_END = set(",。!?;:、,.!?;:…\n()()「」“”\"'")
WIDEN_MAX = 16   # characters a quote may grow on each side to reach a clause edge


def widen_span(text: str, start: int | None, end: int | None) -> tuple[int, int] | None:
    """A finding's span grown to whole words (Latin letters and digits) and, within ``WIDEN_MAX``
    characters, to the clause's edges — for display only (「转2000元到我个」 → 「转2000元到我个人账户上」)."""
    if start is None or end is None or not (0 <= start < end <= len(text)):
        return None
    a, b = start, end
    for _ in range(WIDEN_MAX):
        if a == 0 or text[a - 1] in _CLAUSE_END:
            break
        a -= 1
    else:
        a = start
        while a > 0 and text[a - 1].isascii() and text[a - 1].isalnum() and text[a].isascii() and text[a].isalnum():
            a -= 1
    for _ in range(WIDEN_MAX):
        if b == len(text) or text[b] in _CLAUSE_END:
            break
        b += 1
    else:
        b = end
        while b < len(text) and text[b].isascii() and text[b].isalnum() and text[b - 1].isascii() and text[b - 1].isalnum():
            b += 1
    return a, b


def widen(text: str, start: int | None, end: int | None, evidence: str) -> str:
    """The words a finding quotes, widened to word/clause edges (``widen_span``); ``evidence`` when
    the span is unknown."""
    span = widen_span(text, start, end)
    return text[span[0]:span[1]].strip() if span else evidence


def compliance_label(passed: bool, lang: str = DEFAULT) -> str:
    """合规 / 触碰红线: whether the call stayed inside the red lines (nothing about the outcome)."""
    return t("debrief.compliant" if passed else "debrief.crossed", lang)


def names(lang: str = "zh") -> tuple[dict[str, str], dict[str, str]]:
    """Red-line and feature display names from the rule pack."""
    try:
        from ..analyzer import get_pack

        pack = get_pack(lang).pack
        return dict(pack.red_line_names), dict(pack.feature_names)
    except Exception:  # pragma: no cover - a broken pack still leaves the ids
        return {}, {}


@dataclass(frozen=True)
class Hint:
    step: str | None     # the checklist step it works on (None: a state or red-line hint)
    why: str             # what to do, in a few words
    line: str            # a model line (话术)


def _round(x: float, to: int = 100) -> int:
    return max(to, int(round(x / to)) * to)


#: the feature ids that show a checklist step in a sentence: a model line's sentences that would
#: only redo a step the call has already done are left out of it
STEP_SIGNS: dict[str, frozenset[str]] = {
    "identified_self": frozenset({"self_identification"}),
    "verified_before_disclosing": frozenset({"identity_check", "asks_for_debtor"}),
    "asked_for_debtor": frozenset({"identity_check", "asks_for_debtor"}),
    "stated_facts": frozenset({"states_amount", "states_overdue"}),
    "asked_situation": frozenset({"asks_situation", "asks_capacity"}),
    "offered_solution": frozenset({"offers_solution", "proposes_plan"}),
    "confirmed_commitment": frozenset({"confirms_commitment"}),
    "asked_callback": frozenset({"asks_callback"}),
    "closed_politely": frozenset({"closing"}),
}
#: ids that say nothing about what a sentence does (any polite sentence has them)
MANNER_IDS = frozenset({"honorific", "courtesy", "greeting", "empathy", "apology", "thanks"})
_SENTENCE = re.compile(r"(?<=[。!?!?])|(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    """A model line cut into its sentences (Chinese or English punctuation), each kept whole."""
    return [x for x in (p.strip() for p in _SENTENCE.split(text)) if x]


def without_done(session: Any, text: str, steps: dict[str, bool] | None = None) -> str:
    """``text`` without the sentences that only redo steps the call has done (a second 「我是…,请问
    您是…本人吗?」 after the debtor confirmed). A sentence that also does anything else — a missing
    step, or an act the state asks for (「…请您拨打官方客服热线核实」 to a wary debtor) — stays.
    ``steps``: the checklist at the moment in question (default: now)."""
    if not text:
        return text
    steps = session.steps() if steps is None else steps
    done = {k for k, ok in steps.items() if ok}
    if not done:
        return text
    from ..analyzer import analyze

    ctx = session.context_dict()
    lang = session.scenario.spec.lang
    kept = []
    for sentence in sentences(text):
        try:
            a = analyze(sentence, ctx)
            ids = set(a.features) | set(a.signals)
        except Exception:
            ids = set()
        redone = set().union(*(ids & STEP_SIGNS.get(k, frozenset()) for k in done))
        if redone and not (ids - redone - MANNER_IDS):
            continue     # only redoes done steps, politely
        kept.append(sentence)
    return ("" if lang == "zh" else " ").join(kept)


def hint(session: Any) -> Hint:
    """The model line for where the call is now: a red line's lawful rewrite first; then, while a
    step of the checklist is missing, that step's line built from the case; when the debtor's state
    is what stands in the way (upset, wary, disputing) or every step is done, the line the persona's
    author wrote for that state (``hint:``), if there is one — never a sentence that redoes a step
    the call has already done."""
    last = session.turns[-1] if session.turns else None
    if last is not None and last.analysis is not None and last.analysis.red_lines:
        r = last.analysis.red_lines[0]
        return Hint(None, t("hint.red_line", session.scenario.spec.lang, message=r.message), r.suggestion)
    return hint_at(session, session.steps(), session.state, session.variables)


def hint_at(session: Any, steps: dict[str, bool], state: str, variables: dict[str, int]) -> Hint:
    """The model line for a moment of the call: the checklist ``steps`` done by then, the debtor's
    ``state`` and mood then (the debrief asks this for every turn; F2 for now)."""
    base = _checklist_hint(session, steps, state, variables)
    if base.step is not None:
        return base
    authored = _authored(session, state, steps)
    return Hint(None, base.why, authored) if authored else base


def _authored(session: Any, state: str, steps: dict[str, bool]) -> str:
    """The persona's ``hint:`` for ``state``, filled in as ``Session.hint`` does, without the
    sentences that redo a done step."""
    text = session.persona.states[state].spec.hint
    if not text:
        return ""
    return without_done(session, session._format(text), steps)


def _checklist_hint(session: Any, steps: dict[str, bool], state: str, v: dict[str, int]) -> Hint:
    lang = session.scenario.spec.lang
    case = session.scenario.case

    def h(key: str, **fields: Any) -> str:
        return t(f"hint.{key}", lang, **fields)

    name = address(case, lang)
    debtor = case.debtor_name
    org = case.creditor
    product = case.product_name or (product_label(case.product, lang) if case.product in PRODUCT_IDS
                                    else t("product.default", lang))
    who = {"org": org, "collector": h("collector"), "id": h("employee_id")}
    third = session.checklist == "third_party"   # a hand-over call: until the debtor takes the phone
    if third and case.answerer.hands_over is not None and session.persona.spec.checklist != "third_party":
        # the debtor is at hand: ask for them, tell the answerer nothing (the persona is not on the line)
        put_on = h("third_put_on_line", debtor=debtor, ta=pronoun(case.honorific, lang))
        open_line = h("third_open_line", debtor=debtor, **who)
        return Hint("asked_for_debtor", h("third_put_on_why"), put_on if steps.get("identified_self") else open_line)

    # the debtor's state stands in the way (the persona author says so with hint_why): its hint first
    st = session.persona.states[state].spec
    if st.hint_why and st.hint:
        # a sentence of it that only redoes a done step is left out (a second 「我是…,请问您是…本人
        # 吗?」 to an angry debtor who confirmed); one that also does what the state asks stays (the
        # 工号 with the official line to check it, for a suspicious debtor: see ``without_done``)
        authored = _authored(session, state, steps)
        if authored:
            return Hint(None, st.hint_why, authored)
    if not third and v.get("anger", 0) >= 60:
        return Hint(None, h("venting_why"), h("venting_line", name=name))

    if third:
        informed = case.answerer.informed
        open_line = h("third_open_line", debtor=debtor, **who)
        callback = (h("third_callback_line", debtor=debtor, org=org) if not informed else
                    h("third_callback_line_informed", debtor=debtor, who=case.answerer.relation,
                      ta=pronoun(case.honorific, lang), amount=money(case.amount, lang), days=case.overdue_days,
                      org=org))
        order = [
            ("identified_self", h("third_identified_why"), open_line),
            ("asked_for_debtor", h("third_asked_for_debtor_why"), open_line),
            ("asked_callback", h("third_callback_why") if not informed else h("third_callback_why_informed"),
             callback),
            ("closed_politely", h("third_close_why"), h("third_close_line")),
        ]
    else:
        per = money(_round(case.amount / 6), lang)
        deadline = session.deadline_text or h("deadline_default")
        amount = session.plan_amount_text or per
        open_line = h("open_line", debtor=address(case, lang, full=True), **who)
        order = [
            ("identified_self", h("identified_why"), open_line),
            ("verified_before_disclosing", h("verify_why"),
             h("verify_line", debtor=address(case, lang, full=True)) if steps.get("identified_self") else open_line),
            ("stated_facts", h("facts_why"), h("facts_line", name=name, product=product,
                                              amount=money(case.amount, lang), days=case.overdue_days)),
            ("asked_situation", h("situation_why"), h("situation_line")),
            ("offered_solution", h("solution_why"), h("solution_line", per=per)),
            ("fixed_commitment", h("commitment_why"), h("commitment_line", amount=amount, deadline=deadline)),
            ("confirmed_commitment", h("confirm_why"), h("confirm_line", deadline=deadline, org=org, amount=amount)),
            ("closed_politely", h("close_why"), h("close_line")),
        ]
    for step, why, line in order:
        if step in steps and not steps[step]:
            return Hint(step, why, line)
    return Hint(None, h("done_why"), h("close_line"))


def coaching_line(analysis: Any, lang: str = DEFAULT) -> str:
    """One coaching line for the last reply: a red line's lawful rewrite first, else the first tip."""
    if analysis is None:
        return ""
    if analysis.red_lines:
        r = analysis.red_lines[0]
        return t("hint.coaching_red_line", lang, suggestion=r.suggestion)
    return analysis.feedback[0] if analysis.feedback else ""


def other_party(case: Any, lang: str = DEFAULT, speaker: str | None = None) -> str:
    """Who is on the other end: 张伟先生 / Mr. John Miller, or the third party (母亲 吴秀英);
    ``speaker`` (a turn's ``"debtor"`` or ``"third_party"``) says which, in a hand-over call."""
    a = case.answerer
    if speaker == "debtor" or (speaker is None and a.is_debtor):
        return address(case, lang, full=True)
    if a.name:
        return t("call.third_party", lang, relation=a.relation, name=a.name)
    return t("call.third_party_unnamed", lang, relation=a.relation)


def answerer_text(case: Any, lang: str = DEFAULT) -> str:
    a = case.answerer
    if a.is_debtor:
        return t("case.answerer_debtor", lang, who=address(case, lang, full=True))
    return t("case.answerer_third", lang, who=other_party(case, lang),
             informed=t("case.informed" if a.informed else "case.not_informed", lang))


def case_items(scenario: Any, persona_title: str | None = None, lang: str | None = None) -> list[tuple[str, str, str]]:
    """The case file (望 before the call) as (key, label, value), in the scenario's language."""
    s = scenario.spec
    c = s.case
    lang = lang or s.lang

    def label(key: str) -> str:
        return t(f"case.{key}", lang)

    short = product_label(c.product, lang)
    rows = [
        ("debtor", label("debtor"), address(c, lang, full=True)),
        ("creditor", label("creditor"), c.creditor),
        ("product", label("product"), t("case.product_value", lang, name=c.product_name or short, label=short)),
        ("amount", label("amount"), money(c.amount, lang)),
        ("overdue", label("overdue"), t("case.overdue_value", lang, days=c.overdue_days,
                                        stage=stage(c.overdue_days, lang))),
        ("history", label("history"), c.history or t("format.none", lang)),
        ("lawsuit", label("lawsuit"), label("lawsuit_filed") if c.lawsuit_filed else label("lawsuit_not_filed")),
        ("clock", label("clock"), t("case.clock_value", lang, clock=c.clock, n=c.calls_today)),
        ("answerer", label("answerer"), answerer_text(c, lang)),
    ]
    concessions = getattr(c, "concessions", None)
    if concessions:
        if isinstance(concessions, (list, tuple)):   # one offer a line
            concessions = "\n".join(f"· {x}" for x in concessions) if len(concessions) > 1 else str(concessions[0])
        rows.append(("concessions", label("concessions"), str(concessions)))
    else:
        rows.append(("concessions", label("concessions"), label("concessions_default")))
    if s.objective:
        rows.append(("objective", label("objective"), s.objective))
    kind = persona_kind(scenario)   # one name per kind everywhere (the picker's): the title only for a new kind
    rows.append(("persona", label("persona"), persona_label(kind, lang) if kind in PERSONA_KINDS
                 else (persona_title or kind)))
    rows.append(("difficulty", label("difficulty"), stars(s.difficulty)))
    return rows


def capacity_heard(session: Any) -> list[str]:
    """What the debtor has said about what they can pay (their lines naming their capacity's
    figures): the trainee learns the capacity by asking, so the case file shows only what was said."""
    lang = session.scenario.spec.lang
    cap = session.capacity
    figures = {money(x, lang) for x in (cap.monthly, cap.lump_sum) if x}
    return [t.debtor for t in session.turns if t.debtor and any(f in t.debtor for f in figures)]


def case_rows(scenario: Any, persona_title: str | None = None, lang: str | None = None) -> list[tuple[str, str]]:
    """The case file as label/value rows, for the preview and the case-file screen."""
    return [(label, value) for _, label, value in case_items(scenario, persona_title, lang)]
