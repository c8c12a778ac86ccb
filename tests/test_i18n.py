"""The words the app shows are data: one catalog per language (``simulator/locales/<lang>.yaml``).

Chinese is the default and the complete catalog; every other catalog has the same keys (and the
same ``{placeholders}`` in each text), and a key it lacks falls back to Chinese.
"""

from __future__ import annotations

import string

import pytest

from simulator import i18n


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_languages_zh_first() -> None:
    assert i18n.languages()[0] == "zh" and "en" in i18n.languages()


@pytest.mark.parametrize("lang", [x for x in i18n.languages() if x != "zh"])
def test_catalogs_have_the_same_keys_and_placeholders(lang: str) -> None:
    zh, other = i18n.catalog("zh"), i18n.catalog(lang)
    assert sorted(set(zh) - set(other)) == [], f"{lang}.yaml lacks keys that zh.yaml has"
    assert sorted(set(other) - set(zh)) == [], f"{lang}.yaml has keys that zh.yaml does not"
    for key, text in zh.items():
        if isinstance(text, str):
            assert _fields(text) == _fields(str(other[key])), key
        else:
            assert type(text) is type(other[key]), key


def test_help_sections_have_the_same_shape() -> None:
    zh, en = i18n.value("help.sections", "zh"), i18n.value("help.sections", "en")
    assert [len(s["keys"]) for s in zh] == [len(s["keys"]) for s in en]
    assert all(len(row) == 2 for s in zh + en for row in s["keys"])


def test_a_missing_key_falls_back_to_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    en = dict(i18n.catalog("en"))
    del en["outcome.hung_up"]
    real = i18n.catalog

    def fake(lang: str) -> dict:
        return en if lang == "en" else real(lang)

    monkeypatch.setattr(i18n, "catalog", fake)
    assert i18n.t("outcome.hung_up", "en") == "对方挂断"
    assert i18n.t("outcome.complaint", "en") == "They complained"
    assert i18n.t("no.such.key", "en") == "no.such.key"          # a key missing everywhere shows itself
    assert i18n.t("outcome.hung_up", "fr") == "对方挂断"           # a language without a catalog


def test_lookups_and_formats() -> None:
    assert i18n.t("case.gist", "zh", who="张伟先生", amount="12850元", days=45, stage="M2 · 中期") \
        == "张伟先生 · 12850元 · 逾期45天 · M2 · 中期"
    assert i18n.money(12850, "zh") == "12850元" and i18n.money(12850.5, "zh") == "12850.5元"
    assert i18n.money(4280, "en") == "$4,280"
    # the case file says 先生 / 女士 (an English scenario may write Mr. / Ms.); each language addresses them its way
    assert i18n.pronoun("女士", "zh") == "她" and i18n.pronoun("先生", "en") == "he" and i18n.pronoun("女士", "en") == "she"
    assert i18n.honorific("先生", "zh") == "先生" and i18n.honorific("先生", "en") == "Mr."


def test_ui_language_from_option_env_or_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(i18n.LANG_ENV, raising=False)
    assert i18n.resolve_lang() == "zh"
    monkeypatch.setenv(i18n.LANG_ENV, "EN")
    assert i18n.resolve_lang() == "en"
    assert i18n.resolve_lang("zh") == "zh"                      # the option wins over the environment
    with pytest.raises(ValueError, match="no such UI language"):
        i18n.resolve_lang("fr")


def test_play_lang_option_rejects_an_unknown_language(cli, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLLECTOR_SIM_HOME", str(tmp_path))
    r = cli("play", "--lang", "fr")
    assert r.returncode == 2 and "no such UI language" in r.stderr and "Traceback" not in r.stderr
    r = cli("play", "--help")
    assert "--lang" in r.stdout


def test_locales_ship_in_the_package() -> None:
    """The catalogs live inside the ``simulator`` package, so the wheel carries them like the rules."""
    from importlib import resources

    folder = resources.files("simulator") / "locales"
    assert {p.name for p in folder.iterdir() if p.name.endswith(".yaml")} >= {"zh.yaml", "en.yaml"}
