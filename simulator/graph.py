"""Draw a persona's state machine (Mermaid without Graphviz; dot for those who have it).

Edges from ``source: "*"`` (the red-line exits every state has) are drawn once from a ``any``
pseudo-state, so the diagram stays readable.
"""

from __future__ import annotations

from collections.abc import Collection

from .i18n import t as _t
from .persona import CTransition, Persona

#: how a state no test call visits looks (Mermaid classDef; dot attributes)
UNTESTED_STYLE = "fill:#fff4e5,stroke:#d9480f,stroke-width:2px,stroke-dasharray:5 5"
UNTESTED_DOT = 'style="rounded,dashed,filled", color="#d9480f", fillcolor="#fff4e5"'


def _edges(persona: Persona) -> list[tuple[str, str, CTransition]]:
    nonterminal = [n for n, s in persona.states.items() if not s.spec.terminal]
    out = []
    for t in persona.transitions:
        if len(t.sources) > 1 and sorted(t.sources) == sorted(nonterminal) and len(nonterminal) > 2:
            out.append(("__any__", t.dest, t))
        else:
            out.extend((s, t.dest, t) for s in t.sources)
    return out


def _mm(text: str) -> str:
    return text.replace(":", "∶").replace('"', "'").replace(";", ",")


def to_mermaid(persona: Persona, untested: Collection[str] | None = None, note: str | None = None) -> str:
    """The persona as a Mermaid state diagram. ``untested``: states to mark (class ``untested``,
    drawn dashed in orange) because no test call visits them; ``note``: a comment line on coverage."""
    lines = ["stateDiagram-v2", f"    %% persona {persona.id}: {persona.spec.title}"]
    if note:
        lines.append(f"    %% {note}")
    lines.append(f"    [*] --> {persona.spec.initial}")
    for name, st in persona.states.items():
        desc = st.spec.description or name
        if st.spec.terminal:
            desc += f" ({st.spec.outcome})"
        elif st.spec.end_outcome:
            desc += " " + _t("graph.hang_up_is", persona.spec.lang, outcome=st.spec.end_outcome)
        if untested is not None and name in untested:
            desc += " ⚠ 未测试 untested"
        lines.append(f"    {name} : {_mm(desc)}")
    if any(s == "__any__" for s, _, _ in _edges(persona)):
        lines.append(f"    state \"{_t('graph.any_state', persona.spec.lang)}\" as __any__")
    for src, dest, t in _edges(persona):
        lines.append(f"    {src} --> {dest} : {_mm(t.trigger)} [{_mm(t.label)}]")
    for name, st in persona.states.items():
        if st.spec.terminal:
            lines.append(f"    {name} --> [*]")
    marked = [n for n in persona.states if untested is not None and n in untested]
    if marked:
        lines.append(f"    classDef untested {UNTESTED_STYLE}")
        lines.append(f"    class {','.join(marked)} untested")
    return "\n".join(lines) + "\n"


def _dq(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(persona: Persona, untested: Collection[str] | None = None, note: str | None = None) -> str:
    lines = [f'digraph "{_dq(persona.id)}" {{', "    rankdir=LR;", '    node [shape=box, style=rounded];',
             '    __start__ [shape=point];', f"    __start__ -> {persona.spec.initial};"]
    if note:
        lines.insert(1, f"    // {note}")
    for name, st in persona.states.items():
        # the same facts as the Mermaid diagram: id, description, outcome or hang-up outcome
        parts = [name]
        if st.spec.description:
            parts.append(st.spec.description)
        if st.spec.terminal:
            parts.append(f"({st.spec.outcome})")
        elif st.spec.end_outcome:
            parts.append(_t("graph.hang_up_is", persona.spec.lang, outcome=st.spec.end_outcome))
        marked = untested is not None and name in untested
        if marked:
            parts.append("⚠ 未测试 untested")
        label = "\\n".join(_dq(x) for x in parts)
        shape = ", shape=doubleoctagon" if st.spec.terminal else ""
        mark = f", {UNTESTED_DOT}" if marked else ""
        lines.append(f'    {name} [label="{label}"{shape}{mark}];')
    if any(s == "__any__" for s, _, _ in _edges(persona)):
        lines.append(f'    __any__ [label="{_dq(_t("graph.any_state", persona.spec.lang))}", shape=note];')
    for src, dest, t in _edges(persona):
        lines.append(f'    {src} -> {dest} [label="{_dq(t.trigger)}\\n{_dq(t.label)}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
