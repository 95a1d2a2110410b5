"""English."""

from __future__ import annotations

import re

from shared.agents.fields.lexicons.lexicon import Lexicon

_I = re.IGNORECASE
_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
_TEENS = "seventeen eighteen nineteen"
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUMBERS = {word: value for value, word in enumerate(f"{_UNITS} {_TEENS}".split())}
_NUMBERS |= _TENS | {"hundred": 100, "thousand": 1000, "a": 1}

_COMMON = """a an the and or but so if at in on of to for from with by about as up out off over into here there
    this that these those it its it's i i'm me my mine we our us you your he she they them his her their
    is am are was were be been being do does did have has had having would can could should might
    must not no yes yeah yep ok okay sure well just really very still also too only even again now then
    calling call called worried afraid sorry glad happy good fine great hoping trying looking going getting
    having wondering ringing phoning home back away done ready new old here's there's what who where when
    why how which because hi hello hey um uh er oh thanks thank please help need needs want wants like
    leaking leak burst flooding flooded clogged broken water pipe pipes toilet sink drain heater gas smell
    problem issue emergency urgent kitchen bathroom basement house home apartment office message
    monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight morning afternoon
    evening january february march july august september october november december
    street st avenue ave road rd lane drive dr court way boulevard blvd place number phone name"""

# Words just before a spoken hour that make it a time ("at six in the morning"): clock_text.py
_HOUR_LEADS = """at from to till til until through thru by around about after before between
    open opens close closes opening closing"""

ENGLISH = Lexicon(
    language="en",
    numbers=_NUMBERS,
    multipliers=frozenset({"hundred", "thousand"}),
    zero_letters=frozenset({"oh", "o"}),
    repeats={"double": 2, "triple": 3},
    yes=re.compile(
        r"\b(yes|yeah|yep|yup|yea|ya|sure|correct|right|exactly|perfect|absolutely|definitely|ok|okay|"
        r"uh[- ]?huh|mm[- ]?hm+|that works|sounds good|looks good|fine|good|please do|go ahead|all good|"
        r"that's me|speaking|i will|i do|i can|i am|we do|we are|we have|of course)\b",
        _I,
    ),
    no=re.compile(
        r"\b(no|nope|nah|wrong|incorrect|not (right|correct|quite|it)|isn't right|actually|wait|change|"
        r"hold on|instead|different|another|i don't|i do not|we don't|we do not|i can't|i won't|not really)\b",
        _I,
    ),
    not_no=re.compile(r"\bno (problem|worries)\b|\bnot a problem\b", _I),
    dont_know=re.compile(
        r"\b(i don't know|i do not know|don't know|not sure|no idea|i'm not sure|can't remember|couldn't tell you|"
        r"don't remember|do not remember|can't recall|"
        r"i couldn't say|no clue|i'd have to check)\b",
        _I,
    ),
    refuse=re.compile(
        r"\b(i'd rather not|rather not say|i won't|not going to tell|none of your business|can't give that out|"
        r"can't share|not allowed to (say|share|give)|prefer not|we don't give)\b",
        _I,
    ),
    negated_before=re.compile(
        r"\b(not|isn't|is not|no|nothing|never|wasn't|aren't)\b(\s+(an?|really|too|that|very|so|at all))*\s*$", _I
    ),
    this_number=re.compile(
        r"\b(this|same|the same|this phone) (number|phone)\b|\bnumber (i'?m|i am) calling (from|on)\b"
        r"|\bcalling from\b|\bnumber you (have|see|got)\b",
        _I,
    ),
    weekdays={
        "monday": 0,
        "tuesday": 1,
        "wednesday": 2,
        "thursday": 3,
        "friday": 4,
        "saturday": 5,
        "sunday": 6,
        "mon": 0,
        "tue": 1,
        "tues": 1,
        "wed": 2,
        "thu": 3,
        "thurs": 3,
        "fri": 4,
        "sat": 5,
        "sun": 6,
    },
    months={
        "january": 1,
        "february": 2,
        "march": 3,
        "april": 4,
        "may": 5,
        "june": 6,
        "july": 7,
        "august": 8,
        "september": 9,
        "october": 10,
        "november": 11,
        "december": 12,
        "jan": 1,
        "feb": 2,
        "mar": 3,
        "apr": 4,
        "jun": 6,
        "jul": 7,
        "aug": 8,
        "sep": 9,
        "sept": 9,
        "oct": 10,
        "nov": 11,
        "dec": 12,
    },
    relative_days={"day after tomorrow": 2, "today": 0, "tonight": 0, "tomorrow": 1},
    next_words=frozenset({"next", "this", "coming"}),
    noon=frozenset({"noon", "midday"}),
    midnight=frozenset({"midnight"}),
    morning=re.compile(r"\b(a\.?m\.?|in the morning|this morning|morning)\b", _I),
    evening=re.compile(r"\b(p\.?m\.?|in the (afternoon|evening)|at night|tonight|afternoon|evening)\b", _I),
    half=re.compile(r"\bhalf past\b", _I),
    quarter_past=re.compile(r"\b(a )?quarter (past|after)\b", _I),
    quarter_to=re.compile(r"\b(a )?quarter (to|till|of)\b", _I),
    time_lead=re.compile(r"\b(at|around|about|by|from|after|before)\s*$", _I),
    explicit_name=re.compile(r"\b(?:my name is|my name's|name's|name is|call me)\s+(.+)", _I),
    implicit_name=re.compile(r"\b(?:this is|i'm|i am|it's|it is)\s+(.+)", _I),
    name_filler=re.compile(
        r"^(?:(?:yeah|yes|yep|sure|ok|okay|um+|uh+|er|hi|hello|hey|so|well|oh|it's|it is|this is|my name is|"
        r"my name's|name's|i'm|i am|call me)\b[\s,.!]*)+",
        _I,
    ),
    name_intro_then=re.compile(r"^(?:my name is|my name's|name's|this is)\s+(?:[\w'\-]+\s+){1,3}?and\s+", _I),
    common_words=frozenset(_COMMON.split()),
    street_suffix=(
        r"(?i:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|parkway|pkwy|highway|hwy|terrace|"
        r"crescent)|(?:Court|Ct|Way|Place|Pl|Circle|Cir|Trail|Close|Square|Loop|Row|Path|Pike|Alley)"
    ),
    address_lead=re.compile(
        r"^(?:(?:yeah|yes|sure|ok|okay|um+|uh+|so|well|it's|it is|the address is|address is|my address is|"
        r"i'm at|i am at|we're at|we are at|i live at|we live at|at)\b[\s,.!]*)+",
        _I,
    ),
    currency_words={"dollars": "USD", "dollar": "USD", "bucks": "USD", "usd": "USD"},
    currency_names={"USD": "dollars", "CAD": "dollars", "EUR": "euros", "MXN": "pesos", "GBP": "pounds"},
    cents_words=frozenset({"cents", "cent"}),
    weekday_names=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    month_names=(
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    date_format="{weekday}, {month} {day}",
    time_format="{hour}{minutes} {period}",
    periods=("AM", "PM", "PM"),
    and_word="and",
    hour_periods={
        "in the morning": "AM",
        "in the afternoon": "PM",
        "in the evening": "PM",
        "at night": "night",
    },
    hour_leads=frozenset(_HOUR_LEADS.split()),
    range_words=("to", "till", "til", "'til", "until", "through", "thru"),  # the first is said between two times
)
