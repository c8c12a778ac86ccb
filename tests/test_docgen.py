"""AUTHORING.md's tables of conditions, effects and ids are the loader's own tables."""

from pathlib import Path

from simulator import docgen
from simulator.persona import CONDITIONS, EFFECTS

ROOT = Path(__file__).resolve().parent.parent


def test_authoring_md_is_what_the_tables_render():
    text = (ROOT / "AUTHORING.md").read_text(encoding="utf-8")
    assert docgen.render(text) == text, "AUTHORING.md is stale: run `python -m simulator.docgen AUTHORING.md`"


def test_every_condition_and_effect_is_in_the_guide():
    text = (ROOT / "AUTHORING.md").read_text(encoding="utf-8")
    for name in CONDITIONS:
        assert f"| `{name}" in text
    for name in EFFECTS:
        assert f"| `{name}" in text


def test_render_fills_a_block_and_leaves_the_rest():
    src = "before\n<!-- generated:effects -->\nold\n<!-- /generated:effects -->\nafter\n"
    out = docgen.render(src)
    assert out.startswith("before\n<!-- generated:effects -->\n| effect |") and out.endswith("after\n")
    assert "old" not in out and "`verify_identity`" in out
