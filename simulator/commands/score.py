"""``collector-sim score``: judge trainee replies against the rule pack."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO, TextIO

from pydantic import ValidationError

from ..errors import UserError
from ..text import reply_problem
from ._common import open_input


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
    problem = reply_problem(args.text)
    if problem is not None:
        raise UserError(f"TEXT: {problem}")
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
#: the longest JSONL line read: a capped reply (6 KB of UTF-8) and a context fit many times over
MAX_LINE_BYTES = 64 * 1024


def _id(item: dict[str, Any]) -> Any:
    """The line's ``id`` if it can be echoed as given (a string, a number, null), else None."""
    value = item.get("id")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and len(value) <= 1000 and reply_problem(value) is None:
        return value
    if isinstance(value, int) and abs(value) < 10 ** 30:
        return value
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return value
    return None


def _error(number: int, where: str, message: str, ident: Any = None) -> tuple[str, str]:
    record = {"id": ident, "line": number, "error": message}
    return json.dumps(record, ensure_ascii=False), f"{where}: {message}"


def _score_line(number: int, line: str | bytes, source: str) -> tuple[str | None, str | None]:
    """One input line → (its output JSON line, an error message or None). Blank lines give nothing.

    Every way a line can be wrong (not UTF-8, not JSON, nested past the parser's stack, a number
    too long to read, an id that cannot be echoed, a text that is not a reply) becomes an error
    record in its place; the batch goes on."""
    from ..analyzer import analyze

    where = f"{source}:{number}"
    if isinstance(line, bytes):
        if len(line) > MAX_LINE_BYTES:
            return _error(number, where, f"line is longer than {MAX_LINE_BYTES:,} bytes")
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return _error(number, where, f"not UTF-8 (byte {exc.start + 1})")
    if not line.strip():
        return None, None
    if len(line) > MAX_LINE_BYTES:
        return _error(number, where, f"line is longer than {MAX_LINE_BYTES:,} characters")
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        record = {"id": None, "line": number, "error": f"not valid JSON: {exc.msg}"}
        return json.dumps(record, ensure_ascii=False), f"{where}: not valid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return _error(number, where, "not valid JSON here: nested too deeply")
    except ValueError as exc:        # e.g. an integer of 5,000 digits
        return _error(number, where, f"not valid JSON here: {str(exc).split(';')[0][:120]}")
    if not isinstance(item, dict):
        return _error(number, where, "expected a JSON object")
    ident = _id(item)
    if ident is None and item.get("id") is not None:
        return _error(number, where, "'id' must be a string (at most 1,000 characters), a number or null")
    text = item.get("text")
    if not isinstance(text, str):
        return _error(number, where, "'text' must be a string", ident)
    problem = reply_problem(text)
    if problem is not None:
        return _error(number, where, f"'text': {problem}", ident)
    try:
        ctx = _context(item.get("context"), where)
    except UserError as exc:
        record = {"id": ident, "line": number, "error": str(exc)}
        return json.dumps(record, ensure_ascii=False), str(exc)
    return json.dumps(analyze(text, ctx).to_dict(id=ident), ensure_ascii=False), None


Numbered = tuple[int, bytes]


def _score_chunk(args: tuple[list[Numbered], str]) -> list[tuple[str | None, str | None]]:
    lines, source = args
    return [_score_line(number, line, source) for number, line in lines]


_NONBLANK = re.compile(rb"[^\S\n]*\S[^\n]*")   # a line with something in it (leading blanks kept)
BLOCK = 1 << 20


def _lines(fh: BinaryIO) -> Iterator[Numbered]:
    """The file's non-blank lines as bytes with their line numbers, read a block at a time (30 MB
    of blank lines cost a block of memory and a second or two). A line longer than the cap is
    handed on cut to the cap plus one byte, so it is reported, and the rest of it is skipped
    without being kept."""
    number = 1              # the line number at ``pos`` in the text being scanned
    pending = b""
    skipping = False        # inside an over-long line already reported
    first = True
    read = getattr(fh, "read1", fh.read)   # what is there: a pipe is answered line by line
    while True:
        block = read(BLOCK)
        if first:
            first = False
            if block.startswith(b"\xef\xbb\xbf"):
                block = block[3:]
        final = not block
        if skipping:
            nl = block.find(b"\n")
            if nl < 0:
                if final:
                    return
                continue
            block, skipping = block[nl:], False    # the newline ends the skipped line
        data = pending + block if pending else block
        cut = len(data) if final else data.rfind(b"\n") + 1
        complete, pending = data[:cut], data[cut:]
        pos = 0
        for m in _NONBLANK.finditer(complete):
            number += complete.count(b"\n", pos, m.start())
            pos = m.start()
            yield number, m.group()
        number += complete.count(b"\n", pos)
        if final:
            return
        if len(pending) > MAX_LINE_BYTES:
            if pending.strip():
                yield number, pending[:MAX_LINE_BYTES + 1]
            pending, skipping = b"", True


def _chunks(lines: Iterator[Numbered], source: str) -> Iterator[tuple[list[Numbered], str]]:
    while True:
        chunk = list(itertools.islice(lines, CHUNK))
        if not chunk:
            return
        yield chunk, source


def _score_jsonl(source: str, pretty: bool) -> int:
    """Score every line, in input order, reading the input as it goes (a file of any size costs
    the memory of a few chunks); a bad line gets an error record in its place and a message
    naming it, the rest go on. Large files are scored by two processes."""
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
        for number, line in _lines(sys.stdin.buffer):
            emit(_score_line(number, line, source))
            out.flush()
        return 2 if failed else 0
    fh = open_input(source)
    with fh:
        get_analyzer("zh")  # load the rule pack once, before any worker is forked
        chunks = _chunks(_lines(fh), source)
        first = next(chunks, None)
        if first is None:
            return 0
        if len(first[0]) < CHUNK:  # a small file: no second process
            for result in _score_chunk(first):
                emit(result)
            return 2 if failed else 0
        if (os.cpu_count() or 1) > 1 and _more_than(fh, PARALLEL_MIN_LINES - CHUNK):
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(2) as pool:
                for results in pool.imap(_score_chunk, itertools.chain([first], chunks)):
                    for result in results:
                        emit(result)
        else:
            for chunk in itertools.chain([first], chunks):
                for result in _score_chunk(chunk):
                    emit(result)
    return 2 if failed else 0


def _more_than(fh: BinaryIO, lines: int) -> bool:
    """Whether a seekable file holds more than ``lines`` more lines, without moving on (a pipe: True)."""
    try:
        here = fh.tell()
    except OSError:
        return True
    try:
        n = 0
        for _ in _lines(fh):
            n += 1
            if n > lines:
                return True
        return False
    finally:
        fh.seek(here)
