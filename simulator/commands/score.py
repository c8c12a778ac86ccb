"""``collector-sim score``: judge trainee replies against the rule pack."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, TextIO

from pydantic import ValidationError

from ..errors import UserError
from ._common import read_input_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="score trainee replies (features, red lines, scores, coaching)",
                       description="Score one reply (TEXT) or many (--jsonl, one JSON object a line).")
    p.add_argument("text", nargs="?", metavar="TEXT", help="the reply to score")
    p.add_argument("--jsonl", metavar="FILE|-", help='JSON lines: {"id", "text", "context"}; - for stdin')
    p.add_argument("--context", metavar="JSON", help="call context as a JSON object (see the contract)")
    p.add_argument("--pretty", action="store_true", help="indent the JSON output")
    p.set_defaults(func=run)


_CONTEXTS: dict[Any, Any] = {}


def _context(raw: Any, where: str) -> Any:
    from ..analyzer import CallContext

    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise UserError(f"{where}: context must be a JSON object")
    try:
        key = tuple(sorted(raw.items()))
        hash(key)
    except TypeError:  # unhashable values: validate (and report) without the cache
        key = None
    if key is not None and key in _CONTEXTS:
        return _CONTEXTS[key]  # CallContext is frozen: one per distinct context is enough
    try:
        ctx = CallContext.model_validate(raw)
        if key is not None and len(_CONTEXTS) < 4096:
            _CONTEXTS[key] = ctx
        return ctx
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        field = ".".join(str(x) for x in err["loc"]) or "context"
        raise UserError(f"{where}: context.{field}: {err['msg']}") from None


def _dump(obj: Any, pretty: bool, out: TextIO) -> None:
    out.write(json.dumps(obj, ensure_ascii=False, indent=2 if pretty else None) + "\n")


def run(args: argparse.Namespace) -> int:
    from ..analyzer import analyze

    if args.jsonl is not None:
        if args.text is not None:
            raise UserError("give TEXT or --jsonl, not both")
        if args.context is not None:
            raise UserError("--context goes with TEXT; with --jsonl put a context in each line")
        return _score_jsonl(args.jsonl, args.pretty)
    if args.text is None:
        raise UserError("nothing to score: give TEXT or --jsonl FILE")
    if not args.text.strip():
        raise UserError("nothing to score: TEXT is empty (say something, or use --jsonl FILE)")
    raw_ctx = None
    if args.context is not None:
        try:
            raw_ctx = json.loads(args.context)
        except json.JSONDecodeError as exc:
            raise UserError(f"--context is not valid JSON: {exc.msg} at column {exc.colno}") from None
    ctx = _context(raw_ctx, "--context")
    _dump(analyze(args.text, ctx).to_dict(), args.pretty, sys.stdout)
    return 0


PARALLEL_MIN_LINES = 2000  # below this, starting a second process costs more than it saves
CHUNK = 250


def _score_line(number: int, line: str, source: str) -> tuple[str | None, str | None]:
    """One input line → (its output JSON line, an error message or None). Blank lines give nothing."""
    from ..analyzer import analyze

    if not line.strip():
        return None, None
    where = f"{source}:{number}"
    item: Any = None
    try:
        item = json.loads(line)
        if not isinstance(item, dict):
            raise UserError(f"{where}: expected a JSON object")
        text = item.get("text")
        if not isinstance(text, str):
            raise UserError(f"{where}: 'text' must be a string")
        ctx = _context(item.get("context"), where)
    except json.JSONDecodeError as exc:
        record = {"id": None, "line": number, "error": f"not valid JSON: {exc.msg}"}
        return json.dumps(record, ensure_ascii=False), f"{where}: not valid JSON: {exc.msg} at column {exc.colno}"
    except UserError as exc:
        record = {"id": item.get("id") if isinstance(item, dict) else None, "line": number, "error": str(exc)}
        return json.dumps(record, ensure_ascii=False), str(exc)
    return json.dumps(analyze(text, ctx).to_dict(id=item.get("id")), ensure_ascii=False), None


def _score_chunk(args: tuple[int, list[str], str]) -> list[tuple[str | None, str | None]]:
    first, lines, source = args
    return [_score_line(first + k, line, source) for k, line in enumerate(lines)]


def _chunks(lines: list[str], source: str):
    for i in range(0, len(lines), CHUNK):
        yield i + 1, lines[i:i + CHUNK], source


def _score_jsonl(source: str, pretty: bool) -> int:
    """Score every line, in input order; a bad line gets an error record in its place and a
    message naming it, the rest go on. Large files are scored by two processes."""
    from ..analyzer import get_analyzer

    failed = 0
    out = sys.stdout

    def emit(result: tuple[str | None, str | None]) -> None:
        nonlocal failed
        line, error = result
        if error is not None:
            failed += 1
            print(f"error: {error}", file=sys.stderr)
        if line is not None:
            out.write((json.dumps(json.loads(line), ensure_ascii=False, indent=2) if pretty else line) + "\n")

    if source == "-":  # a pipe may be interactive: answer line by line
        try:
            for number, line in enumerate(sys.stdin, 1):
                emit(_score_line(number, line, source))
                out.flush()
        except UnicodeDecodeError:
            raise UserError("stdin: not UTF-8 text") from None
        return 2 if failed else 0
    lines = read_input_text(source).splitlines()
    get_analyzer("zh")  # load the rule pack once, before any worker is forked
    if len(lines) >= PARALLEL_MIN_LINES and (os.cpu_count() or 1) > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(2) as pool:
            for results in pool.imap(_score_chunk, _chunks(lines, source)):
                for result in results:
                    emit(result)
    else:
        for first, chunk, _ in _chunks(lines, source):
            for result in _score_chunk((first, chunk, source)):
                emit(result)
    return 2 if failed else 0
