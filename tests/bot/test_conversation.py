"""Single behaviours of the conversation that the transcripts do not pin down."""

from __future__ import annotations

import pytest

from bot.conversation import Conversation
from bot.messages import BlockKind, Channel, Inbound, Reply
from bot.rendering import render_sms_pages
from bot.state_store import SqlStore
from gfmd_info.emergency_line import call_line, urgent_text
from gfmd_info.knowledge import Knowledge


def say(
    conversation: Conversation,
    text: str,
    *,
    user: str = "u1",
    country: str | None = None,
    channel: Channel = Channel.SMS,
    hint: str | None = None,
) -> Reply:
    reply = conversation.handle(
        Inbound(channel, user, text, language_hint=hint, country_hint=country)
    )
    assert reply is not None
    return reply


def text_of(reply: Reply, kind: BlockKind | None = None) -> str:
    return "\n".join(b.text for b in reply.blocks if kind is None or b.kind is kind)


def test_danger_in_a_language_without_translated_answers_gets_its_own_urgent_text(
    conversation: Conversation, knowledge: Knowledge
) -> None:
    reply = say(conversation, "nisaidieni ananipiga sasa hivi", country="KE")
    swahili = knowledge.content.language_pack("sw").urgent
    assert swahili is not None and reply.urgent
    urgent = [b.text for b in reply.blocks if b.kind is BlockKind.URGENT]
    assert urgent[-1] == urgent_text(knowledge.content, "sw", "KE")
    assert swahili.without_number != urgent[-1] or "KE" not in knowledge.content.emergency_numbers
    assert len(render_sms_pages(reply)) == 2  # urgent text, then the first page: no more
    on_telegram = say(
        conversation, "nisaidieni ananipiga sasa hivi", user="u2", channel=Channel.TELEGRAM
    )
    assert text_of(on_telegram, BlockKind.NOTICE)  # says the rest is shown in English


def test_an_unknown_country_gets_the_way_to_find_the_number_instead_of_a_guess(
    conversation: Conversation, knowledge: Knowledge
) -> None:
    reply = say(conversation, "help me now he has a knife", country="ZW")
    english = knowledge.content.language_pack("en").urgent
    assert english is not None
    assert text_of(reply, BlockKind.URGENT) == english.without_number


def test_the_disclaimer_is_shown_once_per_person(
    conversation: Conversation, knowledge: Knowledge
) -> None:
    disclaimer = knowledge.content.language_pack("en").disclaimer
    assert disclaimer
    shown = [
        disclaimer in text_of(say(conversation, t, channel=Channel.TELEGRAM))
        for t in ("hello", "menu", "menu", "my boss did not pay me")
    ]
    assert shown.count(True) == 1


def test_telegram_language_code_chooses_the_first_language(conversation: Conversation) -> None:
    reply = say(conversation, "/start", channel=Channel.TELEGRAM, hint="es-419")
    assert reply.language == "es"


def test_an_sms_sender_country_orders_the_language_choice(conversation: Conversation) -> None:
    reply = say(conversation, "hello", country="MA")
    assert [o.id for o in reply.options][:1] == ["l:ar"]


def test_more_with_nothing_to_show_and_back_at_the_top_answer_sensibly(
    conversation: Conversation,
) -> None:
    say(conversation, "hello")
    say(conversation, "2")
    assert say(conversation, "more").options  # back to a menu, not an error
    assert say(conversation, "back").options


def test_delete_twice_is_harmless(conversation: Conversation, store: SqlStore) -> None:
    say(conversation, "hello")
    say(conversation, "delete")
    say(conversation, "delete")
    assert store.load("u1") is not None  # the second DELETE asked again, nothing erased yet
    say(conversation, "1")
    assert store.load("u1") is None


def test_the_rate_limit_notice_uses_the_right_plural(
    conversation: Conversation, store: SqlStore
) -> None:
    english = store.load("nobody")
    assert "minutes" in text_of(conversation.rate_limited(english, 5))
    assert "minute." in text_of(conversation.rate_limited(english, 1))


@pytest.mark.parametrize("lang", ["en", "es", "fr", "ar"])
@pytest.mark.parametrize("word", ["help", "privacy", "menu", "language", "delete", "stop"])
def test_every_fixed_reply_fits_one_sms_page_in_every_language(
    conversation: Conversation, lang: str, word: str
) -> None:
    say(conversation, "hello")
    reply = conversation.handle(Inbound(Channel.SMS, "u1", "", option_id=f"l:{lang}"))
    assert reply is not None and reply.language == lang
    reply = say(conversation, word)
    pages = render_sms_pages(reply)
    # HELP leads with the call line, and may take the two pages an urgent reply has.
    assert len(pages) <= (2 if word == "help" else 1), [p.text for p in pages]
    assert all(page.measure.segments <= 3 for page in pages)


def test_danger_is_answered_even_while_a_deletion_waits_for_confirmation(
    conversation: Conversation,
) -> None:
    say(conversation, "hello")
    say(conversation, "delete")
    assert say(conversation, "help me now he has a knife").urgent


def test_danger_is_answered_even_after_opting_out(conversation: Conversation) -> None:
    say(conversation, "hello")
    say(conversation, "stop")
    assert conversation.handle(Inbound(Channel.SMS, "u1", "my boss did not pay me")) is None
    assert say(conversation, "help me now he has a knife").urgent


def test_an_emergency_number_typed_alone_gets_the_urgent_answer(
    conversation: Conversation,
) -> None:
    assert say(conversation, "999", country="BH").urgent


def test_only_a_start_word_ends_an_opt_out(conversation: Conversation) -> None:
    say(conversation, "hola", country="MX")
    say(conversation, "parar")
    assert conversation.handle(Inbound(Channel.SMS, "u1", "vale")) is None
    assert say(conversation, "iniciar").options


def test_an_opted_out_person_can_still_erase_everything(
    conversation: Conversation, store: SqlStore
) -> None:
    say(conversation, "hello")
    say(conversation, "stop")
    say(conversation, "delete")
    say(conversation, "1")
    assert store.load("u1") is None


def test_an_old_more_button_pages_its_own_topic(conversation: Conversation) -> None:
    first = say(conversation, "my boss did not pay me", channel=Channel.TELEGRAM)
    more = next(o.id for o in first.options if o.id.startswith("p:"))
    assert more == "p:unpaid-wages:1"
    say(conversation, "we were evicted and sleep in the street", channel=Channel.TELEGRAM)
    page = conversation.handle(Inbound(Channel.TELEGRAM, "u1", "", option_id=more))
    assert page is not None and page.topic == "unpaid-wages"


def test_back_after_a_typed_question_goes_to_that_topics_category(
    conversation: Conversation,
) -> None:
    say(conversation, "hello")
    say(conversation, "1")
    say(conversation, "my boss did not pay me")
    back = say(conversation, "back")
    assert "t:unpaid-wages" in {o.id for o in back.options}


def test_unanswered_questions_are_kept_without_numbers_or_addresses(
    conversation: Conversation, store: SqlStore
) -> None:
    say(conversation, "best pizza recipe? write ana.perez@example.org or +971 50 123 4567")
    [question] = store.unanswered()
    assert "971" not in question.text and "123" not in question.text
    assert "ana" not in question.text and "example" not in question.text


def test_a_language_named_in_the_language_menu_chooses_it(conversation: Conversation) -> None:
    say(conversation, "hello")
    assert say(conversation, "in spanish").language == "es"
    assert say(conversation, "العربية").language == "ar"


def test_a_language_word_inside_a_question_does_not_switch_the_language(
    conversation: Conversation,
) -> None:
    say(conversation, "hola", country="MX")
    say(conversation, "1")  # Español
    reply = say(conversation, "clases de ingles para adultos")
    assert reply.language == "es"


def test_a_newcomers_first_control_word_sets_the_language_it_belongs_to(
    conversation: Conversation,
) -> None:
    assert say(conversation, "detener").language == "es"
    assert say(conversation, "arret", user="u2").language == "fr"


@pytest.mark.parametrize("first", [True, False])
def test_a_plea_that_names_nothing_gets_the_call_line_before_the_menu(
    conversation: Conversation, first: bool
) -> None:
    if not first:
        say(conversation, "hello", country="SA")
        conversation.handle(Inbound(Channel.SMS, "u1", "", option_id="l:tl"))
    reply = say(conversation, "tulong po", country="SA")
    assert reply.blocks[0].kind is BlockKind.URGENT
    assert "999" in reply.blocks[0].text
    assert reply.urgent and reply.topic is None
    # The menu that asks what about: languages for a new sender, categories for a known one.
    assert {o.id[:2] for o in reply.options} == ({"l:"} if first else {"c:"})
    if not first:  # the call line, then the question "what about?": no apology between
        assert [b.kind for b in reply.blocks[:2]] == [BlockKind.URGENT, BlockKind.PROMPT]


def test_a_new_sender_s_call_line_for_possible_danger_is_in_the_language_they_wrote(
    conversation: Conversation, knowledge: Knowledge
) -> None:
    # "tulong po" is too short for a confident language, so no language is chosen for them yet.
    reply = say(conversation, "tulong po", country="SA")
    assert reply.blocks[0].kind is BlockKind.URGENT
    tagalog = call_line(knowledge.content, "tl", "SA")
    assert tagalog != call_line(knowledge.content, "en", "SA")
    assert reply.blocks[0].text == tagalog
