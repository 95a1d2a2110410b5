"""ClauseSplitter: speakable clauses out of a streamed reply, as early as possible."""

from __future__ import annotations

import pytest

from gpu_worker.conversation.clause_splitter import ClauseSplitter, clean_for_speech


def split(text: str, *, step: int = 1, **options: int) -> list[str]:
    """Feed `text` in `step`-character deltas, then flush; every clause in order."""
    splitter = ClauseSplitter(**options)
    clauses: list[str] = []
    for start in range(0, len(text), step):
        clauses += splitter.push(text[start : start + step])
    rest = splitter.flush()
    return [*clauses, rest] if rest is not None else clauses


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Okay, got it. Could I get your name, please?", ["Okay, got it.", "Could I get your name, please?"]),
        (
            "It will cost about $1,200, or maybe 3.5 hours from 10:30 tomorrow.",
            ["It will cost about $1,200,", "or maybe 3.5 hours from 10:30 tomorrow."],
        ),
        (
            "Dr. Smith can come at 9 a.m. on Main St. tomorrow. Is that okay?",
            ["Dr. Smith can come at 9 a.m. on Main St. tomorrow.", "Is that okay?"],
        ),
        (
            "Call us at 555-123-4567 or 555.123.4567 anytime today.",
            ["Call us at 555-123-4567 or 555.123.4567 anytime today."],
        ),
        (
            "Your number is 5 5 5, 1 2 3, 0 1 2 3. Is that right?",
            ["Your number is 5 5 5, 1 2 3, 0 1 2 3.", "Is that right?"],
        ),
        (
            "Use e.g. a plunger or i.e. the cheap kind. Thanks a lot!",
            ["Use e.g. a plunger or i.e. the cheap kind.", "Thanks a lot!"],
        ),
        ("Wait... what happened? Tell me more.", ["Wait...", "what happened?", "Tell me more."]),
    ],
)
def test_cuts_at_sentence_ends_but_never_inside_numbers_or_abbreviations(reply: str, expected: list[str]) -> None:
    # GIVEN a reply streamed one character at a time
    # WHEN it is split
    clauses = split(reply)
    # THEN it is cut only where a listener hears a break
    assert clauses == expected


def test_first_clause_cut_at_a_comma_once_it_has_three_words() -> None:
    # GIVEN a reply whose first comma comes after one word and the next after three
    splitter = ClauseSplitter()
    # WHEN it streams in
    early = splitter.push("Hi, I'm Sarah,")
    clauses = splitter.push(" what")
    # THEN nothing is cut at "Hi," and the first clause is out as soon as the next character arrives
    assert early == []
    assert clauses == ["Hi, I'm Sarah,"]


def test_later_clauses_need_min_words_before_a_comma_cut() -> None:
    # GIVEN a first sentence, then a sentence with a comma after 3 words and another after 8
    reply = "Sure thing. Got it, okay, I will pass that on to the plumber, right away for you."
    # WHEN split
    clauses = split(reply)
    # THEN the short comma phrases stay together until the clause reaches six words
    assert clauses == ["Sure thing.", "Got it, okay, I will pass that on to the plumber,", "right away for you."]


def test_dashes_are_boundaries_and_spoken_as_commas() -> None:
    # GIVEN a reply with an em dash after enough words
    # WHEN split
    clauses = split("I understand completely — let's get someone out to you as soon as possible.")
    # THEN it is cut at the dash, which TTS gets as a comma
    assert clauses == ["I understand completely,", "let's get someone out to you as soon as possible."]


def test_number_ranges_with_dashes_are_not_cut() -> None:
    # GIVEN a range written with an en dash
    # WHEN split
    clauses = split("A plumber usually gets there in 10–12 minutes or so.", first_clause_min_words=1)
    # THEN the range stays whole and reads as a range
    assert clauses == ["A plumber usually gets there in 10 to 12 minutes or so."]


def test_a_boundary_waits_for_the_next_character() -> None:
    # GIVEN a delta ending on a period (it could still become "3.5")
    splitter = ClauseSplitter()
    # WHEN the digit arrives next
    first = splitter.push("It takes about 3.")
    second = splitter.push("5 hours.")
    # THEN nothing was cut at "3." and the sentence is whole at the end
    assert first == []
    assert second == []
    assert splitter.flush() == "It takes about 3.5 hours."


def test_markdown_emoji_and_list_markers_are_stripped() -> None:
    # GIVEN a reply formatted like a chat answer
    reply = "**Sure!** Here are the steps:\n1. Turn off the *main* valve\n2. Open a tap 😀\n- Then call us back today"
    # WHEN split
    clauses = split(reply)
    # THEN TTS gets plain words only, one item per clause
    assert clauses == [
        "Sure!",
        "Here are the steps:",
        "Turn off the main valve",
        "Open a tap",
        "Then call us back today",
    ]


def test_tiny_trailing_fragment_is_merged_into_the_previous_clause() -> None:
    # GIVEN a reply ending with a one-word sentence after a held clause
    # WHEN split
    clauses = split("Thanks, Bob. Acme Plumbing will call you back shortly. Goodbye.")
    # THEN "Goodbye." is not synthesized on its own
    assert clauses == ["Thanks, Bob.", "Acme Plumbing will call you back shortly. Goodbye."]


def test_later_clause_is_released_once_the_next_has_two_words() -> None:
    # GIVEN a first clause already out and a second completed
    splitter = ClauseSplitter()
    assert splitter.push("Okay. I can help with that. ") == ["Okay."]
    # WHEN two words of the next clause arrive
    released = splitter.push("What is")
    # THEN the second clause comes out
    assert released == ["I can help with that."]


@pytest.mark.parametrize("step", [1, 2, 3, 5, 8, 1000])
def test_result_does_not_depend_on_how_the_stream_is_chunked(step: int) -> None:
    # GIVEN the same reply arriving in deltas of different sizes
    reply = "Hi, I'm Sarah, what's your name? It costs $1,200, roughly. Call 555-123-4567, ok?"
    # WHEN split
    # THEN the clauses are the same as character by character
    assert split(reply, step=step) == split(reply, step=1)


def test_empty_and_symbol_only_streams_produce_nothing() -> None:
    # GIVEN streams with nothing speakable
    # WHEN split
    # THEN no clause comes out
    assert split("") == []
    assert split("** 😀 **") == []


def test_flush_returns_unterminated_text() -> None:
    # GIVEN a reply cut off by max_tokens mid-sentence
    splitter = ClauseSplitter()
    splitter.push("Could I get your")
    # WHEN the stream ends
    # THEN the remainder is spoken, and the splitter is empty afterwards
    assert splitter.flush() == "Could I get your"
    assert splitter.flush() is None


def test_clean_for_speech_reads_hash_numbers_and_links() -> None:
    # GIVEN text with a markdown link and a unit number
    # WHEN cleaned
    # THEN TTS reads the link text and "number"
    assert clean_for_speech("See [our site](http://x.y) for unit #4.") == "See our site for unit number 4."
