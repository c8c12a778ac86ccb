"""One vocabulary: the ids in simulator/vocab.py are the ones the rule packs emit, the personas
test, the schemas enumerate and the reports label."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator import vocab
from simulator.analyzer.rulepack import FEATURES, RED_LINES, available_languages, get_pack
from simulator.i18n import catalog
from simulator.persona import CONDITIONS, compile_condition
from simulator.scenario import Catalog
from simulator.steps import CHECKLISTS, STEP_ORDER

ROOT = Path(__file__).resolve().parent.parent


def test_the_vocabulary_is_dependency_free() -> None:
    text = (ROOT / "simulator" / "vocab.py").read_text(encoding="utf-8")
    imports = [line for line in text.splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["from __future__ import annotations"]


def test_ids_are_unique_within_each_list() -> None:
    for name in ("RED_LINE_IDS", "FEATURE_IDS", "SIGNAL_IDS", "SESSION_SIGNALS", "ACT_IDS", "TONE_IDS", "OUTCOMES",
                 "ENDED_BY", "FACTS", "MEMORY_ITEMS", "RELATION_KINDS", "PLACEHOLDERS", "ANSWER_ORDER"):
        ids = getattr(vocab, name)
        assert len(ids) == len(set(ids)), name


@pytest.mark.parametrize("lang", available_languages())
def test_rule_packs_emit_only_vocabulary_ids(lang: str) -> None:
    pack = get_pack(lang)
    emitted = {(cr.kind, cr.emits) for cr in pack.rules}
    for kind, ident in emitted:
        known = {"red_line": vocab.RED_LINE_IDS, "feature": vocab.FEATURE_IDS, "signal": vocab.SIGNAL_IDS}[kind]
        assert ident in known, (lang, kind, ident)
    # every pack act is emitted by every pack (a persona may name it in either language)
    assert set(vocab.PACK_ACT_IDS) <= {i for k, i in emitted if k == "signal"}, lang
    assert set(RED_LINES) == set(vocab.RED_LINE_IDS) and tuple(FEATURES) == vocab.FEATURE_IDS


def test_every_act_is_an_id_a_condition_may_test() -> None:
    ids = set(vocab.condition_ids())
    assert set(vocab.ACT_IDS) <= ids
    assert set(vocab.ANSWER_ORDER) <= set(vocab.ACT_IDS)
    assert set(vocab.TONE_IDS) <= set(vocab.SIGNAL_IDS)
    for ident in vocab.condition_ids():
        compile_condition(f"has:{ident}")  # raises if the allow-list disagrees
    for item in vocab.MEMORY_ITEMS:
        compile_condition(f"knows:{item}")
    for kind in vocab.RELATION_KINDS:
        compile_condition(f"relation:{kind}")
    with pytest.raises(ValueError):
        compile_condition("has:no_such_act")


def test_bundled_personas_only_name_vocabulary_ids() -> None:
    """Every id a bundled persona's condition or answer key names is in the vocabulary (the
    persona loader refuses others; this says so for the whole bundle at once)."""
    cat = Catalog.discover()
    for sid in sorted(cat.scenarios):
        persona = cat.get(sid).persona()
        assert set(persona.answers) <= set(vocab.ACT_IDS) | {"again"}, sid
        assert set(persona.relations) <= set(vocab.RELATION_KINDS), sid
        for r in persona.reactions:
            for text, _ in r.when + r.unless:
                name, *args = text.split(":")
                if name not in CONDITIONS:
                    assert name in vocab.condition_ids(), (sid, text)


def test_schemas_enumerate_the_vocabulary() -> None:
    persona = json.loads((ROOT / "schemas" / "persona.schema.json").read_text(encoding="utf-8"))
    scenario = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
    text = json.dumps(persona, ensure_ascii=False)
    for ident in vocab.ACT_IDS:
        assert f'"{ident}"' in text, ident
    for outcome in vocab.OUTCOMES:
        assert f'"{outcome}"' in text
    stext = json.dumps(scenario, ensure_ascii=False)
    for kind in vocab.RELATION_KINDS:
        assert f'"{kind}"' in stext, kind
    tests = json.loads((ROOT / "schemas" / "tests.schema.json").read_text(encoding="utf-8"))
    ttext = json.dumps(tests)
    for rule in vocab.RED_LINE_IDS:
        assert f'"{rule}"' in ttext


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reports_label_every_outcome_dimension_end_reason_and_step(lang: str) -> None:
    cat = catalog(lang)
    for o in vocab.OUTCOMES:
        assert f"outcome.{o}" in cat, o
    for e in vocab.ENDED_BY:
        assert f"ended_by.{e}" in cat, e
    for d in vocab.DIMENSIONS:
        assert f"dimension.{d}" in cat, d
    for step in STEP_ORDER:
        assert f"steps.{step}" in cat, step
    assert {s.dimension for steps in CHECKLISTS.values() for s in steps} <= set(vocab.DIMENSIONS)


def test_relation_words_map_to_kinds() -> None:
    k = vocab.relation_kind
    assert k("母亲") == "parent" and k("妻子") == "spouse" and k("同事") == "colleague"
    assert k("以前的室友") == "roommate" and k("担保人", True) == "guarantor" and k("本人") == "self"
    assert k("表哥", True) == "relative" and k("邻居", True) == "informed" and k("邻居") == "other"
