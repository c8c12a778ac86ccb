"""The one vocabulary: every id the analyzer, the personas, the schemas and the reports share.

Dependency-free on purpose (no pydantic, no yaml, nothing from the package): the rule packs, the
persona allow-list, the scenario schema, the session and the reports all import their ids from
here, and ``tests/test_vocab.py`` checks that the data files agree. Extend, never rename: the
ids are public interface (``/work/shared/contract.md``).
"""

from __future__ import annotations

#: red lines: each one is an automatic fail in certification (contract)
RED_LINE_IDS: tuple[str, ...] = (
    "abuse", "threat", "impersonation", "false_legal", "privacy_exposure",
    "third_party_disclosure", "personal_account", "off_hours", "induce_borrowing",
)

#: what a reply does well (contract features), by the score dimension it feeds
FEATURES_BY_DIMENSION: dict[str, tuple[str, ...]] = {
    "politeness": ("honorific", "courtesy", "empathy", "greeting", "closing"),
    "clarity": ("self_identification", "identity_check", "states_amount", "states_overdue", "specific_deadline"),
    "solution": ("installment", "deferral", "partial_payment", "fee_reduction", "payment_channel",
                 "asks_situation", "confirms_commitment"),
}
FEATURE_IDS: tuple[str, ...] = tuple(f for fs in FEATURES_BY_DIMENSION.values() for f in fs)

#: the score dimensions (contract)
DIMENSIONS: tuple[str, ...] = ("politeness", "clarity", "solution")

#: tone below the red line: findings the personas react to (the judgement work emits the last three)
TONE_IDS: tuple[str, ...] = ("sarcasm", "blame", "command", "dismissive", "impatience", "contempt")

#: dialogue acts the rule pack emits as signals (rules/<lang>/acts.yaml)
PACK_ACT_IDS: tuple[str, ...] = (
    "asks_capacity",     # 您每个月能还多少? / how much could you manage?
    "apology",           # 不好意思打扰您了 / sorry to bother you
    "filler",            # 嗯 / 好的 / ? / … — a backchannel with nothing in it
    "off_topic",         # chit-chat: 天气, 吃饭了吗
    "asks_pass_on",      # third party: 麻烦您帮忙带个话
    "asks_to_pay",       # third party: 您能不能先帮他还上?
    "asks_to_urge",      # third party: 麻烦您督促他一下
    "asks_to_put_on",    # third party: 请他本人接一下电话
    "asks_again",        # 我再问一遍 / 您还没回答我呢 (with an answered question: the trainee repeats itself)
)

#: the analyzer's other signals (rules/<lang>/signals.yaml), tones included
SIGNAL_IDS: tuple[str, ...] = (
    "command", "sarcasm", "blame", "shouting", "vague_deadline", "demands_full",
    "discloses_before_verification", "sets_boundary", "lawful_consequence", "reassurance",
    "asks_callback", "asks_contact", "official_verification", "acknowledges_dispute",
    "mentions_debt", "agreement",
    "dismissive", "impatience", "contempt",
    "informal_address",  # 你 where 您 is due: a small politeness cost, coached with the honorific
) + PACK_ACT_IDS

#: ids the session derives from the reply, its typed values, the case file and the call so far
SESSION_SIGNALS: tuple[str, ...] = (
    "asks_for_debtor",       # names the debtor (from the case file) in a question: 请问是张伟先生吗?
    "gives_amount",          # a payment amount (typed value) is in the reply
    "gives_deadline",        # a payment date (typed value) is in the reply
    "offers_solution",       # any of installment, deferral, partial_payment, fee_reduction
    "proposes_plan",         # a concrete proposal: amount and date on the table after this reply
    "pressure",              # any tone id, shouting or demands_full
    "tone",                  # any tone id
    "calm",                  # no red line and no pressure
    "off_topic",             # (also from the pack) a reply that does nothing the call needs
    "repeats_self",          # says again what the trainee already said, or asks what was answered
    "contradicts_amount",    # states a debt amount different from before (or from the case)
    "contradicts_staff_id",  # gives a different 工号 from before
    "contradicts",           # either
)

#: dialogue acts: what a reply does, for answers (``answers:`` keys) — pack acts, features and
#: signals that already mean an act, and session-derived ones
ACT_IDS: tuple[str, ...] = (
    "self_identification", "identity_check", "asks_for_debtor", "asks_situation", "asks_capacity",
    "proposes_plan", "offers_solution", "confirms_commitment", "closing", "apology", "empathy",
    "filler", "off_topic", "repeats_self", "contradicts_amount", "contradicts_staff_id",
    "asks_contact", "asks_callback", "asks_pass_on", "asks_to_pay", "asks_to_urge", "asks_to_put_on",
    "agreement", "greeting", "states_amount", "lawful_consequence", "official_verification",
    "acknowledges_dispute", "reassurance", "sets_boundary", "vague_deadline", "demands_full",
) + TONE_IDS

#: the order answers are looked for: reactive acts first (at most one answered), then content acts
REACTIVE_ACTS: tuple[str, ...] = (
    "contempt", "blame", "sarcasm", "command", "demands_full",
    "contradicts_staff_id", "contradicts_amount", "repeats_self", "impatience", "dismissive",
    "filler", "off_topic", "sets_boundary", "apology", "empathy",
)
CONTENT_ACTS: tuple[str, ...] = (
    "confirms_commitment", "proposes_plan", "offers_solution", "asks_capacity", "asks_situation",
    "acknowledges_dispute", "official_verification", "asks_to_put_on", "asks_to_pay", "asks_to_urge",
    "asks_contact", "asks_callback", "asks_pass_on", "identity_check", "asks_for_debtor",
    "lawful_consequence", "vague_deadline", "states_amount", "self_identification", "reassurance",
    "closing", "agreement", "greeting",
)
ANSWER_ORDER: tuple[str, ...] = REACTIVE_ACTS + CONTENT_ACTS

#: every id a persona condition may test
def condition_ids() -> tuple[str, ...]:
    return tuple(dict.fromkeys(FEATURE_IDS + RED_LINE_IDS + SIGNAL_IDS + SESSION_SIGNALS))


#: the debtor's inner variables
VARIABLES: tuple[str, ...] = ("anger", "trust", "willingness", "patience")

#: how a call ends (contract) and which of those are a success
OUTCOMES: tuple[str, ...] = ("promise_to_pay", "message_left", "no_agreement", "hung_up", "complaint")
SUCCESS_OUTCOMES: tuple[str, ...] = ("promise_to_pay", "message_left")

#: why a call ended (``summary()["ended_by"]``)
ENDED_BY: tuple[str, ...] = ("debtor", "stall", "max_turns", "trainee", "time_limit")
#: the reasons ``Session.finish`` accepts
FINISH_REASONS: tuple[str, ...] = ("trainee", "time_limit")

#: what the session remembers about the whole call (``done:<fact>``)
FACTS: tuple[str, ...] = (
    "identified", "verified", "facts_stated", "situation", "solution", "channel", "amount",
    "deadline", "confirmed", "closed", "callback", "contact", "disclosed", "boundary",
)
#: what the debtor remembers the trainee told them (``knows:<item>``)
MEMORY_ITEMS: tuple[str, ...] = ("caller_name", "staff_id", "org", "debt_amount", "identity", "offer")
#: case-file flags (``case:<flag>``)
CASE_FLAGS: tuple[str, ...] = ("lawsuit_filed", "informed", "debtor_on_line", "has_new_number")

#: typed values the analyzer reads out of a reply (``Analysis.values``)
VALUE_KINDS: tuple[str, ...] = ("amount", "date", "staff_id", "caller_name", "org")
DATE_TYPES: tuple[str, ...] = ("weekday", "day_of_month", "relative", "month_day", "month_end", "time")
VALUE_ROLES: tuple[str, ...] = ("payment", "debt", "callback", "threat", "past")

#: who answers for the debtor (``case.answerer``): kinds, and the relation words that mean them
RELATION_KINDS: tuple[str, ...] = (
    "self", "parent", "spouse", "child", "sibling", "relative", "colleague", "roommate", "friend",
    "guarantor", "informed", "other",
)
RELATION_WORDS: dict[str, tuple[str, ...]] = {
    "self": ("本人", "self", "debtor"),
    "guarantor": ("担保人", "保证人", "共同借款人", "guarantor", "co-signer", "cosigner"),
    "parent": ("母亲", "父亲", "妈妈", "爸爸", "老妈", "老爸", "爸", "妈", "mother", "father", "mom", "dad", "parent"),
    "spouse": ("妻子", "丈夫", "老婆", "老公", "爱人", "媳妇", "配偶", "wife", "husband", "spouse", "partner"),
    "child": ("儿子", "女儿", "孩子", "son", "daughter"),
    "sibling": ("哥哥", "姐姐", "弟弟", "妹妹", "兄弟", "姐妹", "brother", "sister"),
    "relative": ("表哥", "表姐", "表弟", "表妹", "堂哥", "堂姐", "叔叔", "舅舅", "姑姑", "阿姨", "亲戚", "relative",
                 "uncle", "aunt", "cousin"),
    "colleague": ("同事", "领导", "上司", "老板", "colleague", "coworker", "co-worker", "boss"),
    "roommate": ("室友", "舍友", "合租", "roommate", "flatmate"),
    "friend": ("朋友", "同学", "friend"),
}


def relation_kind(relation: str, informed: bool = False) -> str:
    """The kind of answerer a free-text relation names: 母亲 → parent, 以前的室友 → roommate;
    an informed answerer that is none of the known kinds is ``informed``."""
    text = (relation or "").strip().lower()
    for kind in ("self", "guarantor", "spouse", "roommate", "colleague", "relative", "parent", "child",
                 "sibling", "friend"):
        words = RELATION_WORDS[kind]
        if kind == "self":
            if text in words:
                return kind
            continue
        if any(w in text for w in words):
            return kind
    return "informed" if informed else "other"


#: placeholders a debtor line, an answer or a hint may use
PLACEHOLDERS: tuple[str, ...] = (
    "name", "surname", "honorific", "creditor", "product", "amount", "overdue_days", "reason",
    "capacity", "plan_amount", "deadline", "relation", "collector_org", "ta",
    "plan_amount_spoken", "capacity_monthly", "capacity_lump", "earliest", "counter_amount",
    "counter_deadline", "caller_name", "staff_id", "org_said", "answerer_name", "whereabouts", "said",
)

__all__ = [n for n in dir() if n.isupper()] + ["condition_ids", "relation_kind"]
