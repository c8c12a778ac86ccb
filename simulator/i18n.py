"""The words the app shows, per language, as data: ``simulator/locales/<lang>.yaml``.

Plain Python (no Textual). A catalog is a YAML mapping of nested keys; ``t("outcome.hung_up",
"en")`` looks up the dotted key and fills ``{placeholders}`` with ``str.format``. A key missing
from a catalog falls back to Chinese (``zh``, the default and the complete catalog), so a new
language can be added one screen at a time; a key missing everywhere is returned as the key
itself, which tests catch.

Which language: everything about a call (case file, call screen, debrief, exports, ``run``'s
transcript) follows the scenario's ``lang``; the picker and help follow ``play --lang`` or
``$COLLECTOR_SIM_LANG`` (default ``zh``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFAULT = "zh"
LANG_ENV = "COLLECTOR_SIM_LANG"


def _folder() -> Path:
    return Path(str(resources.files("simulator") / "locales"))


def languages() -> list[str]:
    """The languages that have a catalog, the default first."""
    found = sorted(p.stem for p in _folder().glob("*.yaml"))
    return sorted(found, key=lambda x: x != DEFAULT)


def _flatten(data: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            if not isinstance(k, str):  # YAML 1.1 reads a bare yes/no/on/off key as a boolean
                raise ValueError(f"locale key {prefix + '.' if prefix else ''}{k!r} is not a string; quote it")
            key = f"{prefix}.{k}" if prefix else k
            if isinstance(v, dict) and not str(k).endswith("_map"):
                _flatten(v, key, out)
            else:
                out[key] = v
    else:  # pragma: no cover - a catalog is a mapping
        raise ValueError(f"locale {prefix or '<root>'}: expected a mapping")


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, Any]:
    """The flattened catalog of ``lang`` (empty for a language without one).

    A nested mapping whose key ends in ``_map`` is kept whole (a lookup table, e.g. honorific →
    pronoun, whose keys may hold dots)."""
    path = _folder() / f"{lang}.yaml"
    if not path.is_file():
        return {}
    # the C-accelerated safe loader when PyYAML has it (safe_load's own loader is pure Python)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    out: dict[str, Any] = {}
    _flatten(data, "", out)
    return out


def value(key: str, lang: str = DEFAULT) -> Any:
    """The raw value of ``key`` (a string, a list or a ``_map``), falling back to Chinese."""
    for source in (lang, DEFAULT):
        found = catalog(source).get(key)
        if found is not None:
            return found
    return None


def t(key: str, lang: str = DEFAULT, /, **fields: Any) -> str:
    """The text of ``key`` in ``lang`` (else Chinese, else the key), ``{fields}`` filled in."""
    text = value(key, lang)
    if text is None:
        return key
    text = str(text)
    return text.format(**fields) if fields else text


def has(key: str, lang: str) -> bool:
    """Whether ``lang``'s own catalog has ``key`` (no fallback)."""
    return key in catalog(lang)


def resolve_lang(explicit: str | None = None) -> str:
    """The UI language for the picker and help: ``--lang``, else ``$COLLECTOR_SIM_LANG``, else zh.

    Raises ValueError for a language without a catalog (the CLI turns it into exit 2)."""
    lang = (explicit or os.environ.get(LANG_ENV) or DEFAULT).strip().lower()
    if lang not in languages():
        source = "--lang" if explicit else LANG_ENV
        raise ValueError(f"{source}={lang!r}: no such UI language (known: {', '.join(languages())})")
    return lang


# -- formatting that differs by language (the patterns themselves are in the catalogs) -------------

def money(amount: float | int, lang: str = DEFAULT) -> str:
    """A sum of money the way ``lang`` writes it: ``12850元``, ``$12,850``."""
    n: float | int = int(amount) if float(amount).is_integer() else round(float(amount), 2)
    return t("format.money", lang, amount=n)


def pronoun(honorific: str, lang: str = DEFAULT) -> str:
    """他 / 她, he / she, from the honorific (the catalog's ``honorific_pronoun_map``)."""
    table = value("format.honorific_pronoun_map", lang) or {}
    return str(table.get(honorific) or t("format.pronoun_default", lang))


def honorific(code: str, lang: str = DEFAULT) -> str:
    """先生 / 女士 (the case file's code) as ``lang`` says it: 先生, Mr. (the ``honorific_map``)."""
    table = value("format.honorific_map", lang) or {}
    return str(table.get(code) or code)


def address(case: Any, lang: str = DEFAULT, full: bool = False) -> str:
    """How to address the debtor: 张先生 / 张伟先生, Mr. Miller / Mr. John Miller."""
    key = "format.full_address" if full else "format.address"
    return t(key, lang, name=case.debtor_name, surname=case.surname, honorific=honorific(case.honorific, lang))


__all__ = ["DEFAULT", "LANG_ENV", "address", "catalog", "has", "honorific", "languages", "money", "pronoun",
           "resolve_lang", "t", "value"]
