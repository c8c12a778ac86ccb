"""Rule packs: the analyzer's knowledge, as data.

A rule pack is a folder ``simulator/rules/<lang>/`` holding ``pack.yaml`` (language settings,
hours profiles, scoring weights, coaching lines) and any number of rule files (``*.yaml`` with a
``rules:`` list). Each rule is one check in the spirit of proselint and Vale: a dotted id, what it
emits (a red line, a feature or a signal), RE2 patterns, exceptions, a message, a suggestion and
the source it rests on. Adding a phrase is editing YAML, not Python.

Patterns are compiled with RE2, whose matching time is linear in the text: no rule, however a
trainer writes it, can make scoring hang. Constructs RE2 refuses (look-arounds, back-references)
are reported at load time as ``path:line:col``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import re2
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import Finding, LoadError
from ..yamlsrc import Document, load, validate
from .rx import OPTIONS as _OPTIONS
from .rx import Regex

from ..vocab import DIMENSIONS, FEATURE_IDS as FEATURES, RED_LINE_IDS as RED_LINES

_MACRO = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class When(_Model):
    """Call-context conditions under which a rule applies (all must hold)."""

    counterpart: Literal["debtor", "third_party"] | None = None
    third_party_informed: bool | None = None
    identity_verified: bool | None = None
    lawsuit_filed: bool | None = None


class Examples(_Model):
    """Replies the rule must catch and replies it must let pass (run by the test suite)."""

    match: list[str] = Field(default_factory=list)
    no_match: list[str] = Field(default_factory=list)


class Rule(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$",
                    description="dotted id, e.g. threat.violence")
    red_line: str | None = None
    feature: str | None = None
    signal: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")
    patterns: list[str] = Field(default_factory=list)
    frames: list[str] = Field(default_factory=list, description=(
        "who × does what × to whom or where, as slots: '{me}? {visit} {debtor_place}'. {name} is a "
        "lexicon entry ({name}? may be absent); neighbouring slots may have up to `gap` characters "
        "between them within a clause; '…' between two slots lets up to `reach` characters within a "
        "sentence lie between them; '+' joins two slots with nothing between; any other word is RE2"))
    gap: int = Field(6, ge=0, le=20, description="characters allowed between two slots of a frame (same clause)")
    reach: int = Field(24, ge=0, le=60, description="characters a '…' in a frame spans (same sentence)")
    examples: Examples | None = None
    exceptions: list[str] = Field(default_factory=list,
                                  description="a match of one of these overlapping the hit cancels it")
    clause_exceptions: list[str] = Field(default_factory=list,
                                         description="a match anywhere in the hit's clause cancels it")
    sentence_exceptions: list[str] = Field(default_factory=list,
                                           description="a match anywhere in the hit's sentence cancels it")
    requires: list[str] = Field(default_factory=list,
                                description="each must also match somewhere in the reply")
    sentence_requires: list[str] = Field(default_factory=list, description=(
        "one of these must match within `near` characters of the hit, in its sentence or the one before "
        "(the words are said to the listener, or about the debt: 你, 您, 欠, 还钱)"))
    near: int = Field(12, ge=0, le=60, description="how far from the hit sentence_requires looks")
    requires_features: list[str] = Field(default_factory=list)
    unless_features: list[str] = Field(default_factory=list)
    negatable: bool = True
    negation_window: int | None = Field(None, ge=0, le=40)
    post_negation: bool | None = None
    quotable: bool | None = Field(
        None, description="reported, quoted or disavowed words do not count (default: yes for red lines)")
    when: When = Field(default_factory=When)
    message: str = ""
    suggestion: str = ""
    source: str = ""

    @model_validator(mode="after")
    def _one_kind(self) -> "Rule":
        if not (self.patterns or self.frames):
            raise ValueError("a rule needs patterns or frames (or both)")
        kinds = [k for k in ("red_line", "feature", "signal") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("a rule emits exactly one of red_line, feature or signal")
        if self.red_line and self.red_line not in RED_LINES:
            raise ValueError(f"unknown red line {self.red_line!r}; known: {', '.join(RED_LINES)}")
        if self.feature and self.feature not in FEATURES:
            raise ValueError(f"unknown feature {self.feature!r}; known: {', '.join(FEATURES)}")
        if self.red_line and not (self.message and self.suggestion and self.source):
            raise ValueError("a red-line rule needs a message, a suggestion and a source")
        return self

    @property
    def emits(self) -> tuple[str, str]:
        if self.red_line:
            return "red_line", self.red_line
        if self.feature:
            return "feature", self.feature
        return "signal", self.signal or ""


class RuleFile(_Model):
    lexicon: dict[str, str | list[str]] = Field(default_factory=dict, description=(
        "shared word lists, merged into the pack's: a list is a set of alternatives (each RE2)"))
    rules: list[Rule] = Field(default_factory=list)


class Profile(_Model):
    start: str = Field(pattern=r"^\d\d:\d\d$", description="earliest allowed call time")
    end: str = Field(pattern=r"^\d\d:\d\d$", description="latest allowed call time (inclusive)")
    max_calls_per_day: int = Field(ge=1)
    source: str

    def minutes(self, which: str) -> int:
        h, m = getattr(self, which).split(":")
        return int(h) * 60 + int(m)


class Language(_Model):
    clause_breaks: str
    sentence_breaks: str
    negation_cues: list[str]
    negation_non_cues: list[str] = Field(
        default_factory=list, description="words a cue matches that are not negations (别人, 不好意思)")
    negation_window: int = Field(8, ge=0, le=40)
    negation_rhetorical: list[str] = Field(
        default_factory=list, description="a cue that opens a rhetorical question negates nothing: 不是有分付吗")
    negation_breakers: list[str]
    post_negation: list[str]
    post_negation_window: int = Field(6, ge=0, le=40)
    reported_speech: list[str]
    reported_window: int = Field(20, ge=0, le=80)
    rhetorical_after_cue: list[str] = Field(default_factory=list)
    reported_non_cues: list[str] = Field(
        default_factory=list, description="what a cue matches that is the trainee's own speech (跟您说)")
    speech_before_quote: list[str]
    disavowal_after: list[str] = Field(
        default_factory=list,
        description="later in the sentence, these say the words were not meant: '爆通讯录都是违法的'")
    disavowal_window: int = Field(
        40, ge=0, le=200, description="how far after a hit (characters, within the sentence) disavowal_after is looked for")
    disavowal_next_sentence: list[str] = Field(
        default_factory=list,
        description="at the start of the next sentence, these disown what was said: '…打电话?那是违规的'")
    frame_gap: str = Field("[^,。!?;…\\n，！？；]", description=(
        "RE2 class of the characters a frame's gap may cover: the clause, enumeration commas allowed"))
    frame_reach: str = Field("[^。!?…\\n！？]", description="RE2 class a frame's '…' may cover: the sentence")
    meta_after: list[str] = Field(
        default_factory=list, description="right after a hit, these say it was mentioned, not used: '“老赖”这种话'")
    quote_pairs: list[str]

    @field_validator("quote_pairs")
    @classmethod
    def _pairs(cls, value: list[str]) -> list[str]:
        for pair in value:
            if len(pair) != 2:
                raise ValueError(f"a quote pair is two characters, got {pair!r}")
        return value


class DimensionScoring(_Model):
    base: int = Field(ge=0, le=100)
    features: dict[str, int] = Field(default_factory=dict)
    signals: dict[str, int] = Field(default_factory=dict)


class CallScoring(_Model):
    """A call's score per dimension: (1 − step_weight) × the replies' weighted mean + step_weight ×
    the share of the dimension's checklist steps done. A reply with a tone finding or a red line
    weighs ``harsh_weight`` times an ordinary one in the politeness mean."""

    step_weight: dict[str, float] = Field(
        default_factory=lambda: {"politeness": 0.2, "clarity": 0.5, "solution": 0.5})
    harsh_weight: float = Field(3.0, ge=1.0)

    @field_validator("step_weight")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        for dim, w in value.items():
            if dim not in DIMENSIONS:
                raise ValueError(f"unknown dimension {dim!r}; known: {', '.join(DIMENSIONS)}")
            if not 0.0 <= w <= 1.0:
                raise ValueError(f"step_weight for {dim} must be within 0..1, got {w}")
        return value


class Scoring(_Model):
    politeness: DimensionScoring
    clarity: DimensionScoring
    solution: DimensionScoring
    long_sentence_chars: int = Field(ge=10)
    long_sentence_penalty: int = Field(ge=0, le=100)
    red_line_caps: dict[str, int] = Field(description="politeness cap per red line; 'default' for the rest")
    tone_cap: int = Field(100, ge=0, le=100, description="politeness cap for a reply with any tone finding")
    call: CallScoring = Field(default_factory=CallScoring,
                                description="how a call's scores follow from its replies and steps")


class ToneKind(_Model):
    name: str = Field(description="what the trainee reads, e.g. 讽刺挖苦")


class ToneSettings(_Model):
    """Tone kinds: signals that are rudeness below a red line (sarcasm, blame, …)."""

    kinds: dict[str, ToneKind] = Field(default_factory=dict, description="signal id → tone kind")
    cancels: dict[str, list[str]] = Field(default_factory=dict, description=(
        "tone kind → features not credited in the sentence of such a finding: '这态度还想分期?' offers nothing"))
    cancels_nearby: list[str] = Field(default_factory=list, description=(
        "of those features, the ones also not credited in a neighbouring sentence: "
        "'为什么不还?是不是觉得我们好欺负?' asks about nothing"))
    echo_chars: int = Field(6, ge=0, description=(
        "a sentence this short ending in '?' echoes the debtor ('减免?'): a tone finding next to it cancels its features"))
    feedback: str = Field("{name}「{evidence}」:{message} → {suggestion}",
                          description="the coaching line for a tone finding")


class CoachWhen(_Model):
    """When a coaching line applies (all given conditions must hold)."""

    signal: str | None = None
    missing: str | None = None
    feature: str | None = None
    counterpart: Literal["debtor", "third_party"] | None = None
    third_party_informed: bool | None = None
    identity_verified: bool | None = None
    any: list[str] = Field(default_factory=list, description="at least one of these features or signals is present")
    none: list[str] = Field(default_factory=list, description="none of these features or signals is present")


class Coaching(_Model):
    when: CoachWhen
    text: str
    kind: Literal["step", "polish"] = Field(
        "step", description="step: what matters at this moment of the call; polish: register and wording")


class ContextRule(_Model):
    message_hours: str
    message_calls: str
    suggestion: str
    source: str


class Normalize(_Model):
    strip_separators: bool = True
    simplify: bool = True
    char_map: dict[str, str] = Field(default_factory=dict,
                                     description="one character for one, applied after folding")
    rewrite: dict[str, str] = Field(default_factory=dict, description=(
        "word for word after folding, before char_map (slang, pinyin initials, dialect): zfb: 支付宝; "
        "a Latin key matches only a whole Latin word"))

    @field_validator("char_map")
    @classmethod
    def _one_for_one(cls, value: dict[str, str]) -> dict[str, str]:
        for k, v in value.items():
            if len(k) != 1 or len(v) != 1:
                raise ValueError(f"char_map maps one character to one, got {k!r}: {v!r}")
        return value


class PackFile(_Model):
    lang: str
    name: str
    normalize: Normalize = Field(default_factory=Normalize)
    default_profile: str
    profiles: dict[str, Profile]
    lexicon: dict[str, str] = Field(default_factory=dict)
    language: Language
    off_hours: ContextRule
    scoring: Scoring
    tone: ToneSettings = Field(default_factory=ToneSettings)
    coaching: list[Coaching] = Field(default_factory=list)
    praise: str = Field(description="coaching line when a reply needs no correction; {features} is replaced")
    praise_third_party: str | None = Field(None, description="the praise line when a third party is on the line")
    red_line_feedback: str = Field("{name}{quote}:{message} → {suggestion}", description=(
        "the coaching line for a red line; {name}, {quote} (the words, or nothing for a context-only red "
        "line), {message}, {suggestion}"))
    red_line_quote: str = Field("「{evidence}」", description="how {quote} shows the offending words")
    list_separator: str = Field("、", description="between the feature names that {features} lists")
    feature_names: dict[str, str] = Field(default_factory=dict)
    red_line_names: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _profile_known(self) -> "PackFile":
        if self.default_profile not in self.profiles:
            raise ValueError(f"default_profile {self.default_profile!r} is not one of the profiles")
        return self


class CompiledRule:
    """A rule with its patterns compiled; ``regex`` finds hits, the others cancel them."""

    __slots__ = ("rule", "kind", "emits", "pattern", "regexes", "exceptions", "clause_exceptions", "sentence_exceptions",
                 "requires", "sentence_requires", "index", "when", "gated", "negation_window", "post_negation", "quotable")

    def __init__(self, rule: Rule, regexes: list[Regex], exceptions: Regex | None, clause_exceptions: Regex | None,
                 sentence_exceptions: Regex | None, requires: list[Regex], language: Language):
        self.rule = rule
        self.kind, self.emits = rule.emits
        self.regexes = regexes  # the patterns, joined into as few regexes as stay small (see _Compiler)
        self.pattern = "|".join(f"(?:{r.pattern})" for r in regexes) if len(regexes) > 1 else regexes[0].pattern
        self.exceptions = exceptions
        self.clause_exceptions = clause_exceptions
        self.sentence_exceptions = sentence_exceptions
        self.requires = requires
        self.sentence_requires: Regex | None = None
        self.index = -1  # position in the pack's prefilter
        self.when = tuple((k, v) for k, v in rule.when.model_dump().items() if v is not None)
        # the rule's settings with the pack's defaults filled in, resolved once
        self.gated = bool(self.when or rule.requires_features or rule.unless_features)
        self.negation_window = language.negation_window if rule.negation_window is None else rule.negation_window
        self.post_negation = self.kind == "feature" if rule.post_negation is None else rule.post_negation
        self.quotable = self.kind == "red_line" if rule.quotable is None else rule.quotable


class RulePack:
    """A loaded, compiled rule pack."""

    def __init__(self, pack: PackFile, rules: list[CompiledRule], language: dict[str, Regex | None], files: list[Path]):
        self.pack = pack
        self.rules = rules
        self.lang = language
        self.files = files
        first = [r for r in rules if not (r.rule.requires_features or r.rule.unless_features)]
        self.ordered = first + [r for r in rules if r.rule.requires_features or r.rule.unless_features]
        # RE2's FilteredRE2: one pass over the reply's literal atoms tells which rules can match
        # at all, so only those few are run (about 14 of 70 on a typical reply, 4 of which hit).
        # Each of a rule's regexes (a frame is one) is filtered on its own: a rule runs only the
        # frames whose words are in the reply.
        # The atoms of all the regexes are matched by one RE2::Set, whose DFA has a fixed memory
        # budget: past some fifty regexes' worth of atoms it keeps running out and rebuilding, and
        # matching gets eight times slower. So the regexes are dealt into a few filters that each
        # stay within it (measured: 91 regexes, one filter 0.29 ms a reply, two 0.04 ms).
        rank = {id(cr): k for k, cr in enumerate(self.ordered)}
        entries = [(rank[id(cr)], rx) for cr in rules for rx in cr.regexes]
        for cr in rules:
            cr.index = rank[id(cr)]
        groups = max(1, -(-len(entries) // PREFILTER_GROUP))
        self.prefilters: list[tuple[re2.Filter, dict[int, tuple[int, Regex]]]] = []
        for g in range(groups):
            filt = re2.Filter()
            table: dict[int, tuple[int, Regex]] = {}  # filter index → (rank of the rule, regex)
            for k, rx in entries[g::groups]:
                table[filt.Add(rx.pattern, _OPTIONS)] = (k, rx)
            filt.Compile()
            self.prefilters.append((filt, table))
        self._all = [(cr, cr.regexes) for cr in self.ordered]

    def candidates(self, data: bytes) -> list[tuple[CompiledRule, list[Regex]]]:
        """The rules that may match the (normal-form, UTF-8) text, in evaluation order, each with
        the regexes of it that may."""
        if not data or not self.rules:
            return []
        if len(data) > PREFILTER_MAX_BYTES:
            return self._all
        by_rank: dict[int, list[Regex]] = {}
        for filt, table in self.prefilters:
            found = filt.Match(data, True)  # potential matches: the rules confirm them
            if found:
                for i in found:
                    k, rx = table[i]
                    by_rank.setdefault(k, []).append(rx)
        if not by_rank:
            return []
        for k, found_rx in by_rank.items():
            if len(found_rx) > 1:  # keep a rule's regexes in their own order
                order = {id(rx): j for j, rx in enumerate(self.ordered[k].regexes)}
                found_rx.sort(key=lambda rx: order[id(rx)])
        ordered = self.ordered
        return [(ordered[k], by_rank[k]) for k in sorted(by_rank)]

    @property
    def name(self) -> str:
        return self.pack.lang


# Past this size a reply skips the prefilter and every rule runs: the prefilter's set of atoms is
# matched by a DFA whose states multiply on long, varied text (2 µs a byte where a rule's own
# DFA takes a few ns), so on a long reply running all the rules is the cheaper way to the same
# hits (a rule the prefilter would have dropped finds nothing).
PREFILTER_MAX_BYTES = 16384
PREFILTER_GROUP = 48  # regexes a prefilter holds at most (see RulePack.__init__)

#: data files of a pack folder that are not rule files (typed values: ``analyzer/values.py``)
NOT_RULE_FILES = frozenset({"values.yaml"})

CHUNK_SIZE = 20000  # RE2 instructions per regex; a bigger rule is split (measured: splitting smaller rules costs more calls than it saves states)


class _Compiler:
    def __init__(self, lexicon: dict[str, str]):
        self.lexicon = lexicon
        self.findings: list[Finding] = []

    def expand(self, pattern: str, doc: Document, loc: tuple[Any, ...], depth: int = 0) -> str:
        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in self.lexicon:
                self.findings.append(doc.at(loc, f"unknown lexicon entry {{{name}}} in pattern {pattern!r}"))
                return ""
            if depth > 5:
                self.findings.append(doc.at(loc, f"lexicon entry {{{name}}} refers to itself"))
                return ""
            return "(?:" + self.expand(self.lexicon[name], doc, loc, depth + 1) + ")"

        return _MACRO.sub(sub, pattern)

    def compile(self, patterns: list[str], doc: Document, loc: tuple[Any, ...]) -> Regex | None:
        """All the patterns as one regex (None if there are none)."""
        joined = self._joined(patterns, doc, loc)
        if joined is not None:
            return joined
        parts = self.parts(patterns, doc, loc)
        if len(parts) < 2:
            return parts[0] if parts else None
        return Regex("|".join(f"(?:{part.pattern})" for part in parts))

    def compile_chunks(self, patterns: list[str], doc: Document, loc: tuple[Any, ...]) -> list[Regex]:
        """The patterns joined into as few regexes as keep each under CHUNK_SIZE instructions: a
        DFA's states are sets of instructions, so one huge alternation can have combinatorially
        many states to build, where a few smaller ones have only the sum."""
        joined = self._joined(patterns, doc, loc)
        if joined is not None and joined.size <= CHUNK_SIZE:
            return [joined]
        chunks: list[list[Regex]] = []
        for part in self.parts(patterns, doc, loc):
            if chunks and sum(p.size for p in chunks[-1]) + part.size <= CHUNK_SIZE:
                chunks[-1].append(part)
            else:
                chunks.append([part])
        return [c[0] if len(c) == 1 else Regex("|".join(f"(?:{p.pattern})" for p in c)) for c in chunks]

    def _joined(self, patterns: list[str], doc: Document, loc: tuple[Any, ...]) -> Regex | None:
        """Several patterns compiled once, joined, when that tells as much as compiling each: every
        one keeps its parentheses to itself, so the join is valid exactly when each one is. None
        means: compile them one by one (and report the bad one at its own line)."""
        if len(patterns) < 2:
            return None
        findings = len(self.findings)
        expanded = [self.expand(p, doc, loc + (i,)) for i, p in enumerate(patterns)]
        del self.findings[findings:]  # parts() expands again and reports
        if not all(_self_contained(e) for e in expanded):
            return None
        try:
            return Regex("|".join(f"(?:{e})" for e in expanded))
        except re2.error:
            return None

    def parts(self, patterns: list[str], doc: Document, loc: tuple[Any, ...]) -> list[Regex]:
        parts: list[Regex] = []
        for i, pattern in enumerate(patterns):
            expanded = self.expand(pattern, doc, loc + (i,))
            try:
                parts.append(Regex(expanded))
            except re2.error as exc:
                reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
                self.findings.append(doc.at(loc + (i,), f"pattern {pattern!r} is not valid RE2: {reason}"
                                            " (look-arounds and back-references are not supported;"
                                            " use exceptions instead)"))
        return parts


def frame_pattern(frame: str, gap_class: str, reach_class: str, gap: int, reach: int) -> str:
    """A frame ('{me}? {visit} … {debtor_place}') as one RE2 pattern (lexicon names left as
    {name}, expanded like any pattern's). Slots are joined by a lazy, bounded gap that cannot
    leave the clause ('…': the sentence); an optional slot carries the gap that joins it to its
    neighbour, so a match starts and ends on a slot that is there."""
    tokens = frame.split()
    items: list[list[str]] = []  # [regex, optional, joiner before]
    joiner = "gap"
    for tok in tokens:
        if tok in ("…", "..."):
            joiner = "reach"
            continue
        if tok == "+":
            joiner = "none"
            continue
        optional = tok.endswith("?") and _MACRO.fullmatch(tok[:-1]) is not None
        body = tok[:-1] if optional else tok
        items.append([f"(?:{body})", optional, joiner])
        joiner = "gap"
    if not items:
        return ""
    seps = {"gap": f"{gap_class}{{0,{gap}}}?", "reach": f"{reach_class}{{0,{reach}}}?", "none": ""}
    # a leading optional slot takes the joiner after it; the others take the joiner before them
    out = ""
    lead: list[str] = []
    k = 0
    while k < len(items) - 1 and items[k][1]:
        lead.append(f"(?:{items[k][0]}{seps[items[k + 1][2]]})?")
        k += 1
    out = "".join(lead) + items[k][0]
    for regex, optional, join in items[k + 1:]:
        piece = seps[join] + regex
        out += f"(?:{piece})?" if optional else piece
    return out


def _self_contained(pattern: str) -> bool:
    """True if the pattern's groups open and close within it (escapes and classes skipped).
    Unsure cases (\\Q…\\E, a class starting with ']') answer False: compile on its own."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if pattern.startswith("\\Q", i):
                return False
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            if pattern.startswith(("[]", "[^]"), i):
                return False
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0 and not in_class


def _rules_dir(lang: str) -> Path:
    return Path(str(resources.files("simulator") / "rules" / lang))


def available_languages() -> list[str]:
    root = Path(str(resources.files("simulator") / "rules"))
    return sorted(p.name for p in root.iterdir() if (p / "pack.yaml").is_file())


def load_pack(folder: Path) -> RulePack:
    """Load and compile a rule pack folder; raise LoadError listing every problem found."""
    pack_doc = load(folder / "pack.yaml")
    pack = validate(pack_doc, PackFile)
    comp = _Compiler(dict(pack.lexicon))
    lang = pack.language
    language = {
        "clause": comp.compile([lang.clause_breaks], pack_doc, ("language", "clause_breaks")),
        "sentence": comp.compile([lang.sentence_breaks], pack_doc, ("language", "sentence_breaks")),
        "negation": comp.compile(lang.negation_cues, pack_doc, ("language", "negation_cues")),
        "breakers": comp.compile(lang.negation_breakers, pack_doc, ("language", "negation_breakers")),
        "rhetorical_negation": comp.compile(lang.negation_rhetorical, pack_doc, ("language", "negation_rhetorical")),
        "post_negation": comp.compile(lang.post_negation, pack_doc, ("language", "post_negation")),
        "reported": comp.compile(lang.reported_speech, pack_doc, ("language", "reported_speech")),
        "rhetorical": comp.compile(lang.rhetorical_after_cue, pack_doc, ("language", "rhetorical_after_cue")),
        "speech_before_quote": comp.compile(lang.speech_before_quote, pack_doc,
                                            ("language", "speech_before_quote")),
        "disavowal": comp.compile(lang.disavowal_after, pack_doc, ("language", "disavowal_after")),
        "disavowal_next": comp.compile(lang.disavowal_next_sentence, pack_doc, ("language", "disavowal_next_sentence")),
        "meta": comp.compile(lang.meta_after, pack_doc, ("language", "meta_after")),
    }
    rules: list[CompiledRule] = []
    files = [folder / "pack.yaml"]
    seen: dict[str, str] = {}
    loaded: list[tuple[Path, Document, RuleFile]] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "pack.yaml":
            continue
        if path.name in NOT_RULE_FILES:
            files.append(path)
            continue
        files.append(path)
        doc = load(path)
        rule_file = validate(doc, RuleFile)
        loaded.append((path, doc, rule_file))
        for name, words in rule_file.lexicon.items():
            if name in comp.lexicon:
                comp.findings.append(doc.at(("lexicon", name), f"lexicon entry {name!r} is defined twice"))
                continue
            comp.lexicon[name] = words if isinstance(words, str) else "|".join(w for w in words if w)
    for path, doc, rule_file in loaded:
        for i, rule in enumerate(rule_file.rules):
            loc = ("rules", i)
            if rule.id in seen:
                comp.findings.append(doc.at(loc + ("id",), f"duplicate rule id {rule.id!r} (first in {seen[rule.id]})"))
                continue
            seen[rule.id] = path.name
            for name in rule.requires_features + rule.unless_features:
                if name not in FEATURES:
                    comp.findings.append(doc.at(loc, f"unknown feature {name!r} in requires/unless_features"))
            regexes = comp.compile_chunks(rule.patterns, doc, loc + ("patterns",)) if rule.patterns else []
            for j, frame in enumerate(rule.frames):
                pattern = frame_pattern(frame, lang.frame_gap, lang.frame_reach, rule.gap, rule.reach)
                regexes += comp.compile_chunks([pattern], doc, loc + ("frames", j))
            exc = comp.compile(rule.exceptions, doc, loc + ("exceptions",))
            cexc = comp.compile(rule.clause_exceptions, doc, loc + ("clause_exceptions",))
            sexc = comp.compile(rule.sentence_exceptions, doc, loc + ("sentence_exceptions",))
            reqs = [comp.compile([p], doc, loc + ("requires", j)) for j, p in enumerate(rule.requires)]
            sreq = comp.compile(rule.sentence_requires, doc, loc + ("sentence_requires",))
            if regexes:
                cr = CompiledRule(rule, regexes, exc, cexc, sexc, [r for r in reqs if r is not None], pack.language)
                cr.sentence_requires = sreq
                rules.append(cr)
    _check_scoring(pack, pack_doc, comp.findings)
    _check_tone(pack, pack_doc, rules, comp.findings)
    if comp.findings:
        raise LoadError(comp.findings)
    return RulePack(pack, rules, language, files)


def _check_scoring(pack: PackFile, doc: Document, findings: list[Finding]) -> None:
    for dim in DIMENSIONS:
        for name in getattr(pack.scoring, dim).features:
            if name not in FEATURES:
                findings.append(doc.at(("scoring", dim, "features", name), f"unknown feature {name!r}"))
    for name in pack.scoring.red_line_caps:
        if name != "default" and name not in RED_LINES:
            findings.append(doc.at(("scoring", "red_line_caps", name), f"unknown red line {name!r}"))


def _check_tone(pack: PackFile, doc: Document, rules: list[CompiledRule], findings: list[Finding]) -> None:
    """Every tone kind is a signal some rule emits; what a kind cancels are features."""
    signals = {cr.emits for cr in rules if cr.kind == "signal"}
    for kind in pack.tone.kinds:
        if kind not in signals:
            findings.append(doc.at(("tone", "kinds", kind), f"tone kind {kind!r} is no signal of any rule"))
    for kind, features in pack.tone.cancels.items():
        if kind not in pack.tone.kinds:
            findings.append(doc.at(("tone", "cancels", kind), f"{kind!r} is not one of the tone kinds"))
        for name in features:
            if name not in FEATURES:
                findings.append(doc.at(("tone", "cancels", kind), f"unknown feature {name!r}"))
    for name in pack.tone.cancels_nearby:
        if name not in FEATURES:
            findings.append(doc.at(("tone", "cancels_nearby"), f"unknown feature {name!r}"))


@lru_cache(maxsize=8)
def get_pack(lang: str = "zh") -> RulePack:
    """The bundled rule pack for a language (cached)."""
    folder = _rules_dir(lang)
    if not (folder / "pack.yaml").is_file():
        from ..errors import UserError

        raise UserError(f"no rule pack for language {lang!r}; available: {', '.join(available_languages())}")
    return load_pack(folder)
