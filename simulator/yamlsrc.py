"""YAML that remembers where every value came from.

Persona, scenario, exam and rule-pack files are loaded with PyYAML's *safe* composer; the node
tree is turned into plain Python data plus a map from each value's location (a tuple of keys and
indexes, exactly what pydantic puts in an error's ``loc``) to its line and column. Validation
errors can then be reported as ``path:line:col: message`` for the trainer to fix.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import Finding, LoadError
from .text import plain

MAX_BYTES = 1 << 20  # 1 MiB: no persona, scenario or rule pack needs more
MAX_DEPTH = 50       # the bundled files nest 6 levels deep
MAX_NODES = 100_000  # values after alias expansion; the largest bundled file has a few thousand

Loc = tuple[Any, ...]
# libyaml's safe loader when present (same node marks, several times faster), else PyYAML's
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
M = TypeVar("M", bound=BaseModel)


@dataclass
class Document:
    """A loaded YAML file: its data and where each part of it stands."""

    path: str
    data: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def at(self, loc: Iterable[Any], message: str) -> Finding:
        """A finding at ``loc`` (or the nearest enclosing place that exists)."""
        loc = tuple(loc)
        while loc and loc not in self.positions:
            loc = loc[:-1]
        line, col = self.positions.get(loc, (1, 1))
        return Finding(self.path, line, col, message)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _at(path: str, mark: Any, message: str) -> LoadError:
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return LoadError([Finding(path, line, col, message)])


_STR = "tag:yaml.org,2002:str"


def _compose(loader: Any, path: str) -> yaml.Node | None:
    """The document's node tree, built from the parser's events without recursion.

    PyYAML's composer recurses once per nesting level (libyaml's crashes the interpreter at
    100,000 ``[``) and its aliases share nodes, so a few hundred bytes can expand to billions of
    values. Here each node's expanded size (aliases counted in full) and height are known as it
    closes; a file nesting deeper than ``MAX_DEPTH`` or expanding past ``MAX_NODES`` stops at the
    place that crosses the line, in the time it takes to read that far."""
    get = loader.get_event
    get()                                                # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return None
    get()                                                # document start
    resolve = loader.resolve
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    seq_start, map_start = yaml.SequenceStartEvent, yaml.MappingStartEvent
    seq_end, map_end, doc_end = yaml.SequenceEndEvent, yaml.MappingEndEvent, yaml.DocumentEndEvent
    ScalarNode, SequenceNode, MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    anchors: dict[str, yaml.Node] = {}
    weight: dict[int, tuple[int, int]] = {}              # id(node) -> (expanded size, height), when anchored
    stack: list[list[Any]] = []                          # [collection, size so far, height so far]
    total = 0
    root: yaml.Node | None = None
    while True:
        event = get()
        cls = event.__class__
        if cls is scalar_event:
            tag = event.tag
            if tag is None or tag == "!":
                tag = _STR if event.style else resolve(ScalarNode, event.value, event.implicit)
            node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
            if event.anchor is not None:
                anchors[event.anchor] = node
                weight[id(node)] = (1, 1)
            size = height = 1
        elif cls is seq_start or cls is map_start:
            kind = SequenceNode if cls is seq_start else MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolve(kind, None, event.implicit)
            node = kind(tag, [], event.start_mark, None, event.flow_style)
            if len(stack) >= MAX_DEPTH:
                raise _at(path, event.start_mark, f"nested more than {MAX_DEPTH} levels deep; no file here needs that")
            if event.anchor is not None:
                anchors[event.anchor] = node
            stack.append([node, 1, 1])
            total += 1
            continue
        elif cls is seq_end or cls is map_end:
            node, size, height = stack.pop()
            node.end_mark = event.end_mark
            weight[id(node)] = (size, height)
            if cls is map_end:                           # children were gathered flat: pair them up
                flat = node.value
                node.value = list(zip(flat[0::2], flat[1::2]))
            if not stack:
                root = node
                continue
            top = stack[-1]
            top[0].value.append(node)
            top[1] += size
            if height >= top[2]:
                top[2] = height + 1
            continue
        elif cls is alias_event:
            node = anchors.get(event.anchor)             # type: ignore[assignment]
            if node is None:
                raise _at(path, event.start_mark, f"YAML syntax error: found undefined alias {event.anchor!r}")
            found = weight.get(id(node))
            if found is None:
                raise _at(path, event.start_mark,
                          f"alias *{event.anchor} refers to the collection it is in (a loop); spell the value out")
            size, height = found
            total += size - 1
            if len(stack) + height > MAX_DEPTH + 1:
                raise _at(path, event.start_mark, f"nested more than {MAX_DEPTH} levels deep (through an alias)")
        elif cls is doc_end:
            break
        else:  # pragma: no cover - the parser emits nothing else inside a document
            continue
        total += 1
        if total > MAX_NODES:
            raise _at(path, event.start_mark, f"more than {MAX_NODES:,} values (aliases count in full); "
                                              "no file here needs that")
        if not stack:
            root = node
            continue
        top = stack[-1]
        top[0].value.append(node)
        top[1] += size
        if height >= top[2]:
            top[2] = height + 1
    if not loader.check_event(yaml.StreamEndEvent):
        event = get()
        raise LoadError([Finding(path, event.start_mark.line + 1, 1, "one YAML document per file, found several")])
    return root


def _scalar(node: yaml.Node, doc: Document, loader: Any) -> Any:
    if node.tag == _STR:
        return plain(node.value)
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as exc:   # e.g. an integer of 5,000 digits
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "digits" in first:
            first = f"a number of {len(str(node.value)):,} characters is too long"
        raise LoadError([Finding(doc.path, *_mark(node), f"cannot read this value: {first[:120]}")]) from None
    return plain(value) if isinstance(value, str) else value


def _construct(node: yaml.Node, loc: Loc, doc: Document, loader: Any,
               errors: list[Finding]) -> Any:
    doc.positions[loc] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                errors.append(Finding(doc.path, *_mark(key_node), "a key must be a plain value"))
                continue
            key = _scalar(key_node, doc, loader)
            if key in out:
                errors.append(Finding(doc.path, *_mark(key_node), f"duplicate key {key!r}"))
                continue
            out[key] = _construct(value_node, loc + (key,), doc, loader, errors)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, loc + (i,), doc, loader, errors) for i, item in enumerate(node.value)]
    return _scalar(node, doc, loader)


def _syntax_error(path: str, exc: yaml.YAMLError) -> LoadError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or "invalid YAML"
    return LoadError([Finding(path, line, col, f"YAML syntax error: {problem}")])


def parse(text: str, path: str) -> Document:
    """Parse YAML text; raise LoadError with ``path:line:col`` on any problem.

    Every string read is plain text (``simulator.text.plain``: no control characters); nesting
    and alias expansion are capped (``MAX_DEPTH``, ``MAX_NODES``)."""
    doc = Document(path=path, data=None)
    loader = _SafeLoader(text)
    try:
        node = _compose(loader, path)
        if node is None:
            raise LoadError([Finding(path, 1, 1, "the file is empty; expected a YAML mapping")])
        errors: list[Finding] = []
        doc.data = _construct(node, (), doc, loader, errors)
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from None
    finally:
        loader.dispose()
    if errors:
        raise LoadError(errors)
    return doc


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 regular file of at most ``max_bytes``, reporting problems with a position.

    The file is opened without blocking (a FIFO would wait for a writer forever), must be a
    regular file (``/dev/zero`` reports size 0 and never ends), and is read only up to the cap,
    whatever its size claims to be (``/proc`` files say 0)."""
    shown = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise LoadError([Finding(shown, 1, 1, "no such file")]) from None
    except IsADirectoryError:
        raise LoadError([Finding(shown, 1, 1, "is a directory, expected a YAML file")]) from None
    except OSError as exc:
        raise LoadError([Finding(shown, 1, 1, f"cannot read: {exc.strerror or exc}")]) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise LoadError([Finding(shown, 1, 1, "is a directory, expected a YAML file")])
        if not stat.S_ISREG(st.st_mode):
            raise LoadError([Finding(shown, 1, 1, "not a regular file (a device, pipe or socket); "
                                                  "expected a YAML file")])
        if st.st_size > max_bytes:
            raise LoadError([Finding(shown, 1, 1, f"file is {st.st_size:,} bytes; the limit is {max_bytes:,}")])
        chunks: list[bytes] = []
        got = 0
        while got <= max_bytes:
            chunk = os.read(fd, min(1 << 16, max_bytes + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > max_bytes:
            raise LoadError([Finding(shown, 1, 1, f"file is more than {max_bytes:,} bytes (the limit)")])
        raw = b"".join(chunks)
    except OSError as exc:
        raise LoadError([Finding(shown, 1, 1, f"cannot read: {exc.strerror or exc}")]) from None
    finally:
        os.close(fd)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise LoadError([Finding(shown, line, col, f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded")]) from None


def load(path: Path | str) -> Document:
    """Read and parse one YAML file."""
    path = Path(path)
    return parse(read_text(path), str(path))


def validate(doc: Document, model: type[M]) -> M:
    """Validate a document against a pydantic model; every error becomes a located finding."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        findings = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or "file"
            findings.append(doc.at(loc, f"{where}: {_plain(err)}"))
        raise LoadError(sorted(set(findings), key=lambda f: (f.line, f.col, f.message))) from None


def _plain(err: dict[str, Any]) -> str:
    """Pydantic's message, with the offending value when it helps."""
    msg = err["msg"]
    if err["type"] == "missing":
        return "required field is missing"
    if err["type"] == "extra_forbidden":
        return "unknown field (check the spelling)"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return msg
