"""YAML that remembers where every value came from.

Persona, scenario, exam and rule-pack files are loaded with PyYAML's *safe* composer; the node
tree is turned into plain Python data plus a map from each value's location (a tuple of keys and
indexes, exactly what pydantic puts in an error's ``loc``) to its line and column. Validation
errors can then be reported as ``path:line:col: message`` for the trainer to fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import Finding, LoadError

MAX_BYTES = 1 << 20  # 1 MiB: no persona, scenario or rule pack needs more

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


def _construct(node: yaml.Node, loc: Loc, doc: Document, loader: Any,
               errors: list[Finding]) -> Any:
    doc.positions[loc] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                errors.append(Finding(doc.path, *_mark(key_node), "a key must be a plain value"))
                continue
            key = loader.construct_object(key_node, deep=True)
            if key in out:
                errors.append(Finding(doc.path, *_mark(key_node), f"duplicate key {key!r}"))
                continue
            out[key] = _construct(value_node, loc + (key,), doc, loader, errors)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, loc + (i,), doc, loader, errors) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _syntax_error(path: str, exc: yaml.YAMLError) -> LoadError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or "invalid YAML"
    return LoadError([Finding(path, line, col, f"YAML syntax error: {problem}")])


def parse(text: str, path: str) -> Document:
    """Parse YAML text; raise LoadError with ``path:line:col`` on any problem."""
    doc = Document(path=path, data=None)
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise LoadError([Finding(path, 1, 1, "the file is empty; expected a YAML mapping")])
        errors: list[Finding] = []
        doc.data = _construct(node, (), doc, loader, errors)
    except yaml.YAMLError as exc:
        if "expected a single document" in str(getattr(exc, "context", "")):
            raise LoadError([Finding(path, *( (exc.problem_mark.line + 1, 1) if exc.problem_mark else (1, 1)),
                                     "one YAML document per file, found several")]) from None
        raise _syntax_error(path, exc) from None
    finally:
        loader.dispose()
    if errors:
        raise LoadError(errors)
    return doc


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 file, reporting size and encoding problems with a position."""
    shown = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError([Finding(shown, 1, 1, f"file is {size:,} bytes; the limit is {max_bytes:,}")])
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LoadError([Finding(shown, 1, 1, "no such file")]) from None
    except IsADirectoryError:
        raise LoadError([Finding(shown, 1, 1, "is a directory, expected a YAML file")]) from None
    except OSError as exc:
        raise LoadError([Finding(shown, 1, 1, f"cannot read: {exc.strerror}")]) from None
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
