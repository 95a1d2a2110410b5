"""ConversationPolicy: what the receptionist does next, turn by turn, over whole calls."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from gpu_worker.conversation.call_slots import Asked, CallSlots, update_slots
from gpu_worker.conversation.conversation_policy import (
    BusinessProfile,
    ConversationPolicy,
    TurnPlan,
    is_backchannel,
    is_goodbye,
)
from gpu_worker.models.stages import ChatMessage

PROFILE = BusinessProfile(
    business_name="Acme Plumbing",
    system_prompt="You answer the phone for Acme Plumbing, a family plumber in Springfield.",
    greeting="Thanks for calling Acme Plumbing, how can I help?",
    caller_id="+15550100123",
    mode="demo",
)


@dataclass
class Call:
    """Drives the policy like the call session does: STT text → update_slots → plan_turn → history."""

    policy: ConversationPolicy
    caller_id: str
    slots: CallSlots = field(default_factory=CallSlots)
    asked: Asked = None
    history: list[ChatMessage] = field(default_factory=lambda: [ChatMessage("assistant", PROFILE.greeting)])

    def say(self, text: str) -> TurnPlan:
        previous = self.slots
        self.slots = update_slots(previous, text, caller_id=self.caller_id, asked=self.asked)
        plan = self.policy.plan_turn(slots=self.slots, previous=previous, caller_text=text, history=tuple(self.history))
        self.asked = plan.asked
        reply = plan.text if plan.kind != "llm" else "Sure, and what's next?"
        self.history += [ChatMessage("user", text), ChatMessage("assistant", reply)]
        return plan


def new_call(profile: BusinessProfile = PROFILE, *, scripted_questions: bool = False) -> Call:
    policy = ConversationPolicy(profile=profile, scripted_questions=scripted_questions)
    return Call(policy=policy, caller_id=profile.caller_id)


def test_whole_emergency_call() -> None:
    # GIVEN a caller with a burst pipe
    call = new_call()
    # WHEN they describe it
    first = call.say("Hi, my kitchen pipe burst and there's water everywhere!")
    # THEN the safety line comes first and the LLM asks only for the name
    assert first.kind == "llm"
    assert first.safety_line == "If you can, turn off the main water shut-off valve."
    assert first.asked == "name"
    assert 'ask exactly: "Could I get your name, please?"' in first.messages[-1].content
    # WHEN they give their name, THEN the address is asked (no second safety line)
    second = call.say("Bob Smith")
    assert (second.kind, second.asked, second.safety_line) == ("llm", "address", "")
    # WHEN they give the address, THEN the caller id is offered as the callback number, digit by digit
    third = call.say("It's 12 Oak Street")
    assert (third.kind, third.asked) == ("scripted", "callback_confirm")
    assert third.text == "Is the number you're calling from, ending in 0 1 2 3, the best one to reach you?"
    # WHEN they accept it, THEN everything is read back
    fourth = call.say("yes")
    assert (fourth.kind, fourth.asked) == ("scripted", "readback")
    assert fourth.text == (
        "Let me read that back: Bob Smith at 12 Oak Street, your kitchen pipe burst and there's water "
        "everywhere, and we'll call you at 5 5 5, 0 1 0, 0 1 2 3. Is that right?"
    )
    # WHEN they confirm, THEN the call ends with a goodbye promising a call back right away
    last = call.say("Yes, that's right.")
    assert last.kind == "end_call"
    assert last.text == "Thanks, Bob. Acme Plumbing will call you back right away. Goodbye."


def test_readback_correction_reads_back_again() -> None:
    # GIVEN a call at the readback
    call = new_call()
    for line in ["my toilet is clogged", "Bob Smith", "It's 12 Oak Street", "yes"]:
        plan = call.say(line)
    assert plan.asked == "readback"
    # WHEN the caller corrects the address
    again = call.say("no, it's 14 Oak Street")
    # THEN the corrected details are read back
    assert again.asked == "readback"
    assert "14 Oak Street" in again.text
    # WHEN they only say it is wrong, THEN the LLM asks what to correct (answer handled as a readback reply)
    fix = call.say("no that's wrong")
    assert (fix.kind, fix.asked) == ("llm", "readback")
    assert "What should I correct?" in fix.messages[-1].content


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "I smell gas in the basement",
            "If you smell gas, please leave the house now and call your gas company or 911 from outside.",
        ),
        (
            "sewage is backing up into my basement",
            "Please keep everyone away from the sewage and don't use the drains.",
        ),
        ("the carbon monoxide alarm is going off", "Get everyone outside and call 911."),
    ],
)
def test_safety_line_for_each_hazard(text: str, line: str) -> None:
    # GIVEN a caller reporting a dangerous problem
    call = new_call()
    # WHEN they describe it
    plan = call.say(text)
    # THEN the matching safety line is spoken first
    assert plan.safety_line == line


def test_safety_line_only_once() -> None:
    # GIVEN an emergency already detected
    call = new_call()
    assert call.say("I smell gas").safety_line
    # WHEN the caller mentions it again
    plan = call.say("yes the gas smell is strong, I'm Maria")
    # THEN it is not repeated
    assert plan.safety_line == ""


def test_first_turn_without_a_problem_asks_what_is_wrong() -> None:
    # GIVEN a caller who only says hello
    call = new_call()
    # WHEN planned
    plan = call.say("Hi there")
    # THEN the LLM asks about the problem, with a scripted fallback line
    assert (plan.kind, plan.asked) == ("llm", "problem")
    assert 'ask exactly: "What can we help you with today?"' in plan.messages[-1].content
    assert plan.text == "What can we help you with today?"


def test_state_note_only_in_last_user_message_and_system_message_stable() -> None:
    # GIVEN a call over three turns
    call = new_call()
    plans = [call.say(text) for text in ["my pipe is leaking", "Bob Smith", "88 Birch Road"]]
    llm_plans = [plan for plan in plans if plan.kind == "llm"]
    # WHEN the LLM messages are inspected
    system_messages = {plan.messages[0] for plan in llm_plans}
    # THEN the system message is the same every turn and holds no per-turn state
    assert len(llm_plans) == 2
    assert system_messages == {call.policy.system_message()}
    assert "Known:" not in call.policy.system_message().content
    assert call.policy.system_message().content.startswith(PROFILE.system_prompt)
    for plan in llm_plans:
        # AND only the last user message carries the state note; earlier turns are the caller's words
        assert plan.messages[-1].role == "user"
        assert "[Known:" in plan.messages[-1].content
        assert all("[Known:" not in message.content for message in plan.messages[:-1])
    # AND the second prompt starts with every message of the first except its last (KV cache prefix)
    first, second = llm_plans
    assert second.messages[: len(first.messages) - 1] == first.messages[:-1]


def test_system_message_rules_are_short() -> None:
    # GIVEN a business with no prompt of its own
    policy = ConversationPolicy(profile=BusinessProfile("Acme Plumbing", "", "Hi", "", "live"))
    # WHEN the system message is built
    content = policy.system_message().content
    # THEN it is just the fixed rules, under 120 words
    assert "Acme Plumbing" in content
    assert len(content.split()) <= 120


def test_state_note_lists_known_and_missing() -> None:
    # GIVEN an emergency described
    call = new_call()
    # WHEN planned
    note = call.say("a pipe burst in the kitchen").messages[-1].content
    # THEN the note names what is known and what is missing
    assert note.startswith(
        "a pipe burst in the kitchen\n[Known: problem=a pipe burst in the kitchen; urgency=emergency."
    )
    assert "Missing: name, address, callback number." in note
    assert note.endswith("Do not give prices, times, phone numbers or appointments.]")


@pytest.mark.parametrize("goodbye", ["bye", "Okay, thanks, bye!", "I have to go", "that's all, goodbye"])
def test_caller_goodbye_early_ends_with_a_callback_promise(goodbye: str) -> None:
    # GIVEN a call with the problem known but details missing
    call = new_call()
    call.say("my toilet is clogged")
    # WHEN the caller says goodbye
    plan = call.say(goodbye)
    # THEN the call ends politely, promising a call back at this number
    assert plan.kind == "end_call"
    assert plan.text == "No problem. Acme Plumbing will call you back at this number as soon as possible. Goodbye."


def test_caller_goodbye_without_caller_id() -> None:
    # GIVEN a withheld caller id
    call = new_call(BusinessProfile("Acme Plumbing", "", "Hi", "anonymous", "live"))
    # WHEN the caller hangs up early
    plan = call.say("actually never mind, bye")
    # THEN no call back is promised
    assert plan.text == "No problem. Thanks for calling Acme Plumbing. Goodbye."


def test_without_caller_id_the_llm_asks_for_a_number() -> None:
    # GIVEN a withheld caller id and name and address known
    call = new_call(BusinessProfile("Acme Plumbing", "", "Hi", "", "live"))
    call.say("This is Maria, I smell gas at 5 Elm Street")
    # WHEN the next turn is planned
    plan = call.say("okay I'm outside now")
    # THEN the callback number is asked in words
    assert (plan.kind, plan.asked) == ("llm", "callback")


def test_declined_caller_id_then_asks_for_a_number() -> None:
    # GIVEN the callback check was asked
    call = new_call()
    for line in ["my toilet is clogged", "Bob Smith", "It's 12 Oak Street"]:
        plan = call.say(line)
    assert plan.asked == "callback_confirm"
    # WHEN the caller says no without giving a number
    plan = call.say("no, not that one")
    # THEN the number is asked for
    assert (plan.kind, plan.asked) == ("llm", "callback")


def test_a_slot_that_never_comes_is_asked_twice_then_skipped() -> None:
    # GIVEN a caller who will not give their name
    call = new_call()
    assert call.say("my toilet is clogged").asked == "name"
    # WHEN they dodge the question twice
    assert call.say("why do you need that?").asked == "name"
    plan = call.say("I'd rather not say")
    # THEN the call moves on to the address
    assert plan.asked == "address"


def test_silence_escalation() -> None:
    # GIVEN a call where the name was just asked
    call = new_call()
    call.say("my toilet is clogged")
    # WHEN the caller is silent once, then again
    first = call.policy.silence_prompt(slots=call.slots, count=1)
    second = call.policy.silence_prompt(slots=call.slots, count=2)
    # THEN they are asked again, then the call ends politely
    assert (first.kind, first.asked) == ("scripted", "name")
    assert first.text == "Are you still there? Could I get your name, please?"
    assert second.kind == "end_call"
    assert second.text.endswith("Goodbye.")


def test_transfer_promises_a_person_and_continues() -> None:
    # GIVEN a call where the address was just asked
    call = new_call()
    call.say("my toilet is clogged")
    call.say("Bob Smith")
    # WHEN the caller presses 0
    plan = call.policy.transfer_plan()
    # THEN a call back from a person is promised and the question is asked again
    assert (plan.kind, plan.asked) == ("scripted", "address")
    assert "someone call you back as soon as possible" in plan.text
    assert plan.text.endswith("What's the address where you need the work done?")


def test_routine_goodbye_says_shortly() -> None:
    # GIVEN a routine job confirmed
    call = new_call()
    for line in ["I'd like a quote for a new faucet", "Ann Lee", "3 Pine Lane", "yes"]:
        call.say(line)
    # WHEN the caller confirms the readback
    plan = call.say("yep")
    # THEN the goodbye says shortly, not right away
    assert plan.text == "Thanks, Ann. Acme Plumbing will call you back shortly. Goodbye."


def test_scripted_questions_when_the_caller_answered() -> None:
    # GIVEN a policy for a small model that asks its questions word for word
    call = new_call(scripted_questions=True)
    # WHEN the caller describes the problem, then gives their name
    first = call.say("my kitchen pipe burst")
    second = call.say("Bob Smith")
    # THEN each next question is scripted with a short acknowledgement, and the safety line still comes first
    assert (first.kind, first.asked, first.text) == (
        "scripted",
        "name",
        "I'm sorry to hear that. Could I get your name, please?",
    )
    assert first.safety_line == "If you can, turn off the main water shut-off valve."
    assert (second.kind, second.asked) == ("scripted", "address")
    assert second.text == "Thanks, Bob. What's the address where you need the work done?"


def test_scripted_questions_leave_off_script_turns_to_the_llm() -> None:
    # GIVEN a scripted-questions call where the name was asked
    call = new_call(scripted_questions=True)
    call.say("my toilet is clogged")
    # WHEN the caller says something unexpected instead of answering
    plan = call.say("Honestly this whole week has been a disaster for us.")
    # THEN the LLM replies, and still asks for the name
    assert (plan.kind, plan.asked) == ("llm", "name")


def test_a_question_about_time_or_price_gets_the_honest_answer_without_the_llm() -> None:
    # GIVEN a scripted-questions call where the name was asked
    call = new_call(scripted_questions=True)
    call.say("my toilet is clogged")
    # WHEN the caller asks what only the business can answer
    plan = call.say("How much is this going to cost? Can someone come today?")
    # THEN the agent says the business will call back about it, promises nothing, and asks for the name
    assert (plan.kind, plan.asked) == ("scripted", "name")
    assert "call you back" in plan.text
    assert "$" not in plan.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ok", True),
        ("Okay.", True),
        ("mm-hm", True),
        ("Mhm, mhm.", True),
        ("uh-huh", True),
        ("yeah yeah", True),
        ("Got it.", True),
        ("I see", True),
        ("alright, sure", True),
        ("", False),
        ("okay but the pipe is still leaking", False),
        ("no", False),
        ("wait", False),
    ],
)
def test_is_backchannel(text: str, expected: bool) -> None:
    # GIVEN something the caller said during playback
    # WHEN classified
    # THEN only listening noises count as backchannel
    assert is_backchannel(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bye", True),
        ("Goodbye!", True),
        ("that's all, thanks", True),
        ("thanks, bye", True),
        ("I have to go", True),
        ("I have to go to work soon but the water heater is leaking all over the garage floor", False),
        ("my name is Abby", False),
        ("that's it, it just keeps leaking", False),
        ("Thanks, that's everything.", True),
        ("the pipe is leaking", False),
    ],
)
def test_is_goodbye(text: str, expected: bool) -> None:
    # GIVEN a caller utterance
    # WHEN classified
    # THEN only an ending counts as goodbye
    assert is_goodbye(text) == expected


def test_a_number_that_did_not_come_through_is_asked_again_not_guessed() -> None:
    # GIVEN a scripted-questions call that has reached the callback number
    call = new_call(scripted_questions=True)
    call.say("my toilet is clogged")
    call.say("My name is Sam Reed.")
    call.say("I'm at 9 Birch Lane.")
    # WHEN, asked about their caller ID, they give a number that speech-to-text mangled (11 digits)
    plan = call.say("You can call me back at 5505-5550-123.")
    # THEN the agent asks for the number again, by script
    assert (plan.kind, plan.asked) == ("scripted", "callback")
    assert "number" in plan.text
