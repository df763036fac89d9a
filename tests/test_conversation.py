"""Follow-up rewriting: (history, question, expected standalone question)."""

import pytest

from qa.conversation import Turn, new_words, rewrite_question, subject_of
from qa.text import search_key

T = Turn


@pytest.mark.parametrize("history, question, expected", [
    # Nothing earlier, a question that stands alone, or one with no word: unchanged.
    ([T("سفیر ایران در روسیه کیست؟", short_answer="کاظم جلالی")], "\u200c", "\u200c"),
    ([T("سفیر ایران در روسیه کیست؟", short_answer="کاظم جلالی")], "؟!", "؟!"),
    ([], "او درباره تحریم‌ها چه گفت؟", "او درباره تحریم‌ها چه گفت؟"),
    ([T("پزشکیان کی به مسکو رفت؟")], "پوتین درباره تحریم‌ها چه گفت؟", "پوتین درباره تحریم‌ها چه گفت؟"),
    # A pronoun takes the earlier subject, and nothing else of the earlier question.
    ([T("پزشکیان در چه تاریخی وارد مسکو شد؟")], "او درباره تحریم‌ها چه گفت؟", "پزشکیان درباره تحریم‌ها چه گفت؟"),
    ([T("پزشکیان در چه تاریخی وارد مسکو شد؟")], "وی با چه کسی دیدار کرد؟", "پزشکیان با چه کسی دیدار کرد؟"),
    # After "who", the pronoun is the person answered.
    ([T("سفیر ایران در روسیه کیست؟", short_answer="کاظم جلالی")], "او چه گفت؟",
     "کاظم جلالی سفیر ایران در روسیه چه گفت؟"),
    ([T("Who is Iran's ambassador to Russia?")], "What did he say?", "What did Iran's ambassador to Russia say?"),
    # «کیه» is «کیست»; «چه‌کسی» (ZWNJ) is «چه کسی».
    ([T("سفیر ایران در روسیه کیه؟", short_answer="کاظم جلالی")], "او چه گفت؟",
     "کاظم جلالی سفیر ایران در روسیه چه گفت؟"),
    # "Who said / who met ...": the person is the answer alone, not what they did.
    ([T("چه‌کسی گفت سفر شما به مسکو تاریخی است؟", short_answer="نخستوزیر روسیه")], "او درباره تحریم‌ها چه گفت؟",
     "نخستوزیر روسیه درباره تحریم‌ها چه گفت؟"),
    ([T("چه کسی با پزشکیان دیدار کرد؟", short_answer="ولادیمیر پوتین")], "او چه گفت؟", "ولادیمیر پوتین چه گفت؟"),
    ([T("Who said the visit was historic?", short_answer="نخستوزیر روسیه")], "What did he say about sanctions?",
     "What did نخستوزیر روسیه say about sanctions?"),
    # ... and with no answer, not the question's words either.
    ([T("چه کسی گفت سفر تاریخی است؟")], "او چه گفت؟", "چه گفت؟"),
    # A short answer that is a piece of a clause is not taken for a name.
    ([T("نخست‌وزیر روسیه کیست؟", short_answer="معتقد است که مسکو")], "او چه گفت؟", "نخست‌وزیر روسیه چه گفت؟"),
    # "چه کسی" inside a question with its own subject: the subject, not the answer.
    ([T("پزشکیان به تندیس چه کسی ادای احترام کرد؟", short_answer="سامانی")], "او سپس به کجا رفت؟",
     "پزشکیان سپس به کجا رفت؟"),
    # Demonstrative phrases take the earlier subject.
    ([T("روسیه چه سهمی از بازار گاز دارد؟")], "این کشور با چه کسی قرارداد بست؟",
     "کشور روسیه با چه کسی قرارداد بست؟"),
    ([T("پوتین و پزشکیان کی دیدار کردند؟")], "این دیدار در کدام شهر انجام شد؟",
     "دیدار پوتین و پزشکیان در کدام شهر انجام شد؟"),
    ([T("پوتین و پزشکیان کی دیدار کردند؟"), T("این دیدار کجا بود؟", "دیدار پوتین و پزشکیان کجا بود؟")],
     "پوتین در این دیدار او را به کجا دعوت کرد؟", "پوتین در دیدار پوتین و پزشکیان را به کجا دعوت کرد؟"),
    # "and X?": X takes the place of the earlier subject.
    ([T("ایران چه سهمی از بازار گاز دارد؟")], "و روسیه؟", "روسیه چه سهمی از بازار گاز دارد؟"),
    ([T("پوتین درباره تحریم‌ها چه گفت؟")], "و پزشکیان؟", "پزشکیان درباره تحریم‌ها چه گفت؟"),
    ([T("When did Pezeshkian arrive in Moscow?")], "what about Putin?", "When did Putin arrive in Moscow?"),
    # A bare question phrase replaces the earlier one.
    ([T("اجلاس بریکس در کدام شهر برگزار می‌شود؟")], "چه ایالتی؟", "اجلاس بریکس در چه ایالتی برگزار می‌شود؟"),
    ([T("اجلاس بریکس در کدام شهر برگزار می‌شود؟")], "کی؟", "اجلاس بریکس در کی برگزار می‌شود؟"),
    # a question phrase typed as one word
    ([T("پزشکیان درچه تاریخی به مسکو رفت؟")], "کجا؟", "پزشکیان در کجا به مسکو رفت؟"),
    ([T("چه‌کسی پزشکیان را به مسکو دعوت کرد؟")], "چرا؟", "چرا پزشکیان را به مسکو دعوت کرد؟"),
    # The earlier turn's rewrite is what a later turn builds on.
    ([T("پزشکیان کی به مسکو رفت؟"), T("او با چه کسی دیدار کرد؟", "پزشکیان با چه کسی دیدار کرد؟")],
     "و درباره چه موضوعی؟", "پزشکیان درباره چه موضوعی؟"),
    # ZWNJ, Arabic letters: pronouns found whatever the spelling.
    ([T("پزشکیان کی به مسکو رفت؟")], "آن‌ها درباره چه چيزی گفتگو کردند؟", "پزشکیان درباره چه چيزی گفتگو کردند؟"),
])
def test_rewrite(history, question, expected):
    assert rewrite_question(question, history) == expected


# Words a small archive writes, as search keys: what ``knows`` is told.
KNOWN = {"پوتین", "تحریمها", "تحریم", "هدف", "زمان", "گفت", "روسیه"}


def knows(words):
    return any(search_key(word).replace("\u200c", "") in KNOWN for word in words)


@pytest.mark.parametrize("question, expected", [
    # pronouns, "and", question phrases: nothing new
    ("و او؟", []),
    ("What about him?", []),
    ("کی؟", []),
    # the noun of a question phrase, without the indefinite «ی»
    ("با چه هدفی؟", ["هدف"]),
    ("چه زمانی؟", ["زمان"]),
    ("او xyz؟", ["xyz"]),
    ("And Putin?", ["Putin"]),
    ("او درباره تحریم‌ها چه گفت؟", ["تحریم‌ها"]),  # «گفت» is a hazm stopword
    ("", []),
])
def test_new_words(question, expected):
    assert new_words(question) == expected


@pytest.mark.parametrize("question, expected", [
    # gibberish adds only words nobody wrote: not leaned on the conversation
    ("xyz", "xyz"),
    ("او xyz؟", "او xyz؟"),
    ("و qwerty؟", "و qwerty؟"),
    ("چه xyz؟", "چه xyz؟"),
    # "and" alone, however often, names nothing to ask about
    ("و؟", "و؟"),
    ("و " * 5000, ("و " * 5000).strip()),
    ("and and and?", "and and and?"),
    # known words, or none of its own: rewritten as before
    ("و پوتین؟", "پوتین کی به مسکو رفت؟"),
    ("با چه هدفی؟", "پزشکیان با چه هدفی؟"),
    ("چه زمانی؟", "پزشکیان چه زمانی به مسکو رفت؟"),
    ("او درباره تحريم‌ها چه گفت؟", "پزشکیان درباره تحريم‌ها چه گفت؟"),
    ("و او؟", "پزشکیان؟"),
])
def test_rewrite_leaves_follow_ups_with_unknown_words_alone(question, expected):
    history = [T("پزشکیان کی به مسکو رفت؟")]
    assert rewrite_question(question, history, knows=knows) == expected


@pytest.mark.parametrize("question, subject", [
    ("پزشکیان در چه تاریخی وارد مسکو شد؟", "پزشکیان"),
    ("پیمان راهبردی ایران و روسیه چه زمانی امضا شد؟", "پیمان راهبردی ایران و روسیه"),
    ("آیا پوتین به تهران می‌آید؟", "پوتین"),
    ("در کدام شهر اجلاس برگزار شد؟", ""),
    ("روسیه کجاست؟", "روسیه"),
    ("When did Vladimir Putin visit Tehran?", "Vladimir Putin"),
    ("", ""),
])
def test_subject(question, subject):
    assert subject_of(question) == subject


@pytest.mark.parametrize("history, question, expected", [
    # «این همایش» after "which همایش?" is the همایش answered.
    ([T("پزشکیان در حاشیه کدام همایش با پوتین دیدار کرد؟", short_answer="ارتباط متقابل زمانها")],
     "این همایش به چه مناسبتی برگزار شد؟", "همایش ارتباط متقابل زمانها به چه مناسبتی برگزار شد؟"),
    # «او» skips subjects that are things and finds the person.
    ([T("پزشکیان در حاشیه کدام همایش با پوتین دیدار کرد؟", short_answer="ارتباط متقابل زمانها"),
      T("این همایش به چه مناسبتی برگزار شد؟", "همایش ارتباط متقابل زمانها به چه مناسبتی برگزار شد؟")],
     "او پس از بازگشت چه گفت؟", "پزشکیان پس از بازگشت چه گفت؟"),
    # «او» after a question about a treaty: no person to point to, the pronoun goes.
    ([T("پیمان راهبردی ایران و روسیه چه زمانی امضا شد؟")], "او درباره تحریم‌ها چه گفت؟",
     "درباره تحریم‌ها چه گفت؟"),
    # The name a rule-made short answer opens with.
    ([T("پوتین پزشکیان را به کدام اجلاس دعوت کرد؟", short_answer="بریکس و برگزاری نشست مشترک دوجانبه")],
     "این اجلاس در کدام شهر برگزار می‌شود؟", "اجلاس بریکس در کدام شهر برگزار می‌شود؟"),
    # A demonstrative before a noun nothing points to stays.
    ([T("پزشکیان کی به مسکو رفت؟")], "این موضوع چه اهمیتی دارد؟", "این موضوع چه اهمیتی دارد؟"),
])
def test_rewrite_demonstratives_and_people(history, question, expected):
    assert rewrite_question(question, history) == expected


@pytest.mark.parametrize("question, language", [
    ("پزشکیان کی وارد مسکو شد؟", "fa"),
    ("سفير ايران در روسيه كيست؟", "fa"),         # Persian typed with Arabic ي/ك
    ("When did Pezeshkian arrive in Moscow?", "en"),
    ("متى وصل بزشكيان إلى موسكو؟", "ar"),
    ("من هو سفير إيران في روسيا؟", "ar"),
    ("أين تعقد القمة؟", "ar"),
    # Persian words that open with «ال», and the Persian «ما» ("we"), are no Arabic
    ("فدراسیون بین\u200cالمللی والیبال در چه سالی تأسیس شد؟", "fa"),
    ("در والیبال المپیک آتن برزیل با ایتالیا چندمین بار به فینال رسید؟", "fa"),
    ("چه کسی گفت سرگردانی ما ناشی از کاربرد ما از واژگان است؟", "fa"),
    ("عبدالله البشیر النعیمی که بود؟", "fa"),
    ("من هو عبدالله البشير النعيمي؟", "ar"),
    # «من هو» / «ما هي» open Arabic questions that have no other Arabic word
    ("من هو رئيس وزراء روسيا؟", "ar"),
    ("ما هي بريكس؟", "ar"),
    ("من هم رو دیدم", "fa"),
    # «أي» ("which") with its hamza is Arabic, and «؟» is no part of a word
    ("أي أي أي", "ar"),
    ("أي؟", "ar"),
    ("متى؟", "ar"),
    # «كم» ("how many") with the Arabic ك; Persian «کم» ("little") is no Arabic
    ("كم مذكرة تفاهم وقعت بين إيران وطاجيكستان؟", "ar"),
    ("کم کم به مسکو رسید؟", "fa"),
    # an Arabic question word no Persian question opens with
    ("ماذا طلب بوتين من بزشكيان؟", "ar"),
    ("هل التقى بزشكيان بوتين؟", "ar"),
    ("ماذا پزشکیان گفت؟", "fa"),                        # Persian letters: a Persian question
    ("", "fa"),
])
def test_question_language(question, language):
    from qa.text import question_language

    assert question_language(question) == language
