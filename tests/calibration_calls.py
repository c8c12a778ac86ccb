"""Calls that calibrate the call scores: clumsy but lawful (disorganised: the debt before the
identity check, vague deadlines, no plan, plain register) and rude but lawful (sarcasm, blame,
orders, impatience; no red line). The textbook calls are ``golden_calls.GOOD``. Shared by the
tests and ``bench/calibration.py``; written for the exam scenarios."""

from __future__ import annotations

# (scenario id, label, replies)
CLUMSY: list[tuple[str, str, list[str]]] = [
    ("angry_card_reminder", "clumsy", [
        "喂,你好,华信银行的。你信用卡欠了12850,逾期45天了。",
        "是张伟吧?那你这个钱什么时候还?",
        "你别激动,我就是问一下,钱总是要还的。",
        "那你是什么原因一直没还?",
        "那你看能不能分期,你尽快还一部分吧。",
        "行,那你过几天还上,好吧,就这样。",
    ]),
    ("evasive_card_next_week", "clumsy", [
        "你好,华信银行信用卡中心。陈磊是吧,你信用卡6800逾期20天了。",
        "为什么一直没还呢?",
        "下周是哪天?你尽量早点还吧,逾期会影响征信的。",
        "那你可以先还一部分,剩下的再说。",
        "好,那你到时候记得还,就先这样。",
    ]),
    ("hardship_card_job_loss", "clumsy", [
        "你好,我是华信银行信用卡中心的。你欠的9800已经逾期一个月了。",
        "是李娜吧?你现在是什么情况?",
        "失业了啊,那你每个月还有收入吗?",
        "那你看看能不能分期,每个月少还一点。",
        "你尽快想想办法吧,有钱了先还一点。",
        "行,那就这样。",
    ]),
    ("lost_contact_mother", "clumsy", [
        "喂,你好,我找吴涛。",
        "我是安盛消费金融的,他不在啊,那他什么时候回来?",
        "那你让他回个电话吧。",
        "嗯,就这样。",
    ]),
    ("angry_business_loan_complaint", "clumsy", [
        "你好,恒通银行的。你经营贷逾期95天了,欠款186000。",
        "王建国是吧?你先别激动,这个钱总得还吧。",
        "那你现在生意上是什么情况?",
        "我们这边可以申请分期,你尽快筹一下钱吧。",
        "那你回头想好了再说,就这样。",
    ]),
    ("evasive_car_loan_scam_suspect", "clumsy", [
        "你好,安行汽车金融的。孙浩吧,你车贷两期没还,欠23500。",
        "我们不是骗子,你可以去APP上看看。",
        "那你为什么没还呢?",
        "你先还一期也行,尽快处理一下。",
        "好,那就这样。",
    ]),
    ("hardship_business_loan_illness", "clumsy", [
        "你好,恒通银行的。周芳吧,你那个经营贷58000逾期120天了,已经起诉了。",
        "家里有病人啊,那你现在每个月有多少收入?",
        "那你看能不能先还一部分,剩下的分期。",
        "你尽量早点还吧,拖着也不是办法。",
        "行,那先这样。",
    ]),
    ("lost_contact_roommate_estranged", "clumsy", [
        "喂,你好,黄晓东在吗?",
        "我是华信银行的。你们不来往了?那你有他现在的电话吗?",
        "那你要是见到他让他回个电话。",
        "嗯,好。",
    ]),
]

RUDE: list[tuple[str, str, list[str]]] = [
    ("angry_card_reminder", "rude", [
        "张伟是吧?我是华信银行信用卡中心的,工号8021。",
        "你火什么火?欠钱不还你还有理了?",
        "你信用卡欠了12850,逾期45天,你自己心里没数吗?",
        "少跟我扯那些,我每天打几百个电话,没空听你诉苦。",
        "你到底还不还?给句痛快话。",
        "随你便吧。",
    ]),
    ("evasive_card_next_week", "rude", [
        "陈磊吧,华信银行信用卡中心的,工号5512。",
        "你那6800逾期20天了,又想拖到下周?",
        "你这借口编得挺好,下周下周,下周你就有钱了?",
        "别跟我磨叽,说了多少遍了,赶紧把钱还上。",
        "爱还不还吧。",
    ]),
    ("hardship_card_job_loss", "rude", [
        "李娜是吧,华信银行信用卡中心,工号W0321。",
        "你欠的9800逾期30天了,什么时候还?",
        "失业?谁没点困难,别跟我哭穷。",
        "当初刷卡的时候怎么不想想?现在知道着急了。",
        "我不管你有什么困难,钱必须还。",
    ]),
    ("lost_contact_mother", "rude", [
        "吴涛在不在?我是安盛消费金融的。",
        "不在?那他跑哪去了?你当妈的也不管管?",
        "让他赶紧给我回电话,别躲着。",
        "行了行了,别啰嗦了。",
    ]),
    ("angry_business_loan_complaint", "rude", [
        "王建国吧,恒通银行普惠金融部,工号H2096。",
        "你吼什么吼?声音大就不用还钱了?",
        "投诉?你还好意思投诉?",
        "你经营贷逾期95天,186000,你自己不觉得丢人吗?",
        "少废话,什么时候还?",
    ]),
    ("evasive_car_loan_scam_suspect", "rude", [
        "孙浩是吧,安行汽车金融的,工号AX3021。",
        "骗子?你自己欠钱不还倒说别人是骗子?",
        "你车贷欠了23500,你是听不懂中国话吗?",
        "别装了,赶紧还钱。",
        "随你便。",
    ]),
    ("hardship_business_loan_illness", "rude", [
        "周芳吧,恒通银行普惠金融部,工号H1185。",
        "你经营贷58000逾期120天了,还想拖到什么时候?",
        "家里有病人?这种话我一天听几十遍。",
        "你自己借的钱,怨不得别人,赶紧想办法还。",
        "行了,说这些有什么用。",
    ]),
    ("lost_contact_roommate_estranged", "rude", [
        "黄晓东在吗?我是华信银行信用卡中心的。",
        "不来往了?你唬谁呢?",
        "少跟我扯,有他电话赶紧给我。",
        "行了行了,没空跟你耗。",
    ]),
]
