"""The demo plumbing business `buddyhelps seed-demo` creates: what a newcomer's first call talks to."""

from __future__ import annotations

DEMO_BUSINESS_ID = "biz_demo_plumbing"
DEMO_NUMBER = "+15550100001"
DEMO_OWNER_PHONE = "+15550109999"
DEMO_OWNER_EMAIL = "owner@demo-plumbing.example"
DEMO_NAME = "Demo Plumbing Co"

DEMO_SYSTEM_PROMPT = (
    "You are the friendly phone receptionist for Demo Plumbing Co, a family plumbing business. "
    "Your job is to take a message for the plumber: the caller's name, the problem, how urgent it is, "
    "the address, and a callback number. Ask for one missing detail at a time. "
    "Never promise prices, arrival times or appointments: say the plumber will call back to arrange that. "
    "Opening hours: Monday to Friday 7am to 6pm, emergencies around the clock."
)
DEMO_GREETING = "Thanks for calling Demo Plumbing. This is the virtual receptionist. How can I help you today?"

DEMO_CORRECTIONS = (
    ("quogged", "clogged"),
    ("leek", "leak"),
    ("water heeter", "water heater"),
    ("p trap", "P-trap"),
    ("sump bump", "sump pump"),
)
