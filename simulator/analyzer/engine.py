"""The analyzer: one reply in, features, red lines, signals, scores and coaching out.

Pipeline: normalise → for each rule (rules are data, see ``rulepack``) find hits with RE2 →
drop hits that are negated ("我们不会去您单位"), reported or quoted ("您是说对方骂了您?"),
covered by an exception, or outside the rule's call context → score → coach.

The same ``Analysis`` drives the trainee's feedback and the debtor persona's reactions.

Tone: the signals the pack names as tone kinds (sarcasm, blame, command, dismissive, impatience,
contempt, shouting) are also reported as ``tone`` findings with their span, a message and a lawful
rewrite. An offer or a question in the same sentence as a tone finding is not credited
("你这态度还想让我帮你申请分期?" offers nothing).

Scores (all weights live in the pack's ``scoring`` section):
    dimension = clamp(base + Σ weight(feature present) + Σ weight(signal present), 0, 100)
    clarity  −= long_sentence_penalty for each sentence longer than long_sentence_chars (max 2)
    politeness = min(politeness, tone_cap) if any tone finding
    politeness = min(politeness, cap) for every red line found (cap per red line, or 'default')

Coaching: one most important point. Every red line (it fails the call), else the first tone
finding, else the first ``step`` coaching line that applies (what matters at this moment of the
call), else the first ``polish`` line, else praise.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from collections.abc import Iterable
from typing import Any

from .context import CallContext
from .normalize import Normalized, Rewriter, normalize
from .rulepack import DIMENSIONS, FEATURES, CompiledRule, RulePack, get_pack
from .rx import Encoded, Regex
from .values import Value, reader


@dataclass(frozen=True)
class Hit:
    """Where a rule matched: offsets into the original text."""

    check: str
    start: int | None
    end: int | None
    evidence: str


@dataclass(frozen=True)
class RedLine:
    rule: str
    check: str
    start: int | None
    end: int | None
    evidence: str
    message: str
    suggestion: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "start": self.start, "end": self.end, "evidence": self.evidence,
                "message": self.message, "suggestion": self.suggestion,
                "check": self.check, "source": self.source}


@dataclass(frozen=True)
class ToneFinding:
    """Rudeness below a red line: its kind (a signal id), where, and how to say it lawfully."""

    kind: str
    check: str
    start: int | None
    end: int | None
    evidence: str
    message: str
    suggestion: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "start": self.start, "end": self.end, "evidence": self.evidence,
                "message": self.message, "suggestion": self.suggestion, "check": self.check}


@dataclass
class Analysis:
    text: str
    context: CallContext
    features: list[str] = field(default_factory=list)
    feature_hits: dict[str, Hit] = field(default_factory=dict)
    signals: list[str] = field(default_factory=list)
    signal_hits: dict[str, Hit] = field(default_factory=dict)
    red_lines: list[RedLine] = field(default_factory=list)
    tone: list[ToneFinding] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)
    feedback: list[str] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)

    @property
    def red_line_ids(self) -> list[str]:
        seen: list[str] = []
        for r in self.red_lines:
            if r.rule not in seen:
                seen.append(r.rule)
        return seen

    def has(self, name: str) -> bool:
        """True if the reply shows this feature, signal or red line."""
        return name in self.features or name in self.signals or name in self.red_line_ids

    def to_dict(self, id: Any = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if id is not None:
            out["id"] = id
        out.update({
            "scores": dict(self.scores),
            "features": list(self.features),
            "red_lines": [r.to_dict() for r in self.red_lines],
            "tone": [f.to_dict() for f in self.tone],
            "feedback": list(self.feedback),
            "signals": list(self.signals),
            "values": [v.to_dict() for v in self.values],
        })
        return out


_EDGE = frozenset(",，。.!！?？;；:：、 \n\t")


class _Text(Encoded):
    """A normalised reply (encoded once for RE2) with its clause and sentence boundaries."""

    def __init__(self, norm: Normalized, pack: RulePack):
        super().__init__(norm.text)
        self.norm = norm
        self.s = norm.text
        lang = pack.lang
        self.clause_ends = self._starts(lang["clause"])
        self.sentence_ends = self._starts(lang["sentence"])
        # clause boundaries as sort keys: a break character at i ends its clause at i and the next
        # starts at i + 1 (key 2i + 1); a soft break (a dropped space between words) before
        # character p ends one clause at p and starts the next at p (key 2p - 1)
        if norm.breaks:
            marks = sorted([(2 * i + 1, i, i + 1) for i in self.clause_ends] +
                           [(2 * p - 1, p, p) for p in norm.breaks])
            self._clause_keys = [k for k, _, _ in marks]
            self._clause_end = [e for _, e, _ in marks]
            self._clause_next = [n for _, _, n in marks]
        else:
            self._clause_keys = None
        self._where: dict[str, list[int]] = {}
        self._scoped: dict[tuple[int, int, int], bool] = {}

    def where(self, ch: str) -> list[int]:
        """The sorted offsets of one character (found once per reply, then looked up by bisection)."""
        found = self._where.get(ch)
        if found is None:
            found = self._where[ch] = [m.start() for m in re.finditer(re.escape(ch), self.s)] if ch in self.s else []
        return found

    def openers(self, chars: str) -> list[int]:
        """The sorted offsets of any of ``chars`` (the opening quotes)."""
        key = "\0" + chars
        found = self._where.get(key)
        if found is None:
            found = self._where[key] = [m.start() for m in re.finditer("[" + re.escape(chars) + "]", self.s)] \
                if any(c in self.s for c in chars) else []
        return found

    def count(self, ch: str, lo: int, hi: int) -> int:
        at = self.where(ch)
        return bisect.bisect_left(at, hi) - bisect.bisect_left(at, lo)

    def find(self, ch: str, lo: int, hi: int | None = None) -> int:
        """The first offset of ``ch`` in ``[lo, hi)``, or -1 (like ``str.find``, in log time)."""
        at = self.where(ch)
        k = bisect.bisect_left(at, lo)
        if k < len(at) and (hi is None or at[k] < hi):
            return at[k]
        return -1

    def search_once(self, regex: Regex, lo: int, hi: int) -> bool:
        """Whether ``regex`` matches in ``[lo, hi)``, remembered: every hit of a clause asks the
        same question of it, and asking again would make a long clause cost its square."""
        key = (id(regex), lo, hi)
        got = self._scoped.get(key)
        if got is None:
            got = self._scoped[key] = self.search(regex, lo, hi) is not None
        return got

    def _starts(self, regex: Regex | None) -> list[int]:
        return [a for a, _ in self.finditer(regex)] if regex is not None else []

    @staticmethod
    def _bounds(ends: list[int], pos: int, size: int) -> tuple[int, int]:
        k = bisect.bisect_left(ends, pos)
        start = ends[k - 1] + 1 if k > 0 else 0
        end = ends[k] if k < len(ends) else size
        return start, end

    def clause(self, pos: int) -> tuple[int, int]:
        if self._clause_keys is None:
            return self._bounds(self.clause_ends, pos, len(self.s))
        k = bisect.bisect_left(self._clause_keys, 2 * pos)
        start = self._clause_next[k - 1] if k > 0 else 0
        end = self._clause_end[k] if k < len(self._clause_keys) else len(self.s)
        return start, end

    def sentence(self, pos: int) -> tuple[int, int]:
        return self._bounds(self.sentence_ends, pos, len(self.s))

    def original(self, start: int, end: int) -> tuple[int, int, str]:
        # a pattern may consume the punctuation around a word; the quoted evidence should not
        while end - start > 1 and self.s[end - 1] in _EDGE:
            end -= 1
        while end - start > 1 and self.s[start] in _EDGE:
            start += 1
        a, b = self.norm.span(start, end)
        return a, b, self.norm.original[a:b]


class Analyzer:
    """Applies one rule pack. Stateless between replies; safe to share."""

    def __init__(self, pack: RulePack):
        self.pack = pack
        cfg = pack.pack
        self.strip = cfg.normalize.strip_separators
        self.simplify = cfg.normalize.simplify
        self.char_map = str.maketrans(cfg.normalize.char_map) if cfg.normalize.char_map else None
        self.rewriter = Rewriter(cfg.normalize.rewrite) if cfg.normalize.rewrite else None
        lang = cfg.language
        self.post_window = lang.post_negation_window
        self.reported_window = lang.reported_window
        self.disavowal_window = lang.disavowal_window
        self.quote_open = {p[0]: p[1] for p in lang.quote_pairs}
        self.quote_chars = "".join(sorted(self.quote_open))
        self.non_cues = frozenset(lang.negation_non_cues)
        self.values = reader(cfg.lang)
        self.reported_non_cues = frozenset(lang.reported_non_cues)
        self.rules_by_id = {cr.rule.id: cr.rule for cr in pack.rules}

    # -- filters -------------------------------------------------------------------------
    def _negated_before(self, t: _Text, s: int, window: int) -> bool:
        regex = self.pack.lang["negation"]
        if regex is None:
            return False
        c_start, c_end = t.clause(s)
        lo = max(c_start, s - window - 6)
        last = None
        for a, b in t.finditer(regex, lo, s):
            if t.s[a:b] not in self.non_cues:
                last = (a, b)
        if last is None or s - last[1] > window:
            return False
        breakers = self.pack.lang["breakers"]
        if breakers is not None and last[1] < s and t.search(breakers, last[1], s):
            return False
        rhetorical = self.pack.lang["rhetorical_negation"]
        if rhetorical is not None and t.match(rhetorical, last[0], c_end):
            return False
        return True

    def _negated_after(self, t: _Text, e: int) -> bool:
        regex = self.pack.lang["post_negation"]
        if regex is None:
            return False
        _, c_end = t.clause(max(e - 1, 0))
        m = t.search(regex, e, min(c_end, e + self.post_window + 4))
        return m is not None and m[0] - e <= self.post_window

    def _reported(self, t: _Text, s: int, e: int) -> bool:
        lang = self.pack.lang
        s_start, s_end = t.sentence(s)
        # reported speech: a cue earlier in the sentence ("您是说…", "有人冒充…")
        if lang["reported"] is not None:
            lo = max(s_start, s - self.reported_window)
            last_end = None
            for a, b in t.finditer(lang["reported"], lo, s):
                if t.s[a:b] not in self.reported_non_cues:
                    last_end = b
            if last_end is not None:
                rhetorical = lang["rhetorical"]
                if not (rhetorical is not None and t.match(rhetorical, last_end, s)):
                    return True
        # disavowed ("…都是违法的") or mentioned rather than used ("“老赖”这种话")
        if lang["disavowal"] is not None and t.search(lang["disavowal"], e, min(s_end, e + self.disavowal_window)):
            return True
        if lang["disavowal_next"] is not None and s_end < len(t.s):
            n_end = min(t.sentence(s_end + 1)[1], s_end + 1 + self.disavowal_window)
            if t.match(lang["disavowal_next"], s_end + 1, n_end):
                return True
        if lang["meta"] is not None and t.match(lang["meta"], e, e + 12):
            return True
        # quotation: inside a quote that follows a speech verb or a colon
        return self._quoted(t, s, e, s_start, s_end)

    def _quoted(self, t: _Text, s: int, e: int, s_start: int, s_end: int) -> bool:
        text = t.s
        openers = t.openers(self.quote_chars)
        lo = max(s_start, s - 60)
        for j in range(bisect.bisect_left(openers, s) - 1, -1, -1):
            k = openers[j]
            if k < lo:
                break
            ch = text[k]
            close = self.quote_open[ch]
            if close == ch:  # symmetric quote: inside only if an odd number precede
                if t.count(ch, s_start, s) % 2 == 0:
                    continue
            elif t.find(close, k + 1, s) != -1:
                return False
            if t.find(close, e) == -1:
                return False
            # the speech verb may end the previous sentence: "你说啥?“不还就弄死你”?"
            before = text[max(0, k - 6):k]
            speech = self.pack.lang["speech_before_quote"]
            return bool(before.endswith((":", ":")) or (speech is not None and t.search(speech, max(0, k - 6), k)))
        return False

    def _exception(self, regex: Regex | None, t: _Text, s: int, e: int, scope: str) -> bool:
        if regex is None:
            return False
        if scope != "hit":
            # the clauses (or sentences) the hit covers: a frame's hit may reach across a comma
            bounds = t.clause if scope == "clause" else t.sentence
            a, b = bounds(s)
            if e - 1 > b:
                b = bounds(e - 1)[1]
            return t.search_once(regex, a, b)
        for a, b in t.finditer(regex, s - 12, e + 12):
            if a < e and b > s:
                return True
        return False

    @staticmethod
    def _addressed(regex: Regex, t: _Text, s: int, e: int, near: int) -> bool:
        """A match near the hit, in its sentence or the one before ("接个电话这么难?属乌龟的吧")."""
        a, b = t.sentence(s)
        if a > 1:
            a = t.sentence(a - 2)[0]
        return t.search(regex, max(a, s - near), min(b, e + near)) is not None

    def _applies(self, cr: CompiledRule, ctx: CallContext, found: set[str]) -> bool:
        for key, want in cr.when:
            if getattr(ctx, key) != want:
                return False
        if any(f not in found for f in cr.rule.requires_features):
            return False
        if any(f in found for f in cr.rule.unless_features):
            return False
        return True

    def _hits(self, cr: CompiledRule, t: _Text, first_only: bool,
              regexes: list[Regex] | None = None) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for req in cr.requires:
            if t.search(req) is None:
                return out
        for s, e in _spans(t, cr.regexes if regexes is None else regexes):
            if s == e:
                continue
            if self._exception(cr.exceptions, t, s, e, "hit"):
                continue
            if self._exception(cr.clause_exceptions, t, s, e, "clause"):
                continue
            if self._exception(cr.sentence_exceptions, t, s, e, "sentence"):
                continue
            if cr.sentence_requires is not None and not self._addressed(cr.sentence_requires, t, s, e, cr.rule.near):
                continue
            if cr.rule.negatable and self._negated_before(t, s, cr.negation_window):
                continue
            if cr.post_negation and self._negated_after(t, e):
                continue
            if cr.quotable and self._reported(t, s, e):
                continue
            out.append((s, e))
            if first_only:
                break
        return out

    # -- one rule ------------------------------------------------------------------------
    def check(self, rule_id: str, text: str, context: CallContext | None = None) -> list[tuple[int, int, str]]:
        """What one rule finds in a reply on its own (original offsets and words), with every
        filter applied but without the other rules: how a rule's examples are tested."""
        cr = next((r for r in self.pack.rules if r.rule.id == rule_id), None)
        if cr is None:
            raise KeyError(rule_id)
        ctx = context or CallContext(lang=self.pack.name)
        if any(getattr(ctx, key) != want for key, want in cr.when):
            return []
        norm = normalize(text, strip_separators=self.strip, simplify=self.simplify, char_map=self.char_map,
                         rewriter=self.rewriter)
        t = _Text(norm, self.pack)
        return [t.original(s, e) for s, e in self._hits(cr, t, first_only=False)]

    # -- the whole reply -----------------------------------------------------------------
    def analyze(self, text: str, context: CallContext) -> Analysis:
        result = Analysis(text=text, context=context)
        norm = normalize(text, strip_separators=self.strip, simplify=self.simplify, char_map=self.char_map,
                         rewriter=self.rewriter)
        t = _Text(norm, self.pack)
        found: set[str] = set()
        taken: dict[str, list[tuple[int, int]]] = {}
        where: dict[str, tuple[int, int]] = {}  # feature or signal → its hit in the normal form
        for cr, regexes in self.pack.candidates(t.data):
            if cr.kind != "red_line" and cr.emits in found:
                continue
            if cr.gated and not self._applies(cr, context, found):
                continue
            hits = self._hits(cr, t, cr.kind != "red_line", regexes)
            if not hits:
                continue
            if cr.kind == "red_line":
                spans = taken.get(cr.emits, [])
                fresh = _disjoint(spans, _merge_by_clause(hits, t))
                r = cr.rule
                for s, e in fresh:
                    a, b, ev = t.original(s, e)
                    result.red_lines.append(RedLine(cr.emits, r.id, a, b, ev, r.message, r.suggestion, r.source))
                if fresh:
                    spans.extend(fresh)
                    spans.sort()  # two sorted runs: Timsort merges them in linear time
                    taken[cr.emits] = spans
                found.add(cr.emits)
                continue
            a, b, ev = t.original(*hits[0])
            hit = Hit(cr.rule.id, a, b, ev)
            found.add(cr.emits)
            where[cr.emits] = hits[0]
            if cr.kind == "feature":
                result.feature_hits[cr.emits] = hit
            else:
                result.signal_hits[cr.emits] = hit
        off = self._off_hours(context)
        if off is not None:
            result.red_lines.append(off)
        result.red_lines.sort(key=lambda r: (r.start is None, r.start or 0, r.rule))
        self._tone(result, t, where)
        result.features = [f for f in FEATURES if f in result.feature_hits]
        result.signals = sorted(result.signal_hits)
        result.values = self.values.read(norm, [(r.start, r.end) for r in result.red_lines if r.start is not None], t)
        result.scores = self._scores(result, t)
        result.feedback = self._feedback(result)
        return result

    def _tone(self, result: Analysis, t: _Text, where: dict[str, tuple[int, int]]) -> None:
        """Tone findings from the tone signals; offers and questions made in their sentence
        (or, for ``cancels_nearby``, the sentence next to it) are not credited."""
        cfg = self.pack.pack.tone
        kinds = [k for k in cfg.kinds if k in result.signal_hits]
        if not kinds:
            return
        kinds.sort(key=lambda k: where[k][0])
        sentences = []
        for kind in kinds:
            hit = result.signal_hits[kind]
            rule = self.rules_by_id.get(hit.check)
            result.tone.append(ToneFinding(kind, hit.check, hit.start, hit.end, hit.evidence,
                                           rule.message if rule else "", rule.suggestion if rule else ""))
            sentences.append((t.sentence(where[kind][0]), frozenset(cfg.cancels.get(kind, ()))))
        for feature in list(result.feature_hits):
            span = where.get(feature)
            if span is None:
                continue
            a, b = t.sentence(span[0])
            # an echo question ("减免?") next to any tone finding is no offer either
            echo = b - a <= cfg.echo_chars and t.s[b:b + 1] in "?？"
            for (sa, sb), cancelled in sentences:
                adjacent = sb + 1 == a or b + 1 == sa
                if (feature in cancelled and ((sa, sb) == (a, b) or (adjacent and feature in cfg.cancels_nearby))) or (
                        echo and adjacent):
                    del result.feature_hits[feature]
                    break

    def _off_hours(self, ctx: CallContext) -> RedLine | None:
        cfg = self.pack.pack
        name = ctx.profile or cfg.default_profile
        profile = cfg.profiles.get(name) or cfg.profiles[cfg.default_profile]
        rule = cfg.off_hours
        if not profile.minutes("start") <= ctx.minutes <= profile.minutes("end"):
            msg = rule.message_hours.format(clock=ctx.clock, start=profile.start, end=profile.end)
            return RedLine("off_hours", "off_hours.hours", None, None, ctx.clock, msg, rule.suggestion,
                           f"{rule.source}; {profile.source}")
        if ctx.calls_today > profile.max_calls_per_day:
            msg = rule.message_calls.format(calls=ctx.calls_today, limit=profile.max_calls_per_day)
            return RedLine("off_hours", "off_hours.frequency", None, None, f"calls_today={ctx.calls_today}",
                           msg, rule.suggestion, f"{rule.source}; {profile.source}")
        return None

    def _scores(self, result: Analysis, t: _Text) -> dict[str, int]:
        sc = self.pack.pack.scoring
        scores: dict[str, int] = {}
        for dim in DIMENSIONS:
            d = getattr(sc, dim)
            value = d.base
            value += sum(w for f, w in d.features.items() if f in result.feature_hits)
            value += sum(w for s, w in d.signals.items() if s in result.signal_hits)
            scores[dim] = value
        starts = [0] + [e + 1 for e in t.sentence_ends]
        ends = t.sentence_ends + [len(t.s)]
        long = sum(1 for a, b in zip(starts, ends) if b - a > sc.long_sentence_chars)
        scores["clarity"] -= sc.long_sentence_penalty * min(long, 2)
        if result.tone:
            scores["politeness"] = min(scores["politeness"], sc.tone_cap)
        for r in result.red_lines:
            cap = sc.red_line_caps.get(r.rule, sc.red_line_caps.get("default", 100))
            scores["politeness"] = min(scores["politeness"], cap)
        return {k: max(0, min(100, v)) for k, v in scores.items()}

    def _feedback(self, result: Analysis) -> list[str]:
        """The most important point: every red line, else the first tone finding, else the step
        that matters now, else polish, else praise."""
        cfg = self.pack.pack
        lines: list[str] = []
        for r in result.red_lines:
            name = cfg.red_line_names.get(r.rule, r.rule)
            quote = cfg.red_line_quote.replace("{evidence}", r.evidence) if r.start is not None else ""
            lines.append(cfg.red_line_feedback.replace("{name}", name).replace("{quote}", quote)
                         .replace("{message}", r.message).replace("{suggestion}", r.suggestion))
        if lines:
            return lines[:3]
        if result.tone:
            f = result.tone[0]
            kind = cfg.tone.kinds[f.kind]
            return [cfg.tone.feedback.replace("{name}", kind.name).replace("{evidence}", f.evidence)
                    .replace("{message}", f.message).replace("{suggestion}", f.suggestion)]
        present = set(result.feature_hits) | set(result.signal_hits)
        for stage in ("step", "polish"):
            for c in cfg.coaching:
                if c.kind == stage:
                    evidence = self._coaching_applies(c.when, result, present)
                    if evidence is not None:
                        return [c.text.format(evidence=evidence)]
        names = cfg.list_separator.join(cfg.feature_names.get(f, f) for f in result.features[:4])
        third = result.context.counterpart == "third_party" and not result.context.third_party_informed
        praise = cfg.praise_third_party if third and cfg.praise_third_party else cfg.praise
        return [praise.format(features=names or "-")]

    @staticmethod
    def _coaching_applies(w: Any, result: Analysis, present: set[str]) -> str | None:
        """The evidence to quote if the coaching condition holds (possibly ""), else None.
        ``present``: the reply's features and signals (no red line reaches this far)."""
        ctx = result.context
        for key in ("counterpart", "third_party_informed", "identity_verified"):
            want = getattr(w, key)
            if want is not None and getattr(ctx, key) != want:
                return None
        if w.any and present.isdisjoint(w.any):
            return None
        if not present.isdisjoint(w.none):
            return None
        if w.missing and w.missing in result.feature_hits:
            return None
        evidence = ""
        for name, hits in ((w.signal, result.signal_hits), (w.feature, result.feature_hits)):
            if name:
                hit = hits.get(name)
                if hit is None:
                    return None
                evidence = hit.evidence
        return evidence


def _spans(t: _Text, regexes: list[Regex]) -> Iterable[tuple[int, int]]:
    """A rule's matches in text order; where its regexes overlap, the earlier, longer one."""
    if len(regexes) == 1:
        return t.finditer(regexes[0])
    out: list[tuple[int, int]] = []
    for s, e in sorted((span for regex in regexes for span in t.finditer(regex)), key=lambda x: (x[0], -x[1])):
        if out and s < out[-1][1]:
            continue
        out.append((s, e))
    return out


def _disjoint(spans: list[tuple[int, int]], new: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of ``new`` that overlap none of ``spans``; both sorted and non-overlapping, so one
    walk over the two lists does it (a red line's findings never quote the same words twice)."""
    out: list[tuple[int, int]] = []
    j, n = 0, len(spans)
    for s, e in new:
        while j < n and spans[j][1] <= s:
            j += 1
        if j < n and spans[j][0] < e:
            continue
        out.append((s, e))
    return out


def _merge_by_clause(hits: list[tuple[int, int]], t: _Text) -> list[tuple[int, int]]:
    """Hits of one rule in the same clause become one finding quoting the whole stretch."""
    merged: list[tuple[int, int]] = []
    last_clause = None
    for s, e in hits:
        clause = t.clause(s)
        if merged and clause == last_clause:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
        last_clause = clause
    return merged


_ANALYZERS: dict[str, Analyzer] = {}


def get_analyzer(lang: str = "zh") -> Analyzer:
    if lang not in _ANALYZERS:
        _ANALYZERS[lang] = Analyzer(get_pack(lang))
    return _ANALYZERS[lang]


def analyze(text: str, context: CallContext | dict[str, Any] | None = None) -> Analysis:
    """Analyse one trainee reply in its call context."""
    if context is None:
        ctx = CallContext()
    elif isinstance(context, CallContext):
        ctx = context
    else:
        ctx = CallContext.model_validate(context)
    return get_analyzer(ctx.lang).analyze(text, ctx)
