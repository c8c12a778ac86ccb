"""Every rule's own examples (`examples: {match, no_match}` in the rule pack) hold.

A rule is run on its own (``Analyzer.check``), in a call context that satisfies its `when`, so an
example shows what that rule catches and lets pass, whatever the other rules do.
"""

from __future__ import annotations

import pytest

from simulator.analyzer import CallContext
from simulator.analyzer.engine import get_analyzer
from simulator.analyzer.rulepack import available_languages, get_pack


def _cases():
    for lang in available_languages():
        for cr in get_pack(lang).rules:
            ex = cr.rule.examples
            if ex is None:
                continue
            for text in ex.match:
                yield pytest.param(lang, cr.rule.id, text, True, id=f"{cr.rule.id}+{text[:12]}")
            for text in ex.no_match:
                yield pytest.param(lang, cr.rule.id, text, False, id=f"{cr.rule.id}-{text[:12]}")


def _context(lang: str, rule_id: str) -> CallContext:
    cr = next(r for r in get_pack(lang).rules if r.rule.id == rule_id)
    return CallContext(lang=lang, **dict(cr.when))


@pytest.mark.parametrize("lang,rule_id,text,should", list(_cases()))
def test_rule_example(lang, rule_id, text, should):
    found = get_analyzer(lang).check(rule_id, text, _context(lang, rule_id))
    if should:
        assert found, f"{rule_id} should catch: {text}"
    else:
        assert not found, f"{rule_id} should let pass: {text} (caught {[w for _, _, w in found]})"


def test_every_chinese_red_line_rule_has_examples_both_ways():
    missing = [cr.rule.id for cr in get_pack("zh").rules
               if cr.kind == "red_line" and not (cr.rule.examples and cr.rule.examples.match
                                                 and cr.rule.examples.no_match)]
    assert not missing, missing


def test_an_example_a_rule_gets_wrong_fails_the_check():
    # the harness itself: a lawful sentence is not caught, an obvious threat is
    analyzer = get_analyzer("zh")
    assert analyzer.check("threat.conditional", "再不还钱,你全家都别想安生")
    assert not analyzer.check("threat.conditional", "再不还钱会影响您的征信")
    with pytest.raises(KeyError):
        analyzer.check("threat.no_such_rule", "你好")
