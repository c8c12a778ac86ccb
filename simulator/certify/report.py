"""Reports from the results store: one trainee's attempts, or one exam's cohort.

``build_report`` gathers plain data (what ``--format json`` prints); ``render`` turns it into
JSON, CSV (one row per attempt) or a self-contained HTML page with inline SVG charts:
per-dimension scores against the exam's minimums, the trend over attempts, red lines by rule,
the cohort pass rate, every failed attempt's red lines in the trainee's own words, and a
certificate page (with its signature) for each passing attempt of a trainee.

Everything comes from the derived columns and rows, so a report over 10,000 attempts does not
parse 10,000 transcripts; only certificates read (and, given the key, check) signed records.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from html import escape
from typing import Any

from .. import __version__
from . import charts
from .exam import DIMENSIONS
from .signing import SigningKey
from .store import Store, now_iso

RULE_NAMES = {
    "abuse": "辱骂 abuse", "threat": "威胁恐吓 threat", "impersonation": "冒充公检法 impersonation",
    "false_legal": "虚假法律后果 false_legal", "privacy_exposure": "曝光隐私 privacy_exposure",
    "third_party_disclosure": "向第三方泄露 third_party_disclosure", "personal_account": "私人账户 personal_account",
    "off_hours": "违规时段/频次 off_hours", "induce_borrowing": "诱导借贷 induce_borrowing",
}
DIM_NAMES = {"politeness": "礼貌 politeness", "clarity": "清晰 clarity", "solution": "方案 solution",
             "overall": "总分 overall"}
STATUS_NAMES = {"passed": "通过 passed", "failed": "未通过 failed", "incomplete": "未完成 incomplete"}
COLORS = {"politeness": "#2e86de", "clarity": "#10ac84", "solution": "#f39c12", "overall": "#5f27cd",
          "passed": "#10ac84", "failed": "#c0392b", "incomplete": "#95a5a6", "cohort": "#95a5a6"}


def _mean(values: list[float]) -> float | None:
    vals = [v for v in values if v is not None]
    return round(sum(vals) / len(vals), 1) if vals else None


def build_report(store: Store, *, trainee: str | None = None, exam_id: str | None = None,
                 key: SigningKey | None = None) -> dict[str, Any]:
    rows = store.attempts(trainee=trainee, exam_id=exam_id)
    calls, reds = store.children(trainee=trainee, exam_id=exam_id)
    attempts: list[dict[str, Any]] = []
    latest: dict[str, int] = {}
    for r in rows:
        c = r.columns
        attempts.append({
            "exam": c["exam_id"], "trainee": c["trainee"], "attempt": c["attempt_no"], "status": c["status"],
            "started_at": c["started_at"], "finished_at": c["finished_at"],
            "scores": {d: c[d] for d in (*DIMENSIONS, "overall")},
            "calls": [{k: v for k, v in call.items()} for call in calls.get(r.id, [])],
            "calls_total": c["calls_total"],
            "red_lines": [{k: red[k] for k in ("scenario", "turn", "rule", "evidence")} for red in reds.get(r.id, [])],
            "reasons": json.loads(c["reasons"] or "[]"), "note": c["note"],
            "engine_version": c["engine_version"], "signature": c["signature"], "key_id": c["key_id"],
            "_id": r.id,
        })
        latest[c["exam_id"]] = max(r.id, latest.get(c["exam_id"], 0))
    exams: dict[str, dict[str, Any]] = {}
    stats = store.exam_stats(list(latest)) if latest else {}
    for eid, aid in sorted(latest.items()):
        rec = store.record(aid)
        ex = rec.get("exam", {})
        exams[eid] = {"title": ex.get("title", eid), "pass": ex.get("pass", {}), "attempts_allowed": ex.get("attempts"),
                      "calls": ex.get("calls", []), "cohort": stats.get(eid, {})}
    certificates = []
    passed = [a for a in attempts if a["status"] == "passed"]
    if trainee is not None and passed:
        texts = store.records([a["_id"] for a in passed])
        for a in passed:
            text = texts.get(a["_id"], "")
            checked = None if key is None else key.check(text, a["signature"])
            certificates.append({"exam": a["exam"], "title": exams[a["exam"]]["title"], "trainee": a["trainee"],
                                 "attempt": a["attempt"], "date": a["finished_at"], "scores": a["scores"],
                                 "signature": a["signature"], "key_id": a["key_id"],
                                 "signature_checked": checked, "engine_version": a["engine_version"]})
    for a in attempts:
        a.pop("_id", None)
    by_rule = Counter(r["rule"] for a in attempts for r in a["red_lines"])
    finished = [a for a in attempts if a["status"] in ("passed", "failed")]
    status_counts = Counter(a["status"] for a in attempts)
    by_number: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in finished:
        by_number[a["attempt"]].append(a)
    trend = [{"attempt": n, "attempts": len(items), "overall": _mean([a["scores"]["overall"] for a in items]),
              "pass_rate": round(sum(a["status"] == "passed" for a in items) / len(items), 3)}
             for n, items in sorted(by_number.items())]
    scen: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in attempts:
        for c in a["calls"]:
            scen[c["scenario"]].append(c)
    scenarios = [{"scenario": s, "calls": len(cs), **{d: _mean([c[d] for c in cs]) for d in (*DIMENSIONS, "overall")},
                  "outcomes": dict(Counter(c["outcome"] for c in cs))} for s, cs in scen.items()]
    return {
        "report": "trainee" if trainee is not None else "exam",
        "subject": trainee if trainee is not None else exam_id,
        "generated_at": now_iso(), "generator": f"collector-sim {__version__}", "store": store.shown,
        "summary": {"attempts": len(attempts), "passed": status_counts.get("passed", 0),
                    "failed": status_counts.get("failed", 0), "incomplete": status_counts.get("incomplete", 0),
                    "trainees": len({a["trainee"] for a in attempts}),
                    "pass_rate": round(status_counts.get("passed", 0) / len(finished), 3) if finished else None,
                    "means": {d: _mean([a["scores"][d] for a in finished]) for d in (*DIMENSIONS, "overall")}},
        "exams": exams, "red_lines_by_rule": dict(by_rule.most_common()), "trend": trend,
        "scenarios": scenarios, "attempts": attempts, "certificates": certificates,
    }


def render(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return render_csv(data)
    return render_html(data)


CSV_COLUMNS = ["exam", "trainee", "attempt", "status", "started_at", "finished_at", "politeness", "clarity",
               "solution", "overall", "calls_done", "calls_total", "red_line_count", "red_lines", "reasons", "note",
               "engine_version", "key_id", "signature"]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (``=HYPERLINK(…)``, ``+``, ``-``, ``@``, or a
    tab or carriage return first) gets a leading apostrophe; numbers are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, buf: io.StringIO):
        self._w = csv.writer(buf, lineterminator="\n")

    def writerow(self, row: list[Any]) -> None:
        self._w.writerow([csv_cell(v) for v in row])


def render_csv(data: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = _SafeWriter(buf)
    w.writerow(CSV_COLUMNS)
    for a in data["attempts"]:
        reds = " | ".join(f"{r['rule']}@{r['scenario']}#{r['turn']}: {r['evidence']}" for r in a["red_lines"])
        w.writerow([a["exam"], a["trainee"], a["attempt"], a["status"], a["started_at"], a["finished_at"] or "",
                    *["" if a["scores"][d] is None else f"{a['scores'][d]:g}" for d in (*DIMENSIONS, "overall")],
                    len(a["calls"]), a["calls_total"], len(a["red_lines"]), reds, " | ".join(a["reasons"]),
                    a["note"] or "", a["engine_version"], a["key_id"], a["signature"]])
    return buf.getvalue()


# -- HTML ------------------------------------------------------------------------------------------

CSS = """
:root { --ink:#2d3640; --muted:#6b7682; --line:#e3e6ea; --ok:#10ac84; --bad:#c0392b; --inc:#95a5a6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       system-ui, sans-serif; color: var(--ink); background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 28px 60px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 20px 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card b { display: block; font-size: 24px; }
.card span { color: var(--muted); font-size: 12px; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin-bottom: 14px; }
.panel h2 { font-size: 16px; margin: 2px 0 10px; }
svg { width: 100%; height: auto; display: block; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; background: #fafbfc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.nw { white-space: nowrap; }
.tag { display: inline-block; white-space: nowrap; padding: 0 8px; border-radius: 10px; font-size: 12px; color: #fff; }
.tag.passed { background: var(--ok); } .tag.failed { background: var(--bad); } .tag.incomplete { background: var(--inc); }
.ev { background: #fdecea; color: #8e2b20; padding: 0 4px; border-radius: 3px; }
.reasons { color: var(--muted); font-size: 12px; margin: 2px 0 0; padding-left: 18px; }
code { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 12px; word-break: break-all; }
.cert { page-break-before: always; break-before: page; background: #fffdf6; border: 6px double #b8860b;
        border-radius: 6px; padding: 40px 56px; margin: 28px 0; text-align: center; }
.cert h2 { font-size: 28px; margin: 0 0 4px; letter-spacing: 2px; }
.cert .sub { color: var(--muted); margin: 0 0 24px; }
.cert .name { font-size: 26px; font-weight: 700; border-bottom: 1px solid #b8860b; display: inline-block;
              padding: 0 24px 4px; margin: 10px 0; }
.cert table { max-width: 520px; margin: 18px auto; }
.cert .sig { text-align: left; background: #fff; border: 1px solid var(--line); padding: 10px 14px; margin-top: 18px; }
.ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; }
footer { color: var(--muted); font-size: 12px; margin-top: 30px; }
@media print { body { background: #fff; } .panel, .card { break-inside: avoid; } }
"""


def _f(v: Any) -> str:
    if v is None:
        return "–"
    return f"{v:g}" if isinstance(v, (int, float)) else escape(str(v))


def _tag(status: str) -> str:
    return f"<span class='tag {escape(status)}'>{escape(STATUS_NAMES.get(status, status))}</span>"


def _dimension_chart(data: dict[str, Any]) -> str:
    """Scores against minimums: the trainee's latest attempt per exam (or the cohort mean) vs the rules."""
    cats = [DIM_NAMES[d] for d in (*DIMENSIONS, "overall")]
    panels = []
    for eid, ex in data["exams"].items():
        rules = ex.get("pass") or {}
        minimums = {DIM_NAMES[d]: v for d, v in (rules.get("dimensions") or {}).items()}
        if rules.get("overall") is not None:
            minimums[DIM_NAMES["overall"]] = rules["overall"]
        finished = [a for a in data["attempts"] if a["exam"] == eid and a["status"] != "incomplete"]
        if not finished:
            continue
        if data["report"] == "trainee":
            best = max(finished, key=lambda a: a["attempt"])
            series = [(f"第{best['attempt']}次 attempt {best['attempt']}",
                       [best["scores"][d] for d in (*DIMENSIONS, "overall")], COLORS["overall"])]
            title = f"{ex['title']}: latest attempt vs minimums"
        else:
            series = [("平均 cohort mean", [_mean([a["scores"][d] for a in finished]) for d in (*DIMENSIONS, "overall")],
                       COLORS["overall"]),
                      ("通过者 passed", [_mean([a["scores"][d] for a in finished if a["status"] == "passed"])
                                        for d in (*DIMENSIONS, "overall")], COLORS["passed"])]
            title = f"{ex['title']}: scores vs minimums"
        panels.append(charts.grouped_bars(cats, series, minimums, title=title))
    return "".join(panels) or "<p>no finished attempts</p>"


def _trend_chart(data: dict[str, Any]) -> str:
    if data["report"] == "trainee":
        items = [a for a in data["attempts"] if a["status"] != "incomplete"]
        items.sort(key=lambda a: a["started_at"])
        labels = [f"{a['exam']}#{a['attempt']}" for a in items]
        series = [(DIM_NAMES[d], [a["scores"][d] for a in items], COLORS[d]) for d in (*DIMENSIONS, "overall")]
        marks = [ex["pass"].get("overall") for ex in data["exams"].values() if ex.get("pass")]
        hline = (float(marks[0]), f"pass mark {marks[0]}") if len(set(marks)) == 1 and marks[0] is not None else None
        return charts.line_chart(labels, series, hline, title="Trend over attempts 历次成绩")
    trend = data["trend"]
    labels = [f"attempt {t['attempt']} (n={t['attempts']})" for t in trend]
    series = [("mean overall 平均总分", [t["overall"] for t in trend], COLORS["overall"]),
              ("pass rate % 通过率", [round(100 * t["pass_rate"], 1) for t in trend], COLORS["passed"])]
    ex = next(iter(data["exams"].values()), {})
    mark = (ex.get("pass") or {}).get("overall")
    return charts.line_chart(labels, series, (float(mark), f"pass mark {mark}") if mark is not None else None,
                             title="By attempt number 按第几次考试")


def _cohort_chart(data: dict[str, Any]) -> str:
    s = data["summary"]
    if data["report"] == "exam":
        rate = "–" if s["pass_rate"] is None else f"{100 * s['pass_rate']:.0f}%"
        return charts.donut([(STATUS_NAMES["passed"], s["passed"], COLORS["passed"]),
                             (STATUS_NAMES["failed"], s["failed"], COLORS["failed"]),
                             (STATUS_NAMES["incomplete"], s["incomplete"], COLORS["incomplete"])],
                            center=rate, title=f"Cohort: {s['trainees']} trainees, {s['attempts']} attempts")
    cats, mine, cohort = [], [], []
    for eid, ex in data["exams"].items():
        cats.append(eid)
        c = ex.get("cohort") or {}
        cohort.append(None if c.get("pass_rate") is None else round(100 * c["pass_rate"], 1))
        own = [a for a in data["attempts"] if a["exam"] == eid and a["status"] != "incomplete"]
        mine.append(round(100 * sum(a["status"] == "passed" for a in own) / len(own), 1) if own else None)
    return charts.grouped_bars(cats, [("this trainee 本人 %", mine, COLORS["overall"]),
                                      ("cohort 全体 %", cohort, COLORS["cohort"])],
                               title="Pass rate: trainee vs cohort 通过率")


def _attempt_rows(data: dict[str, Any]) -> str:
    out = []
    for a in data["attempts"]:
        reds = "".join(f"<div>{escape(r['rule'])} · {escape(r['scenario'])} #{_f(r['turn'])}: "
                       f"<span class='ev'>{escape(r['evidence'])}</span></div>" for r in a["red_lines"])
        reasons = ""
        if a["status"] != "passed" and (a["reasons"] or a["note"]):
            items = [escape(x) for x in a["reasons"] if not x.startswith("red line ")]
            if a["note"]:
                items.insert(0, escape(a["note"]))
            if items:
                reasons = "<ul class='reasons'>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>"
        out.append(
            f"<tr><td>{escape(a['exam'])}</td><td class='nw'>{escape(a['trainee'])}</td><td class='num'>{a['attempt']}</td>"
            f"<td>{_tag(a['status'])}{reasons}</td>"
            f"<td class='nw'>{escape((a['finished_at'] or a['started_at'])[:16].replace('T', ' '))}</td>"
            + "".join(f"<td class='num'>{_f(a['scores'][d])}</td>" for d in (*DIMENSIONS, "overall"))
            + f"<td>{reds or '–'}</td><td><code title='{escape(a['signature'])}'>{escape(a['signature'][:12])}…</code></td></tr>")
    return "".join(out)


def _failed_section(data: dict[str, Any]) -> str:
    failed = [a for a in data["attempts"] if a["red_lines"]]
    if not failed:
        return "<p>No red line in any attempt. 所有考试均无红线行为。</p>"
    rows = []
    for a in failed:
        for r in a["red_lines"]:
            rows.append(f"<tr><td>{escape(a['trainee'])}</td><td>{escape(a['exam'])} #{a['attempt']}</td>"
                        f"<td>{escape(r['scenario'])}</td><td class='num'>{_f(r['turn'])}</td>"
                        f"<td>{escape(RULE_NAMES.get(r['rule'], r['rule']))}</td>"
                        f"<td><span class='ev'>{escape(r['evidence'])}</span></td></tr>")
    return ("<table><tr><th>trainee</th><th>attempt</th><th>scenario</th><th>turn</th><th>red line 红线</th>"
            "<th>their words 原话</th></tr>" + "".join(rows) + "</table>")


def _scenario_table(data: dict[str, Any]) -> str:
    rows = []
    for s in sorted(data["scenarios"], key=lambda s: s["scenario"]):
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(s["outcomes"].items(), key=lambda kv: -kv[1]))
        rows.append(f"<tr><td>{escape(s['scenario'])}</td><td class='num'>{s['calls']}</td>"
                    + "".join(f"<td class='num'>{_f(s[d])}</td>" for d in (*DIMENSIONS, "overall"))
                    + f"<td>{escape(outcomes)}</td></tr>")
    return ("<table><tr><th>scenario</th><th>calls</th>" + "".join(f"<th>{DIM_NAMES[d]}</th>" for d in
            (*DIMENSIONS, "overall")) + "<th>outcomes 结果</th></tr>" + "".join(rows) + "</table>")


def _certificates(data: dict[str, Any]) -> str:
    out = []
    for c in data["certificates"]:
        if c["signature_checked"] is True:
            check = "<span class='ok'>✓ signature verified with the current key 签名已验证</span>"
        elif c["signature_checked"] is False:
            check = "<span class='bad'>✗ signature does NOT match: do not accept this certificate</span>"
        else:
            check = "signature not checked here (no key); run <code>collector-sim verify</code>"
        scores = "".join(f"<tr><td>{DIM_NAMES[d]}</td><td class='num'>{_f(c['scores'][d])}</td></tr>"
                         for d in (*DIMENSIONS, "overall"))
        out.append(
            f"<section class='cert'><h2>合规催收培训认证证书</h2><p class='sub'>Certificate of lawful debt collection"
            f" training</p><p>兹证明 This certifies that</p><div class='name'>{escape(c['trainee'])}</div>"
            f"<p>已通过 passed <b>{escape(c['title'])}</b> ({escape(c['exam'])}), attempt {c['attempt']}, "
            f"on {escape((c['date'] or '')[:10])}, with no red-line violation.</p>"
            f"<table>{scores}</table>"
            f"<div class='sig'><div>HMAC-SHA256 signature 签名:</div><code>{escape(c['signature'])}</code>"
            f"<div>key id <code>{escape(c['key_id'])}</code> · engine {escape(c['engine_version'])}</div>"
            f"<div>{check}</div></div></section>")
    return "".join(out)


def render_html(data: dict[str, Any]) -> str:
    s = data["summary"]
    who = "Trainee 学员" if data["report"] == "trainee" else "Exam 考试"
    title = f"{who}: {data['subject']}"
    if data["report"] == "exam" and data["exams"]:
        title += f" · {next(iter(data['exams'].values()))['title']}"
    rate = "–" if s["pass_rate"] is None else f"{100 * s['pass_rate']:.0f}%"
    cards = [("attempts 考试次数", s["attempts"]), ("passed 通过", s["passed"]), ("failed 未通过", s["failed"]),
             ("incomplete 未完成", s["incomplete"]), ("pass rate 通过率", rate)]
    by_rule = [(RULE_NAMES.get(k, k), v) for k, v in data["red_lines_by_rule"].items()]
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape(title)} · collector-sim</title><style>{CSS}</style></head><body><main>",
        f"<header><h1>认证报告 Certification report — {escape(title)}</h1>",
        f"<p>{escape(data['generator'])} · generated {escape(data['generated_at'])} · store {escape(data['store'])}</p>"
        "</header>",
        "<div class='cards'>" + "".join(f"<div class='card'><b>{escape(str(v))}</b><span>{escape(k)}</span></div>"
                                        for k, v in cards) + "</div>",
        "<div class='grid'>",
        f"<div class='panel'><h2>Scores vs minimums 各维度得分与最低要求</h2>{_dimension_chart(data)}</div>",
        f"<div class='panel'><h2>Trend 趋势</h2>{_trend_chart(data)}</div>",
        f"<div class='panel'><h2>Red lines by rule 红线分布</h2>"
        f"{charts.hbars(by_rule, title='', empty='no red line 无红线')}</div>",
        f"<div class='panel'><h2>Cohort pass rate 整体通过率</h2>{_cohort_chart(data)}</div>",
        "</div>",
    ]
    if data["report"] == "exam":
        parts.append(f"<div class='panel'><h2>By scenario 各场景</h2>{_scenario_table(data)}</div>")
    parts += [
        f"<div class='panel'><h2>Red lines in failed attempts 红线原话</h2>{_failed_section(data)}</div>",
        "<div class='panel'><h2>Attempts 考试记录</h2><table><tr><th>exam</th><th>trainee</th><th>#</th>"
        "<th>result</th><th>date</th>" + "".join(f"<th>{DIM_NAMES[d]}</th>" for d in (*DIMENSIONS, "overall"))
        + f"<th>red lines</th><th>signature</th></tr>{_attempt_rows(data)}</table></div>",
        _certificates(data),
        "<footer>Scores are the means of the exam's calls. Any red line fails an attempt. Incomplete attempts "
        "count against the limit. Check every stored attempt with <code>collector-sim verify</code>.</footer>",
        "</main></body></html>\n",
    ]
    return "".join(parts)
