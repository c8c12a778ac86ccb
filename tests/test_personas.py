"""Personas: the bundled four load clean; lint catches what transitions would silently accept;
conditions and effects come only from the allow-list; the machine is a real transitions.Machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from transitions import Machine

from simulator.errors import LoadError
from simulator.graph import to_dot, to_mermaid
from simulator.persona import (
    OUTCOMES, SUCCESS_OUTCOMES, compile_condition, compile_effect, load_persona, reserved_names,
)
from simulator.scenario import bundled_root

ROOT = bundled_root()
PERSONAS = ["angry", "evasive", "hardship", "lost_contact"]
BROKEN = Path(__file__).parent / "data" / "broken_yaml"


@pytest.fixture(scope="module", params=PERSONAS)
def persona(request):
    return load_persona(str(ROOT / "personas" / f"{request.param}.yaml"))


def test_bundled_personas_are_the_four(persona):
    assert persona.id in PERSONAS
    assert persona.spec.initial in persona.states


def test_every_state_has_lines_and_terminals_have_outcomes(persona):
    for name, st in persona.states.items():
        if st.spec.terminal:
            assert st.spec.outcome in OUTCOMES, name
        else:
            assert st.lines, name
            assert len(st.lines) >= 1


def test_each_persona_can_succeed_and_fail(persona):
    outcomes = {st.spec.outcome for st in persona.states.values() if st.spec.terminal}
    outcomes |= {st.spec.end_outcome for st in persona.states.values() if st.spec.end_outcome}
    assert outcomes & set(SUCCESS_OUTCOMES)
    assert outcomes & {"hung_up", "complaint"}


def test_several_lines_for_the_talking_states(persona):
    first = persona.states[persona.spec.initial]
    assert len(first.lines) >= 2, "the opening line should vary with the seed"


def test_red_lines_end_the_call_from_every_state(persona):
    """Every non-terminal state has an exit on a red line (source '*')."""
    for name, st in persona.states.items():
        if st.spec.terminal:
            continue
        exits = [t for t in persona.outgoing(name) if any(c in ("any_red_line",) or c.startswith("has:") and
                                                         c[4:] in ("abuse", "third_party_disclosure")
                                                         for c, _ in t.when)]
        assert exits, f"{persona.id}.{name} has no red-line exit"


def test_lost_contact_is_a_third_party_call():
    p = load_persona(str(ROOT / "personas" / "lost_contact.yaml"))
    assert p.spec.checklist == "third_party"
    assert p.states["will_pass_on"].spec.end_outcome == "message_left"


def test_graph_mermaid_and_dot(persona):
    mm = to_mermaid(persona)
    assert mm.startswith("stateDiagram-v2")
    assert f"[*] --> {persona.spec.initial}" in mm
    dot = to_dot(persona)
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    for name in persona.states:
        assert name in mm and name in dot


# -- the allow-list ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "has:empathy", "lacks:command", "any:installment,deferral", "all:states_amount,specific_deadline",
    "any_red_line", "no_red_line", "var_gte:anger:70", "var_lte:trust:30", "done:amount",
    "not_done:deadline", "count_gte:sets_boundary:3", "turns_in_state_gte:3", "turn_gte:2",
    "case:informed", "flag:disputes", "affordable", "chance:50", "always", "empathy", "pressure",
])
def test_allowed_conditions_compile(text):
    assert callable(compile_condition(text))


@pytest.mark.parametrize("text, words", [
    ("os.system", "unknown condition"),
    ("has:telepathy", "unknown feature, signal or red line"),
    ("var_gte:rage:70", "unknown variable"),
    ("var_gte:anger:170", "outside"),
    ("var_gte:anger", "takes 2 argument"),
    ("done:everything", "unknown fact"),
    ("case:rich", "unknown case flag"),
])
def test_unknown_conditions_are_refused(text, words):
    with pytest.raises(ValueError, match=words):
        compile_condition(text)


@pytest.mark.parametrize("text", ["add:anger:-10", "set:trust:50", "verify_identity", "debtor_on_line",
                                  "flag:calm", "unflag:calm"])
def test_allowed_effects_compile(text):
    assert callable(compile_effect(text))


@pytest.mark.parametrize("text", ["exec:print", "simulator.session.Session", "add:anger", "add:mood:5",
                                  "set:anger:101"])
def test_unknown_effects_are_refused(text):
    with pytest.raises(ValueError):
        compile_effect(text)


def test_reserved_names_cover_what_transitions_adds():
    names = reserved_names()
    for n in ("state", "trigger", "machine", "may_trigger", "owner"):
        assert n in names


def test_machine_is_transitions_without_auto_transitions():
    from simulator.scenario import Catalog
    from simulator.session import Session

    sc = Catalog.discover().get("angry_card_reminder")
    s = Session(sc, seed=0, analyze=lambda text, ctx: None)
    assert isinstance(s.machine, Machine)
    assert not s.machine.auto_transitions
    assert not hasattr(s.model, "to_promise")
    # one trigger per reply: the machine holds every transition under it, in file order, with the
    # persona's conditions as the machine's own, and fires the first that holds
    assert hasattr(s.model, "hear") and not hasattr(s.model, "calm_down")
    hear = s.machine.events["hear"]
    assert [t.dest for t in hear.transitions["venting"]] == [
        t.dest for t in s.persona.transitions if "venting" in t.sources]


# -- lint on the broken corpus ---------------------------------------------------------------------

def _messages(path: Path) -> list[str]:
    with pytest.raises(LoadError) as exc:
        load_persona(str(path))
    for f in exc.value.findings:
        assert f.path == str(path) and f.line >= 1 and f.col >= 1
    return [f.message for f in exc.value.findings]


def test_lint_dangling_target():
    assert any("dangling" in m and "'nowhere'" in m for m in _messages(BROKEN / "dangling_target.yaml"))


def test_lint_unreachable_state():
    assert any("unreachable" in m and "island" in m for m in _messages(BROKEN / "unreachable_state.yaml"))


def test_lint_dead_end():
    assert any("dead end" in m and "stuck" in m for m in _messages(BROKEN / "dead_end.yaml"))


def test_lint_names_conditions_effects_lines_and_promise_guard():
    msgs = _messages(BROKEN / "bad_names.yaml")
    joined = "\n".join(msgs)
    assert "state name 'trigger' collides" in joined
    assert "trigger 'state' collides" in joined
    assert "unknown condition 'feels_lucky'" in joined
    assert "unknown effect 'call'" in joined
    assert "states.done: no debtor lines" in joined
    assert "reaches promise_to_pay without done:amount and done:deadline" in joined


def test_lint_unknown_placeholder(tmp_path):
    src = (BROKEN / "personas" / "tiny.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "tiny.yaml"
    bad.write_text(src.replace('lines: ["喂?"]', 'lines: ["喂?{nickname}"]'), encoding="utf-8")
    assert any("unknown placeholder {nickname}" in m for m in _messages(bad))


def test_minimal_persona_is_valid():
    p = load_persona(str(BROKEN / "personas" / "tiny.yaml"))
    assert p.id == "tiny"
