"""The call's language: switched on a clear first turn, kept after it, never moved by a lone "okay"."""

from __future__ import annotations

from gpu_worker.conversation.language_switch import Heard, LanguageSwitch, keypad_menu

SPANISH_TURN = Heard("Hola, se me reventó un tubo en la cocina", "es", 0.97)


def bilingual() -> LanguageSwitch:
    return LanguageSwitch(enabled=("en", "es"))


def test_a_clear_spanish_first_turn_switches_the_call() -> None:
    # GIVEN a business that serves English and Spanish WHEN the first turn is clearly Spanish
    switch = bilingual()
    change = switch.judge(SPANISH_TURN)
    assert change is not None
    switch.apply(change)
    # THEN the call is in Spanish and the log says why and when
    assert switch.language == "es"
    assert [(c.turn, c.from_language, c.to_language, c.reason) for c in switch.log] == [(0, "en", "es", "detected")]


def test_an_unsure_or_shared_word_first_turn_keeps_the_business_language() -> None:
    switch = bilingual()
    # WHEN the detector is unsure, or the caller only says "okay" (the same word in both languages)
    assert switch.judge(Heard("Bueno, mire, tengo un problema", "es", 0.6)) is None
    assert switch.judge(Heard("Okay.", "es", 0.99)) is None
    assert switch.judge(Heard("Hola.", "es", 0.9)) is None  # one word needs more certainty
    # THEN nothing switched; a sure one-word "hola" does
    assert switch.language == "en"
    assert switch.judge(Heard("Hola.", "es", 0.98)) is not None


def test_after_the_first_turn_one_stray_turn_does_not_flip_the_call() -> None:
    # GIVEN a call that switched to Spanish on its first turn
    switch = bilingual()
    change = switch.judge(SPANISH_TURN)
    assert change is not None
    switch.apply(change)
    switch.committed(SPANISH_TURN)
    # WHEN the next turn is detected as English (a name, a short answer)
    stray = Heard("Maria Lopez, okay thank you", "en", 0.93)
    assert switch.judge(stray) is None
    switch.committed(stray)
    # THEN only a second clearly English turn running moves it back
    again = Heard("Sorry, can we speak English please", "en", 0.96)
    back = switch.judge(again)
    assert back is not None
    assert (back.to_language, back.turn) == ("en", 2)


def test_a_language_the_business_does_not_serve_is_never_switched_to() -> None:
    switch = bilingual()
    assert switch.judge(Heard("Bonjour, j'ai une fuite d'eau dans la cuisine", "fr", 0.99)) is None
    assert LanguageSwitch(enabled=("en",)).judge(SPANISH_TURN) is None


def test_the_keypad_chooses_the_language_and_detection_stops() -> None:
    # GIVEN the menu "para español, oprima dos"
    assert keypad_menu(("en", "es")) == {"1": "en", "2": "es"}
    switch = bilingual()
    # WHEN the caller presses 2
    change = switch.keypad("2")
    assert change is not None
    switch.apply(change)
    # THEN the call is in Spanish and an English-sounding turn no longer moves it
    assert switch.language == "es"
    assert not switch.detects
    assert switch.judge(Heard("My name is John Smith and I live here", "en", 0.99)) is None
    assert switch.keypad("0") is None
