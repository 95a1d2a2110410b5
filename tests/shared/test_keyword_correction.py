"""Keyword corrections applied to transcripts: whole words, any case, literal text, first rule wins."""

from __future__ import annotations

from shared.keyword_correction import CorrectionRule, KeywordCorrector


def corrector(*pairs: tuple[str, str]) -> KeywordCorrector:
    return KeywordCorrector(CorrectionRule(heard, corrected) for heard, corrected in pairs)


def test_misheard_words_are_corrected_in_any_case() -> None:
    # GIVEN the demo corrections WHEN a transcript with misheard words is corrected THEN they are fixed
    fix = corrector(("quogged", "clogged"), ("leek", "leak"))
    assert fix.apply("My sink is Quogged and there is a LEEK.") == "My sink is clogged and there is a leak."


def test_only_whole_words_are_replaced() -> None:
    # GIVEN a rule for "leek" WHEN the text has "leeks" and "sleek" THEN they stay as they are
    assert corrector(("leek", "leak")).apply("sleek leeks, one leek") == "sleek leeks, one leak"


def test_the_longest_phrase_wins_over_a_word_inside_it() -> None:
    # GIVEN rules for "heeter" and "water heeter" WHEN both could match THEN the phrase is used
    fix = corrector(("heeter", "heater"), ("water heeter", "water heater (tank)"))
    assert fix.apply("the water heeter and the heeter") == "the water heater (tank) and the heater"


def test_special_characters_are_taken_literally() -> None:
    # GIVEN rules containing regex characters WHEN applied THEN they match only literally
    fix = corrector(("p.trap", "P-trap"), ("c++", "C plus plus"))
    assert fix.apply("a p.trap, a pXtrap and c++") == "a P-trap, a pXtrap and C plus plus"
    assert fix.apply("a\\1 b") == "a\\1 b"


def test_the_first_rule_for_a_word_wins() -> None:
    # GIVEN a business rule listed before a global rule for the same word
    fix = corrector(("sump bump", "sump pump"), ("Sump Bump", "something else"))
    # WHEN applied THEN the business rule is used
    assert fix.apply("my sump bump is loud") == "my sump pump is loud"


def test_without_rules_the_text_is_unchanged() -> None:
    # GIVEN no rules WHEN applied THEN the text comes back as it was
    assert corrector().apply("My sink is quogged.") == "My sink is quogged."
