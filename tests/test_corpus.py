"""The analyzer against the labeled corpus in tests/data (see `collector-sim evaluate`)."""

from pathlib import Path

import pytest

from simulator.evaluation import evaluate, read_corpus

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def report():
    return evaluate(read_corpus(DATA / "replies.jsonl"))


def test_the_corpus_is_big_enough_and_a_third_hard_negatives():
    items = read_corpus(DATA / "replies.jsonl")
    assert len(items) >= 400
    hard = [i for i in items if not i["red_lines"] and i.get("note", "").startswith("hard negative")]
    assert len(hard) >= len(items) / 3


@pytest.mark.parametrize("rule", ["abuse", "threat", "impersonation", "false_legal", "privacy_exposure",
                                  "third_party_disclosure", "personal_account", "off_hours", "induce_borrowing"])
def test_red_line_precision_and_recall(report, rule):
    t = report.red_lines[rule]
    assert t.tp >= 20, f"{rule}: too few positives to measure"
    assert t.precision >= 0.95 and t.recall >= 0.95, (rule, t.precision, t.recall)


def test_feature_f1(report):
    for feature, t in report.features.items():
        assert t.f1 >= 0.90, (feature, t.precision, t.recall)


def test_a_second_blind_corpus_holds_its_level():
    """tests/data/blind2.jsonl was written blind by another hand. First run, before any rule was
    changed: red lines micro P 0.952 R 0.728, features micro F1 0.927. The rules were then
    generalised from its misses, so it now guards against regressions. Its labels differ from
    replies.jsonl on a few conventions (see the session notes), hence micro figures only."""
    r = evaluate(read_corpus(DATA / "blind2.jsonl"))
    red, features = r.micro(r.red_lines), r.micro(r.features)
    assert red.precision >= 0.97 and red.recall >= 0.95, (red.precision, red.recall)
    assert features.f1 >= 0.93, features.f1


def test_a_third_blind_corpus_holds_its_level():
    """tests/data/blind3.jsonl, written blind by a third hand after blind2 had been used. First
    run: red lines micro P 0.929 R 0.780, features micro F1 0.919. Tuning on its odd lines left
    its even lines where they were (red lines P 0.957 R 0.800 before and after): each new hand
    brings new phrasings. All of it has been used for tuning since."""
    r = evaluate(read_corpus(DATA / "blind3.jsonl"))
    red, features = r.micro(r.red_lines), r.micro(r.features)
    assert red.precision >= 0.97 and red.recall >= 0.97, (red.precision, red.recall)
    assert features.f1 >= 0.93, features.f1


def test_the_english_blind_corpus_holds_its_level():
    """tests/data/en_blind1.jsonl: 200 US-collector replies written blind by another hand. First
    run: red lines micro P 0.971 R 0.304 (F1 0.463), features micro F1 0.757. The English pack was
    rebuilt as frames over lexicons on its odd ids (red-line F1 0.394 → 1.000, features 0.758 →
    0.989) while its even ids moved from 0.519 → 0.800 (red lines) and 0.756 → 0.908 (features)
    untouched; classes of error from the even ids were then fixed too. It now guards against
    regressions; hand-written paraphrases in test_english_judgement.py guard the meaning."""
    r = evaluate(read_corpus(DATA / "en_blind1.jsonl"))
    red, features = r.micro(r.red_lines), r.micro(r.features)
    assert red.precision >= 0.98 and red.recall >= 0.97, (red.precision, red.recall)
    assert features.f1 >= 0.95, features.f1
    for rule, t in r.red_lines.items():
        assert t.recall >= 0.9, (rule, t.recall)


def test_a_fourth_blind_corpus_with_tone_labels_holds_its_level():
    """tests/data/blind4.jsonl, written blind by a fourth hand with a tone label per line. First
    run on the judge-tone branch, before any rule was changed from it: features micro P 0.856
    R 0.972 F1 0.910; politeness AUC neutral-vs-rude 0.734, polite-vs-rude 0.888 (main: 0.902,
    0.723, 0.886). Tone and feature rules were then generalised from its classes of error (not
    its phrases), so it now guards the level."""
    r = evaluate(read_corpus(DATA / "blind4.jsonl"))
    features = r.micro(r.features)
    assert features.f1 >= 0.94, features.f1
    assert r.auc("neutral") >= 0.92 and r.auc("polite") >= 0.98, (r.auc("neutral"), r.auc("polite"))


def test_a_fourth_blind_corpus_red_lines_hold_their_level():
    """tests/data/blind4.jsonl, 320 replies written blind by a fourth hand for issue 11. First run
    (recorded on main before any rule was changed for it): red lines micro P 0.976 R 0.759
    (threat R 0.44, false_legal 0.60, induce_borrowing 0.50), features micro F1 0.902. Red lines
    were then rebuilt as frames over shared lexicons from its classes of error (not its phrases);
    it has been tuned on since and now guards against regressions."""
    r = evaluate(read_corpus(DATA / "blind4.jsonl"))
    red, features = r.micro(r.red_lines), r.micro(r.features)
    assert red.precision >= 0.97 and red.recall >= 0.97, (red.precision, red.recall)
    assert features.f1 >= 0.89, features.f1
