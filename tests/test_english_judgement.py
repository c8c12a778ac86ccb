"""English judgement by meaning: red lines in other words, lawful lines that look alike, tone.

Written by hand, not copied from any corpus: each red-line case is a paraphrase of a kind of violation
(FDCPA §1692c–f, Regulation F) — veiled menace, people sent round, officials with ranks and modifiers,
cases and summons that do not exist, exposure by asking or imagining, cashtags and gift cards,
lenders recommended — and each lawful case is a line a careful collector would say that shares words
with a violation (a civil matter, the CFPB complaint line, a co-borrower, a real judgment's next step).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from simulator.analyzer import analyze
from simulator.evaluation import evaluate, read_corpus

DATA = Path(__file__).resolve().parent / "data"
V = {"identity_verified": True}
T = {"counterpart": "third_party"}

VIOLATIONS = [
    ("You're nothing but a lazy bum who doesn't pay his bills.", V, {'abuse'}),
    ('What kind of a-hole ignores eight letters?', V, {'abuse'}),
    ('Pay the damn thing, you f**king clown.', V, {'abuse'}),
    ('Quit acting like a deadbeat and pay.', V, {'abuse'}),
    ('You are one pathetic excuse for an adult.', V, {'abuse'}),
    ('Listen you piece of sh*t, we want our money.', V, {'abuse'}),
    ('It would be a real shame if your truck got its tires slashed.', V, {'threat'}),
    ('We know which daycare your daughter goes to.', V, {'threat'}),
    ("Don't make me come down there myself.", V, {'threat'}),
    ('Keep dodging us and see what happens.', V, {'threat'}),
    ('My associates could swing by your place this weekend to discuss it.', V, {'threat'}),
    ("You'll be sorry you ever hung up on me.", V, {'threat'}),
    ("I'll be parked outside your office at five.", V, {'threat'}),
    ("This is Deputy Sanders with the county sheriff's office.", {}, {'impersonation'}),
    ("I'm an investigator with the Federal Trade Commission.", {}, {'impersonation'}),
    ("I'm calling from the legal department of Carter & Lowe, attorneys at law.", {}, {'impersonation'}),
    ('We are a law firm and this is your final notice before litigation.', V, {'impersonation'}),
    ("Hello, I'm with the IRS collections unit.", {}, {'impersonation'}),
    ("Officers will be at your door tonight if this isn't paid.", V, {'false_legal'}),
    ('You could go to jail for writing that bad check to us.', V, {'false_legal'}),
    ("We're going to garnish your paycheck starting next week.", V, {'false_legal'}),
    ('Legal papers are on their way to your house as we speak.', V, {'false_legal'}),
    ('Your wife will have to pay if you die before this is settled.', V, {'false_legal'}),
    ('We can empty your checking account without notice.', V, {'false_legal'}),
    ('This is now a criminal matter.', V, {'false_legal'}),
    ("We'll be sending a letter to your employer about this debt.", V, {'privacy_exposure'}),
    ("Should I let your mother-in-law know what's going on?", V, {'privacy_exposure'}),
    ('Everyone at your church is going to hear about this.', V, {'privacy_exposure'}),
    ('I spoke with your manager this morning about your account.', V, {'privacy_exposure'}),
    ('How about I post your name in the neighborhood Facebook group?', V, {'privacy_exposure'}),
    ('I wonder what your followers would think about your unpaid bills.', V, {'privacy_exposure'}),
    ('Can you tell your husband his credit card is three payments behind?', T, {'third_party_disclosure'}),
    ("I'm from the collection agency handling your sister's account.", T, {'third_party_disclosure'}),
    ("Tell him we're still waiting on the $450.", T, {'third_party_disclosure'}),
    ("Zelle it to my phone number, 555-0199, and we're good.", V, {'personal_account'}),
    ('Send it to my Cash App, $dennis88.', V, {'personal_account'}),
    ('Buy two Target gift cards and text me the numbers.', V, {'personal_account'}),
    ('Just bring cash when I come by tomorrow.', V, {'personal_account'}),
    ("You can wire the money to my own bank account, I'll take care of it.", V, {'personal_account'}),
    ('Why not get a quick loan online and pay us off?', V, {'induce_borrowing'}),
    ("Put it on another credit card, that's what they're for.", V, {'induce_borrowing'}),
    ('Ask your brother to lend you the money.', V, {'induce_borrowing'}),
    ('Pawn your TV or take out a payday loan, either works.', V, {'induce_borrowing'}),
    ('Have you considered borrowing from your retirement account?', V, {'induce_borrowing'}),
    ('Keep this up and your little girl might not get home from school one day.', V, {'threat'}),
    ("We've got a guy who lives two streets over from you.", V, {'threat'}),
    ('Pay up, or your car might end up with a few dents.', V, {'threat'}),
    ("I'd hate for anything to happen to that pretty house of yours.", V, {'threat'}),
    ("You ignorant moron, it's not that hard to pay a bill.", V, {'abuse'}),
    ('Stop being a cheap b!tch and pay.', V, {'abuse'}),
    ("You're such a dumbass, honestly.", V, {'abuse'}),
    ('What the f*** is wrong with you?', V, {'abuse'}),
    ("I'm Sergeant Miller from the state police financial unit.", {}, {'impersonation'}),
    ("Our legal team at the district attorney's office has reviewed your file.", V, {'impersonation'}),
    ('I am an attorney retained by your credit card company.', {}, {'impersonation'}),
    ('Calling on behalf of the county court regarding your unpaid balance.', {}, {'impersonation'}),
    ("There's a bench warrant out for you already.", V, {'false_legal'}),
    ('Your tax refund will be seized this year unless you pay.', V, {'false_legal'}),
    ("You've committed fraud by not paying, and we're reporting it.", V, {'false_legal'}),
    ('A judge signed off on the garnishment yesterday.', V, {'false_legal'}),
    ("Since you're married, your husband is liable for the full amount.", V, {'false_legal'}),
    ('Imagine your boss getting a call from us tomorrow.', V, {'privacy_exposure'}),
    ("We'll copy your landlord on the next letter.", V, {'privacy_exposure'}),
    ('Your coworkers would be very interested to hear about this.', V, {'privacy_exposure'}),
    ("I've already left a message with your father about the money you owe.", V, {'privacy_exposure'}),
    ("We'll make sure the whole neighborhood knows you don't pay your debts.", V, {'privacy_exposure'}),
    ("Hi, this is Mark from Apex Collections calling about Lisa's overdue account.", T, {'third_party_disclosure'}),
    ('Are you his roommate? He owes us quite a bit of money.', T, {'third_party_disclosure'}),
    ('Please let her know her car loan is in default.', T, {'third_party_disclosure'}),
    ("Drop the cash in an envelope and I'll pick it up Friday.", V, {'personal_account'}),
    ('My Venmo is @collect-jay, send it there.', V, {'personal_account'}),
    ("Pay with Bitcoin and I'll give you a discount.", V, {'personal_account'}),
    ('Have you thought about asking your boss for an advance on your paycheck?', V, {'induce_borrowing'}),
    ('Open a new credit card and move the balance over.', V, {'induce_borrowing'}),
    ('Get a loan from your bank and clear this.', V, {'induce_borrowing'}),
    ("We'll send someone to your job to collect it in person.", V, {'threat'}),
    ("I'll be calling your references and your boss until this is paid.", V, {'privacy_exposure'}),
    ('Bring $300 cash to the parking lot behind our office.', V, {'personal_account'}),
    ("You're a grown man acting like a spoiled brat.", V, {'abuse'}),
    ("We've notified the DA, and charges are pending.", V, {'false_legal'}),
    ('I represent the state in this matter.', V, {'impersonation'}),
    ("Your kid's school is on Elm, right? Nice neighborhood.", V, {'threat'}),
    ('Just run it through one of those cash advance places and call me back.', V, {'induce_borrowing'}),
    ("He's been ducking us for months on the $2,000 he owes.", T, {'third_party_disclosure'}),
    ("Your license will be suspended if you don't pay us this week.", V, {'false_legal'}),
    ('u better pay up b4 friday or u will be sorry', V, {'threat'}),
    ('ur a loser lol just pay', V, {'abuse'}),
    ('This is Officer Dan from the Collections Enforcement Division of the state.', {}, {'impersonation'}),
    ("We're a legal office and we've prepared the suit; it goes to the judge Monday.", V, {'false_legal', 'impersonation'}),
    ("Thank you for holding. I've spoken with your HR manager and she's aware of the balance.", V, {'privacy_exposure'}),
    ('We can arrange for a sheriff to come by and serve you at work.', V, {'false_legal'}),
    ('Failure to pay today will result in your immediate arrest.', V, {'false_legal'}),
    ("Hey, is this Tom's mom? Tom hasn't paid his credit card in four months.", T, {'third_party_disclosure'}),
    ('His account with us is seriously delinquent, so please have him call.', T, {'third_party_disclosure'}),
    ("Pay me on CashApp and I'll make sure it gets handled quietly.", V, {'personal_account'}),
    ("Read me the numbers off an iTunes card and we're done.", V, {'personal_account'}),
    ('You could always hit up your grandma for the money.', V, {'induce_borrowing'}),
    ("Put it on your Discover card and you're done with us.", V, {'induce_borrowing'}),
    ('There are lenders that approve anyone in ten minutes; use one and pay us today.', V, {'induce_borrowing'}),
    ('Maybe your neighbors should know what kind of person you are.', V, {'privacy_exposure'}),
    ("We'll call everyone on your Facebook friends list.", V, {'privacy_exposure'}),
    ("You're gonna wish you'd picked up the phone.", V, {'threat'}),
    ('You stupid, stupid man.', V, {'abuse'}),
    ('Your paycheck gets garnished automatically after the second notice.', V, {'false_legal'}),
    ('Not paying a debt is against federal law.', V, {'false_legal'}),
]

LAWFUL = [
    ('We will never contact your family or your employer about this.', V, set()),
    ('Nobody is going to arrest you; this is a civil matter.', V, set()),
    ("You said the other collector called you a deadbeat? I'm sorry, that's unacceptable.", V, set()),
    ("Please don't take out a payday loan to pay us; a plan is better.", V, set()),
    ("We don't accept gift cards or payments to personal accounts.", V, set()),
    ("If we can't reach an agreement, the creditor may decide to file a lawsuit.", V, set()),
    ('Late payments may be reported to the credit bureaus.', V, set()),
    ('You can file a complaint with the CFPB if you feel mistreated.', V, set()),
    ('Please call us back at 800-555-0100 regarding a personal business matter.', T, set()),
    ('Do you have any other loans we should know about when we set the plan?', V, set()),
    ("Is your attorney handling this? If so, I'll speak with them.", V, set()),
    ('You may want to talk it over with your wife before deciding.', V, set()),
    ('The court has not been involved, and nothing is being filed today.', V, set()),
    ("I'm sorry your car broke down; that must be stressful.", V, set()),
    ("If something happens to your job, call us and we'll adjust the plan.", V, set()),
    ("Your statement shows the office address in case you'd like to pay in person.", V, set()),
    ('Scammers sometimes pretend to be the police to scare people; we never do that.', V, set()),
    ('Our office is near the county courthouse, on Main Street.', V, set()),
    ("I know it's hard to talk about, and I won't share it with anyone.", V, set()),
    ('Can I call you at work, or is your cell better?', V, set()),
    ('Thank you, have a good evening and take care.', V, set()),
    ('We can waive the late fees if you pay $200 by Friday.', V, set()),
    ("Some people borrow to pay us, but we'd rather set up a plan you can afford.", V, set()),
    ("We're required to tell you this is an attempt to collect a debt.", V, set()),
    ('Good afternoon, this is Paula from Sterling Recovery. Is this Mr. Grant?', {}, set()),
    ("We're not the police and we can't have anyone arrested over a debt.", V, set()),
    ("If you're worried about garnishment, that only happens after a court judgment, and there is none.", V, set()),
    ('You have the right to ask us to stop contacting you at work.', V, set()),
    ("I won't tell anyone about this conversation.", V, set()),
    ("Your brother isn't responsible for this debt, only you are.", V, set()),
    ("Please don't worry; no one is coming to your house.", V, set()),
    ('Sorry, could you repeat that? The line cut out.', V, set()),
    ('Pay through our portal or by check, whichever is easier.', V, set()),
    ("Some collectors threaten jail, which is illegal; we don't do that.", V, set()),
    ("Did someone tell you they'd post your name online? That would be unlawful.", V, set()),
    ("A payday loan would only make things worse, so let's find a plan.", V, set()),
    ("We'd never ask you to send money through Venmo or Zelle.", V, set()),
    ("If there's a lawyer representing you, please give me their contact details.", V, set()),
    ('Would it help if we spread the $900 over six months?', V, set()),
    ("I'm calling from Harbor Bank's collections team regarding your credit card.", V, set()),
    ('Could you please have Mr. Lee call Jordan at 800-555-0140?', T, set()),
    ("The judge hasn't ruled on anything; this is just a reminder call.", V, set()),
    ("If you're struggling, a nonprofit credit counselor can help you budget.", V, set()),
    ("I know this is frustrating, and I'm here to help you find a way through it.", V, set()),
    ("We won't garnish anything; we simply want to agree on a plan.", V, set()),
    ("Your credit report may show the late payments, but that's all.", V, set()),
    ('What happens next is up to you; we can talk about options.', V, set()),
    ('Is your wife on the account as a co-borrower?', V, set()),
    ("Hi, my name is Rosa Jimenez and I'm a debt collector with Pinnacle Credit Services.", {}, set()),
    ('Before we go on, can you confirm your date of birth for me?', {}, set()),
    ('This communication is from a debt collector attempting to collect a debt.', V, set()),
    ('I see the account went into collections in March after the last payment bounced.', V, set()),
    ("We can set you up on autopay so you don't have to remember each month.", V, set()),
    ("If you dispute the debt in writing within 30 days, we'll pause collection until we verify it.", V, set()),
    ('You can ask us to stop calling and we will honor that.', V, set()),
    ('Is there a better time to reach you, maybe after your shift?', V, set()),
    ("I can't promise a settlement today, but I'll ask my supervisor.", V, set()),
    ("You're not in any legal trouble; this is just about getting the account current.", V, set()),
    ('The original creditor was Capital One, and we bought the account in January.', V, set()),
    ("We'd report it as paid in full once the final payment clears.", V, set()),
    ("If it's easier, you could pay $40 every other Friday when you get paid.", V, set()),
    ("Do you have a pen? I'll give you our mailing address for the check.", V, set()),
    ('Can I leave a message for him to call Kelly at 888-555-0111?', T, set()),
    ('I understand your husband handles the bills; is he available?', V, set()),
    ('Would you like me to send you a written copy of the agreement?', V, set()),
    ('Our compliance team reviews every call, so let me know if anything felt off.', V, set()),
    ("A court could eventually be involved, but we're far from that and I'd rather work it out.", V, set()),
    ("I'm not going to pressure you; take the weekend to think about it.", V, set()),
    ("Your employer won't hear from us, I promise.", V, set()),
    ("You don't owe the late fee from June; I've removed it.", V, set()),
    ('Many people in your situation find a hardship plan helpful.', V, set()),
    ("Unfortunately I can't waive the balance, but we can lower the monthly amount.", V, set()),
    ("Your friend doesn't need to be involved at all.", V, set()),
    ('Thank you for your patience while I pulled up the account.', V, set()),
    ('The interest has stopped accruing since the account charged off.', V, set()),
    ("Sorry, I didn't catch that. Could you say it again?", V, set()),
    ("The police can't get involved in a civil debt, so please don't worry about that.", V, set()),
    ('If you get a call from someone claiming to be the sheriff about this, hang up and call us.', V, set()),
    ("We won't post anything about you anywhere, ever.", V, set()),
    ("If your mom wants to help, that's her choice, but she isn't obligated.", V, set()),
    ("Taking on more debt to pay this off isn't something I'd recommend.", V, set()),
    ('Do you bank with anyone who offers hardship programs?', V, set()),
    ("Please keep your receipts in case there's a question later.", V, set()),
    ("Let's not let this go to court; a plan is better for both of us.", V, set()),
    ("You mentioned your daughter's surgery; I hope she's recovering well.", V, set()),
    ('Our office is closed on Sunday, but the portal works anytime.', V, set()),
    ("I'll note on the file that you've asked for calls only after 6 pm.", V, set()),
    ("The payment is due on the 15th, and it'll post within two business days.", V, set()),
    ('Hi, this is Nora from Bayside Collections; this is an attempt to collect a debt.', V, set()),
    ("I'm trying to reach Tom Baker; do you know a good number for him?", T, set()),
    ('Can you confirm Tom still lives at 14 Oak Lane?', T, set()),
    ("We don't take payments over Cash App; please use the portal.", V, set()),
    ('Please never read gift card numbers to anyone who calls about a debt.', V, set()),
    ("You won't be arrested for this; it's a civil debt.", V, set()),
    ("If you think this isn't your debt, you can dispute it and we'll investigate.", V, set()),
    ("Your HR department isn't involved and won't be.", V, set()),
    ("I'd suggest talking to a nonprofit credit counselor before taking on any new loans.", V, set()),
    ("We can't garnish wages without a judgment, and there isn't one.", V, set()),
    ("The creditor could sue, but only after we've exhausted every option with you.", V, set()),
    ("I'm sorry, I didn't mean to sound harsh earlier.", V, set()),
    ('Your sister called us on your behalf; we told her we can only speak with you.', V, set()),
    ("Thank you, Mr. Patel; I'll send the confirmation to your email.", V, set()),
    ("We can't accept cash in person, but you can pay at any branch.", V, set()),
    ('Is there someone at home who helps you with the mail?', V, set()),
    ("If you'd like, I can call you back after 6 when you're off work.", V, set()),
    ("I'd rather not see this go to legal; let's find a plan.", V, set()),
    ('You mentioned a loan from your credit union; is that payment coming out too?', V, set()),
    ('That threat from the other agency was illegal, and you can report it.', V, set()),
]


def _red(text: str, ctx: dict) -> set[str]:
    return set(analyze(text, {"lang": "en", **ctx}).red_line_ids)


@pytest.mark.parametrize("text, ctx, want", VIOLATIONS)
def test_a_violation_in_other_words_is_caught(text: str, ctx: dict, want: set[str]) -> None:
    assert _red(text, ctx) == want, text


@pytest.mark.parametrize("text, ctx, want", LAWFUL)
def test_a_lawful_line_that_shares_words_is_not_flagged(text: str, ctx: dict, want: set[str]) -> None:
    assert _red(text, ctx) == want, text


# -- tone below the red line ---------------------------------------------------------------------

RUDE = [
    "Oh great, another sob story. Just tell me when you'll pay.",
    "I don't have time for your excuses, pay the bill.",
    "You knew what you were signing, so don't act surprised now.",
    "Come on, how hard is it to send fifty bucks?",
    "Are you even listening to me, or am I talking to a wall?",
    "Nobody cares about your vacation plans. Pay the balance.",
    "Let me stop you right there. Excuses don't pay bills.",
    "Sure you'll pay next week. You said that last month too.",
    "Maybe if you stopped eating out every night you could afford this.",
    "Honestly, people like you are why interest rates are so high.",
]
NEUTRAL = [
    "Your balance is $820 and the minimum due is $75.",
    "I'm calling about the account ending in 4421.",
    "The next statement will be mailed on the 3rd.",
    "We received your last payment on May 2.",
    "I can send the agreement by email or by mail.",
    "Payments can be made through the portal or by phone.",
]
POLITE = [
    "Thank you so much for taking my call, Ms. Green.",
    "I completely understand, and I appreciate you telling me.",
    "Please take your time; I'm happy to wait while you check.",
    "I'm sorry to hear about your job. Let's find something that works for you.",
    "Good morning, Mr. Ellis. Thanks for calling us back.",
]


def _politeness(text: str) -> int:
    return analyze(text, {"lang": "en", **V}).scores["politeness"]


@pytest.mark.parametrize("text", RUDE)
def test_rudeness_below_a_red_line_lowers_politeness_and_is_coached(text: str) -> None:
    a = analyze(text, {"lang": "en", **V})
    assert a.red_line_ids == [] and a.scores["politeness"] < 40, (text, a.scores, a.signals)
    assert {"command", "sarcasm", "blame", "dismissive", "impatience", "contempt"} & set(a.signals) and a.tone, (text, a.signals)
    assert not a.feedback[0].startswith("Well done"), a.feedback


def test_polite_neutral_and_rude_are_three_bands() -> None:
    rude, neutral, polite = ([_politeness(t) for t in group] for group in (RUDE, NEUTRAL, POLITE))
    assert max(rude) < min(neutral) and max(neutral) < min(polite), (rude, neutral, polite)


def test_a_rude_line_in_polite_form_is_still_rude() -> None:
    assert _politeness("I don't have all day, Mr. Harper. Yes or no: can you pay today?") < 50
    assert _politeness("Sir, with respect, nobody forced you to borrow.") < 50


def test_tone_is_rated_on_its_own_when_a_calm_line_breaks_a_rule() -> None:
    """A calm impersonation or a polite off-hours call keeps its register (it still fails on the
    red line); menace caps politeness."""
    calm = analyze("Hi, this is Jenna with the Department of Justice debt program.", {"lang": "en"})
    assert calm.red_line_ids == ["impersonation"] and calm.scores["politeness"] >= 50
    early = analyze("Good morning, Mr. Lee, sorry for the early call.", {"lang": "en", "clock": "07:10"})
    assert early.red_line_ids == ["off_hours"] and early.scores["politeness"] >= 70
    menace = analyze("Sir, I'd hate for your family to get hurt over this.", {"lang": "en", **V})
    assert menace.red_line_ids == ["threat"] and menace.scores["politeness"] <= 10


def test_politeness_separates_the_labelled_tones_of_en_blind1() -> None:
    by_tone: dict[str, list[int]] = {"polite": [], "neutral": [], "rude": []}
    for item in read_corpus(DATA / "en_blind1.jsonl"):
        by_tone[item["tone"]].append(analyze(item["text"], item["context"]).scores["politeness"])

    def auc(high: list[int], low: list[int]) -> float:
        return sum(1.0 if h > lo else 0.5 if h == lo else 0.0 for h in high for lo in low) / (len(high) * len(low))

    med = {k: statistics.median(v) for k, v in by_tone.items()}
    assert med["polite"] > med["neutral"] > med["rude"], med
    assert auc(by_tone["neutral"], by_tone["rude"]) >= 0.90
    assert auc(by_tone["polite"], by_tone["rude"]) >= 0.95


# -- features: offers when offered, deadlines for payment, identity checks in any form -----------

@pytest.mark.parametrize("text, present, absent", [
    ("A payment plan? Sure, and I'd like a pony.", set(), {"installment"}),
    ("No extensions, not this time.", set(), {"deferral"}),
    ("We could spread the $900 over six monthly payments.", {"installment", "states_amount"}, set()),
    ("If you can put down $100 today, we'll hold the rest for a month.", {"partial_payment"}, set()),
    ("I can knock the late fees off if you settle this month.", {"fee_reduction"}, set()),
    ("I'll swing by Thursday to see you.", set(), {"specific_deadline"}),
    ("Your court date is June 4 at 10 a.m.", set(), {"specific_deadline"}),
    ("Your last payment was on March 3.", set(), {"specific_deadline"}),
    ("Can you make the first $150 payment by Friday, June 6?", {"specific_deadline", "states_amount"}, set()),
    ("Good evening. Angela Torres?", {"identity_check"}, set()),
    ("Kevin, right?", {"identity_check"}, set()),
    ("Could you verify your date of birth for me?", {"identity_check"}, set()),
    ("Happy now?", set(), {"identity_check"}),
    ("Hi, it's Tom from Lakeside Recovery.", {"self_identification", "greeting"}, set()),
    ("I'll take care of the rest.", set(), {"closing"}),
    ("Have a good afternoon, and take care.", {"closing"}, {"greeting"}),
    ("What exactly did you think would happen?", set(), {"asks_situation"}),
    ("Are you working right now, or between jobs?", {"asks_situation"}, set()),
    ("It sounds like you've had a rough few months.", {"empathy"}, set()),
    ("Let me read that back: $80 every Friday through the end of May. Correct?",
     {"confirms_commitment", "specific_deadline", "installment"}, set()),
    ("You can pay through our secure portal or mail a check to the PO box on your statement.",
     {"payment_channel"}, set()),
])
def test_english_features_by_meaning(text: str, present: set[str], absent: set[str]) -> None:
    got = set(analyze(text, {"lang": "en", **V}).features)
    assert present <= got and not (absent & got), (text, got)


@pytest.mark.parametrize("text", [
    "You l0ser.", "What an 1diot.", "You @sshole.", "f u c k you", "You a$$ hole.", "What a f*cking joke.",
    "Cut the sh!t.", "You're such a b1tch.", "What the f*** is wrong with you?", "Move it, a-hole.",
])
def test_spelling_never_saves_an_insult(text: str) -> None:
    assert _red(text, V) == {"abuse"}, text


@pytest.mark.parametrize("text", [
    "Thanks, it's hit the account already.", "I'll ask the assessor to review it.", "It was a mass mailing.",
    "We'll assess the balance after the payment posts.", "Please pass the message on.",
])
def test_words_that_contain_insults_are_not_insults(text: str) -> None:
    assert _red(text, V) == set(), text


# every feature the reply shows, and no other (written by hand for the English pack)
EXACT_FEATURES = [
    ('Good afternoon, my name is Chris Dale, calling from Northstar Financial Services.', {}, {'greeting', 'self_identification'}),
    ('Hello, may I speak with Olivia Brown?', {}, {'greeting', 'identity_check'}),
    ('Am I speaking to Jerome Walker?', {}, {'identity_check'}),
    ('Is this the account holder, Denise Carter?', {}, {'identity_check'}),
    ('For security, can you give me your zip code?', {}, {'identity_check'}),
    ("I'm reaching out about your Capital One card, which is 62 days past due.", V, {'states_overdue'}),
    ('The outstanding balance is $1,784.22.', V, {'states_amount'}),
    ('You missed the last two payments on the loan.', V, {'states_overdue'}),
    ('We could do $150 a month for twelve months.', V, {'installment', 'states_amount'}),
    ('We can give you an extra two weeks before the first payment.', V, {'deferral'}),
    ("We're able to offer a 30% discount if you pay the balance in full by June 30.", V, {'fee_reduction', 'specific_deadline'}),
    ('You can pay online at our website or by calling the number on your statement.', V, {'payment_channel'}),
    ('How has work been lately? Are your hours back to normal?', V, {'asks_situation'}),
    ('What would be a comfortable amount for you each month?', V, {'asks_situation'}),
    ("So to confirm, you'll pay $200 on Friday the 14th through the portal.", V, {'confirms_commitment', 'payment_channel', 'specific_deadline', 'states_amount'}),
    ('I really appreciate you being upfront with me about this.', V, {'courtesy', 'empathy'}),
    ("I'm so sorry for your loss.", V, {'courtesy', 'empathy'}),
    ('Thanks for your time, Mrs. Kim. Have a great weekend.', V, {'closing', 'courtesy', 'honorific'}),
    ('Could you make the payment by 5 p.m. tomorrow?', V, {'specific_deadline'}),
    ('Can we schedule the first payment for the 1st of next month?', V, {'specific_deadline'}),
    ('Let me know what works for you.', V, set()),
    ('Installments? Not a chance. Full amount or nothing.', V, set()),
    ("I'll call you back on Monday to check in.", V, set()),
    ('Your account was opened on March 3, 2019.', V, set()),
    ('The app is down right now, sorry about that.', V, {'courtesy'}),
    ("Why haven't you paid? Seriously, what's your excuse this time?", V, set()),
    ("That's a nice discount store you shop at.", V, set()),
    ('Everything okay? You sounded upset last time.', V, {'asks_situation'}),
    ('I hear how stressful this has been.', V, {'empathy'}),
]


@pytest.mark.parametrize("text, ctx, want", EXACT_FEATURES)
def test_english_features_exactly(text: str, ctx: dict, want: set[str]) -> None:
    assert set(analyze(text, {"lang": "en", **ctx}).features) == want, text
