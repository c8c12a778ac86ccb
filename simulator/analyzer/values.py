"""Typed values: the sums, dates and particulars a reply states, read as data, not as text.

The debtor persona negotiates with numbers (is 2,000 a month within what they can pay? is
本周五 sooner than they can?) and says them back in its own words (``{plan_amount}`` →
``2000元``, ``{deadline}`` → ``本周五``), so a value is parsed into fields, never kept as the
matched text. The patterns and the words that render a value back are rule-pack data
(``simulator/rules/<lang>/values.yaml``); this module only knows the shapes.

A value's *role* says what it is for, from the words of its clause: ``payment`` (还/付/每月),
``debt`` (欠款/一共), ``callback`` (回电), ``past`` (已经/到期日: a due date, not a deadline),
``threat`` (its clause crossed a red line). A date *resolves* to days from the day of the call.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as _dt
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import re2
from pydantic import BaseModel, ConfigDict, Field

from ..yamlsrc import load, validate
from .normalize import Normalized
from .rx import _UNANCHORED, OPTIONS, Encoded, Regex

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def number(text: str) -> float | None:
    """``2,000`` → 2000; ``三千五`` → 3500; ``十五`` → 15; ``两万`` → 20000; None if not a number."""
    text = text.replace(",", "").replace(",", "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if not any(ch in "零〇一二两三四五六七八九十" for ch in text):  # 千万 (by all means), 百万 alone: no number
        return None
    total, section, digit, last_unit, zero = 0, 0, 0, 1, False
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
            zero = zero or ch in "零〇"
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                total += (section + digit) * unit
                section, digit = 0, 0
            else:
                section += (digit or 1) * unit
                digit = 0
            last_unit, zero = unit, False
        else:
            return None
    if digit and not zero and last_unit >= 100:  # 三千五 = 3500, 两万五 = 25000, 一百五 = 150
        digit *= last_unit // 10
    return float(total + section + digit) or None


# -- the data file -----------------------------------------------------------------------------

class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AmountPattern(_Model):
    pattern: str
    not_followed_by: str = Field("", description="characters that may not come right after the match")
    not_followed_by_words: str = Field("", description="a pattern that may not match right after it")


class DatePattern(_Model):
    type: str
    pattern: str


class Render(_Model):
    model_config = ConfigDict(extra="allow")
    weekday_names: list[str]
    weekday: dict[int, str]
    day_of_month: dict[int, str]
    month_day: str
    month_end: dict[int, str]
    relative: dict[int, str]
    time: str
    minute_half: str
    period_am: str
    period_pm: str
    in_days: str
    amount_spoken_units: list[list[Any]] = Field(default_factory=list)
    amount_spoken: str
    month_names: list[str] = Field(default_factory=list)


class Triggers(_Model):
    """Cheap tests run first: a kind of value is looked for only when its trigger is in the reply
    (most replies state no sum, date or 工号; a long reply should not pay for every pattern)."""

    amounts: str
    dates: str
    staff_id: str
    caller_name: str
    org: str


class ValuesFile(_Model):
    triggers: Triggers
    numerals: str
    amounts: list[AmountPattern]
    units: dict[str, int] = Field(default_factory=dict)
    per_month_before: str
    per_month_after: str
    dates: list[DatePattern]
    weekdays: dict[str, int]
    weeks: dict[str, int]
    relative_days: dict[str, int]
    months: dict[str, int] = Field(default_factory=dict)
    periods_pm: list[str] = Field(default_factory=list)
    roles: dict[str, str]
    staff_id: str
    caller_name: str
    org: str
    surname: str
    render: Render


# -- values ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """One value a reply states. ``start``/``end`` are offsets into the reply as written."""

    kind: str                       # amount | date | staff_id | caller_name | org
    start: int
    end: int
    text: str
    amount: int | None = None       # amounts: whole yuan (dollars)
    per: str | None = None          # amounts: "month" for a monthly instalment
    role: str | None = None         # payment | debt | callback | past | threat | None
    type: str | None = None         # dates: weekday | day_of_month | relative | month_day | month_end | time
    week: int | None = None         # dates: 0 this week / month, 1 next
    weekday: int | None = None      # dates: 1 Monday … 7 Sunday
    day: int | None = None
    month: int | None = None
    offset: int | None = None       # relative dates: days from today
    hour: int | None = None
    minute: int | None = None
    ident: str | None = None        # staff_id / caller_name / org: the particular, normalised

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k in _FIELDS if (v := getattr(self, k)) is not None}

    def days_from(self, call_date: _dt.date) -> int | None:
        """How many days after the call this date falls (0 = the day of the call)."""
        if self.kind != "date":
            return None
        return days_from(self, call_date)


_FIELDS = ("kind", "start", "end", "text", "amount", "per", "role", "type", "week", "weekday", "day", "month",
           "offset", "hour", "minute", "ident")


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _add_month(d: _dt.date) -> tuple[int, int]:
    return (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)


def days_from(v: Value, call: _dt.date) -> int | None:
    t = v.type
    if t == "relative":
        return v.offset
    if t == "time":
        return 0
    if t == "weekday" and v.weekday:
        diff = v.weekday - call.isoweekday()
        if v.week == 1:
            return diff + 7
        return diff if diff >= 0 else diff + 7
    if t == "day_of_month" and v.day:
        y, m = (call.year, call.month)
        if v.week == 1 or (v.week is None and v.day < call.day):
            y, m = _add_month(call)
        day = min(v.day, _last_day(y, m))
        return (_dt.date(y, m, day) - call).days
    if t == "month_end":
        y, m = (call.year, call.month) if v.week != 1 else _add_month(call)
        return (_dt.date(y, m, _last_day(y, m)) - call).days
    if t == "month_day" and v.month and v.day and 1 <= v.month <= 12:
        y = call.year
        day = min(v.day, _last_day(y, v.month))
        d = _dt.date(y, v.month, day)
        if d < call:
            d = _dt.date(y + 1, v.month, min(v.day, _last_day(y + 1, v.month)))
        return (d - call).days
    return None


class _Match:
    """One match of a grouped pattern on an encoded text, in character offsets."""

    __slots__ = ("text", "spans", "names")

    def __init__(self, enc: Encoded, spans: list[tuple[int, int]], names: dict[str, int]):
        b2c = enc._b2c
        self.text = enc.text
        self.spans = [(a, b) if a < 0 or b2c is None else (b2c[a], b2c[b]) for a, b in spans]
        self.names = names

    def _index(self, g: int | str) -> int:
        return g if isinstance(g, int) else self.names[g]

    def start(self, g: int | str = 0) -> int:
        return self.spans[self._index(g)][0]

    def end(self, g: int | str = 0) -> int:
        return self.spans[self._index(g)][1]

    def group(self, g: int | str = 0) -> str | None:
        a, b = self.spans[self._index(g)]
        return None if a < 0 else self.text[a:b]

    def groupdict(self) -> dict[str, str | None]:
        return {name: self.group(i) for name, i in self.names.items()}


class _Grouped:
    """A pattern with named groups, run on the reply's UTF-8 bytes encoded once (``rx.Encoded``)."""

    def __init__(self, pattern: str):
        compiled = re2.compile(pattern.encode(), options=OPTIONS)  # raises re2.error
        self._match = compiled._regexp.Match
        self.names = {(k.decode() if isinstance(k, bytes) else k): v for k, v in compiled.groupindex.items()}

    def finditer(self, enc: Encoded) -> Iterator[_Match]:
        data = enc.data
        end, pos = len(data), 0
        while pos <= end:
            spans = self._match(_UNANCHORED, data, pos, end)
            a, b = spans[0]
            if a < 0:
                return
            yield _Match(enc, spans, self.names)
            if b > pos:
                pos = b
                continue
            pos += 1  # an empty match: step over one character
            while pos < end and (data[pos] & 0xC0) == 0x80:
                pos += 1

    def search(self, enc: Encoded) -> _Match | None:
        return next(self.finditer(enc), None)


class ValueReader:
    """Reads values with one language's patterns (built once per rule pack)."""

    def __init__(self, path: Path):
        doc = load(path)
        self.spec = spec = validate(doc, ValuesFile)
        self.path = str(path)

        def expand(p: str) -> str:
            return p.replace("{num}", f"(?:{spec.numerals})").replace("{surname}", f"(?:{spec.surname})")

        def rx(p: str) -> Any:  # for the short slices: a clause, the words around a number
            return re2.compile(expand(p))

        def grouped(p: str) -> _Grouped:  # for the whole reply
            return _Grouped(expand(p))

        self.amounts = [(grouped(a.pattern), a.not_followed_by, rx(a.not_followed_by_words) if a.not_followed_by_words
                         else None) for a in spec.amounts]
        self.dates = [(d.type, grouped(d.pattern)) for d in spec.dates]
        self.per_before = rx(spec.per_month_before)
        self.per_after = rx(spec.per_month_after)
        self.roles = {k: rx(v) for k, v in spec.roles.items()}
        self.staff_id = grouped(spec.staff_id)
        self.caller_name = grouped(spec.caller_name)
        self.org = grouped(spec.org)
        self.units = sorted(spec.units.items(), key=lambda kv: -len(kv[0]))
        tr = spec.triggers
        self.triggers = {k: re.compile(getattr(tr, k)) for k in ("amounts", "dates", "staff_id", "caller_name", "org")}
        self.clause = Regex(r"[,。!?;:…\n，、！？；：]|\.(?:\D|$)")

    # -- reading --------------------------------------------------------------------------
    def read(self, norm: Normalized, threat_spans: Sequence[tuple[int, int]] = (),
             enc: Encoded | None = None) -> list[Value]:
        """Every value in the reply, in text order. ``threat_spans`` (offsets into the original)
        are red-line findings: a date in the same clause is a threat's date, not a deadline.
        ``enc``: the normal form already encoded (the analyzer's), else it is encoded here."""
        s = norm.text
        want = {k for k, r in self.triggers.items() if r.search(s)}
        if not want:
            return []
        if enc is None or enc.text != s:
            enc = Encoded(s)
        clauses = [a for a, _ in enc.finditer(self.clause)] if want & {"amounts", "dates"} else []
        out: list[Value] = []
        taken: list[tuple[int, int]] = []

        def free(a: int, b: int) -> bool:  # taken spans never overlap: look at the neighbours only
            k = bisect.bisect_left(taken, (a, b))
            return not ((k > 0 and taken[k - 1][1] > a) or (k < len(taken) and taken[k][0] < b))

        def clause_of(a: int) -> tuple[int, int]:
            k = bisect.bisect_left(clauses, a)
            return (clauses[k - 1] + 1 if k else 0), (clauses[k] if k < len(clauses) else len(s))

        def role(a: int, b: int, kinds: tuple[str, ...]) -> str | None:
            lo, hi = clause_of(a)
            oa, ob = norm.span(lo, hi) if hi > lo else (a, b)
            if any(x < ob and y > oa for x, y in threat_spans):
                return "threat"
            clause = s[lo:hi]
            if (hi - lo) - (b - a) <= 4 and hi < len(s):  # 「本月30号之前,先还2万」: a fronted date reads on
                clause += s[hi:clause_of(hi + 1)[1]]
            for k in kinds:
                r = self.roles.get(k)
                if r is not None and r.search(clause):
                    return k
            return None

        def original(a: int, b: int) -> tuple[int, int, str]:
            oa, ob = norm.span(a, b)
            return oa, ob, norm.original[oa:ob]

        # amounts
        for regex, not_after, not_words in (self.amounts if "amounts" in want else ()):
            for m in regex.finditer(enc):
                a, b = m.start(), m.end()
                if a == b or not free(a, b):
                    continue
                if not_after and b < len(s) and s[b] in not_after:
                    continue
                if not_words is not None and not_words.search(s[b:b + 12]):
                    continue
                n = number(m.group("num") or "")
                if n is None:
                    continue
                unit = (m.groupdict().get("unit") or "")
                for u, mult in self.units:
                    if unit.startswith(u):
                        n *= mult
                        break
                if n < 1:
                    continue
                ns = m.start("num")
                per = "month" if (self.per_before.search(s[max(0, ns - 8):ns]) or self.per_after.search(s[b:b + 8])) \
                    else None
                bisect.insort(taken, (a, b))
                oa, ob, text = original(a, b)
                out.append(Value("amount", oa, ob, text, amount=int(round(n)), per=per,
                                 role=role(a, b, ("past", "debt", "payment"))))
        # dates
        dates: list[tuple[int, int, Value]] = []
        for kind, regex in (self.dates if "dates" in want else ()):
            for m in regex.finditer(enc):
                a, b = m.start(), m.end()
                if a == b or not free(a, b):
                    continue
                v = self._date(kind, m.groupdict())
                if v is None:
                    continue
                bisect.insort(taken, (a, b))
                oa, ob, text = original(a, b)
                dates.append((a, b, Value("date", oa, ob, text, role=role(a, b, ("past", "callback", "payment")),
                                          **v)))
        dates.sort(key=lambda x: x[0])
        merged: list[tuple[int, int, Value]] = []
        for a, b, v in dates:  # 明天下午5点: the time belongs to the day before it
            if merged and v.type == "time" and merged[-1][2].type != "time" and a - merged[-1][1] <= 2:
                pa, _, pv = merged[-1]
                oa, ob, text = original(pa, b)
                merged[-1] = (pa, b, Value(**{**asdict(pv), "end": ob, "text": text, "hour": v.hour,
                                              "minute": v.minute}))
                continue
            merged.append((a, b, v))
        out.extend(v for _, _, v in merged)
        # particulars
        for kind, regex, group in (("staff_id", self.staff_id, "id"), ("caller_name", self.caller_name, "name"),
                                   ("org", self.org, "org")):
            if kind not in want:
                continue
            m = regex.search(enc)
            if m is not None and m.group(group):
                a, b = m.start(group), m.end(group)
                oa, ob, text = original(a, b)
                out.append(Value(kind, oa, ob, text, ident=(m.group(group) or "").strip().upper() if kind == "staff_id"
                                 else text.strip()))
        out.sort(key=lambda v: (v.start, v.kind))
        return out

    def _date(self, kind: str, g: dict[str, str | None]) -> dict[str, Any] | None:
        sp = self.spec
        out: dict[str, Any] = {"type": kind}
        if g.get("week"):
            out["week"] = sp.weeks.get(g["week"], 0)
        if kind == "weekday":
            wd = sp.weekdays.get(g.get("weekday") or "")
            if not wd:
                return None
            out["weekday"] = wd
        if kind in ("day_of_month", "month_day"):
            d = number(g.get("day") or "")
            if d is None or not 1 <= d <= 31:
                return None
            out["day"] = int(d)
        if kind == "month_day":
            raw = (g.get("month") or "").rstrip(".")
            mo = sp.months.get(raw[:3]) if raw[:3] in sp.months else number(raw)
            if mo is None or not 1 <= mo <= 12:
                return None
            out["month"] = int(mo)
        if kind == "relative":
            off = sp.relative_days.get(g.get("rel") or "")
            if off is None:
                return None
            out["offset"] = off
        if kind == "time":
            h = number(g.get("hour") or "")
            if h is None or not 0 <= h <= 24:
                return None
            hour = int(h)
            period = (g.get("period") or "").strip()
            if period in sp.periods_pm and hour < 12:
                hour += 12
            out["hour"] = hour
            minute = g.get("minute")
            out["minute"] = 30 if minute in ("半",) else int(minute) if minute and minute.isdigit() else 0
        return out


# -- rendering ---------------------------------------------------------------------------------

def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def render_date(v: Value | dict[str, Any], lang: str = "zh") -> str:
    """A typed date the way the debtor says it: 本周五, 15号, 明天下午5点; Friday, the 15th."""
    d = v.__dict__ if isinstance(v, Value) else v
    r = reader(lang).spec.render
    t = d.get("type")
    week = int(d.get("week") or 0)
    if t == "weekday":
        text = r.weekday[min(week, 1)].format(weekday=r.weekday_names[d["weekday"]])
    elif t == "day_of_month":
        text = r.day_of_month[min(week, 1)].format(day=d["day"], ord=_ordinal(d["day"]))
    elif t == "month_day":
        names = r.month_names or [""] * 13
        text = r.month_day.format(month=d["month"], day=d["day"], month_name=names[d["month"]] if names else "",
                                  ord=_ordinal(d["day"]))
    elif t == "month_end":
        text = r.month_end[min(week, 1)]
    elif t == "relative":
        off = int(d.get("offset") or 0)
        text = r.relative.get(off) or r.in_days.format(n=off)
    elif t == "time":
        text = ""
    else:
        text = ""
    if d.get("hour") is not None:
        hour = int(d["hour"])
        minute = int(d.get("minute") or 0)
        period = r.period_pm if hour >= 12 else r.period_am
        h12 = hour - 12 if hour > 12 else hour
        mins = "" if minute == 0 else (r.minute_half if minute == 30 else (f":{minute:02d}" if lang == "en"
                                                                              else f"{minute}分"))
        text += r.time.format(period=period, hour=h12, minute=mins)
    return text


def render_amount_spoken(n: int, lang: str = "zh") -> str:
    """An amount the way people say it: 2000 → 两千块, 15000 → 一万五千块 (en: $2,000)."""
    r = reader(lang).spec.render
    if not r.amount_spoken_units or n >= 100000 or n % 100:
        return r.amount_spoken.format(n=n)
    digits = "零一二三四五六七八九"
    parts = []
    rest = n
    for unit, name in r.amount_spoken_units:
        q, rest = divmod(rest, int(unit))
        if q:
            word = digits[q] if q < 10 else str(q)
            if q == 2 and unit >= 1000:
                word = "两"
            parts.append(word + str(name))
    text = "".join(parts) or str(n)
    return r.amount_spoken.format(n=text).replace("{n}", text)


@lru_cache(maxsize=8)
def reader(lang: str = "zh") -> ValueReader:
    from .rulepack import _rules_dir

    return ValueReader(_rules_dir(lang) / "values.yaml")


__all__ = ["Value", "ValueReader", "days_from", "number", "reader", "render_amount_spoken", "render_date"]
