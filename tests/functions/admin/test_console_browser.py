"""The console in real Chromium: sign in, add a business, buy a number, edit a prompt and a keyword,
search a transcript, open a call, watch a live call; a screenshot of every page at desktop and phone width.

One browser and one server for the module. Skipped, with the reason, only when Chromium is missing.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.database import open_database
from shared.repositories.businesses import Business, create_business
from shared.repositories.workers import register_worker
from tests.functions.admin.call_seed import seed_call, seed_failed_sms
from tests.functions.admin.conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, AdminSite
from tests.functions.admin.live_server import run_async

pytestmark = pytest.mark.browser
playwright_sync = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots" / "admin"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
Page = playwright_sync.Page
expect = playwright_sync.expect


@pytest.fixture(scope="module")
def page(admin_site: AdminSite) -> Iterator[Page]:
    if CHROMIUM is None:
        print("browser tests skipped: no chromium on PATH (apt-get install chromium)")
        pytest.skip("chromium not found on PATH (apt-get install chromium)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)  # a fresh temporary profile
        context = browser.new_context(base_url=admin_site.base_url, viewport=SIZES["desktop"])
        context.set_default_timeout(10_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def snap(page: Page, name: str) -> None:
    """Full-page screenshots at desktop and phone width; the page must not scroll sideways on a phone."""
    for size_name, size in SIZES.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{size_name}.png"), full_page=True)
        if size_name == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name} scrolls sideways on a phone by {overflow}px"
    page.set_viewport_size(SIZES["desktop"])


def _seed_business(site: AdminSite, name: str) -> Business:
    async def make() -> Business:
        db = await open_database(site.settings.database_url)
        try:
            return await create_business(db, name=name, owner_phone="+15125556000")
        finally:
            await db.close()

    return run_async(make)


def test_sign_in_redirects_back_to_the_page_asked_for(page: Page):
    # GIVEN an operator who opens the numbers page without a session
    page.goto("/admin/numbers")
    # THEN they see the sign-in form, and a wrong password is explained
    expect(page).to_have_url(re.compile(r"/admin/login\?next=%2Fadmin%2Fnumbers$"))
    snap(page, "login")
    page.get_by_label("Email").fill(OPERATOR_EMAIL)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    # WHEN they sign in correctly
    page.get_by_label("Password").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # THEN they land on the page they asked for, signed in
    expect(page).to_have_url(re.compile(r"/admin/numbers$"))
    expect(page.locator(".who")).to_have_text(OPERATOR_EMAIL)


def test_add_a_business_and_fix_a_form_error(page: Page):
    page.goto("/admin/businesses")
    form = page.locator("#new-business")
    # WHEN a business is added with a bad phone number
    form.get_by_label("Name").fill("Lone Star Plumbing")
    form.get_by_label("Owner phone").fill("12")
    form.get_by_label("Owner email").fill("owner@lonestar.example")
    form.get_by_label("Greeting").fill("Thanks for calling Lone Star Plumbing!")
    form.get_by_role("button", name="Add business").click()
    # THEN the error is explained and what was typed is kept
    expect(page.locator(".errors")).to_contain_text("owner phone")
    expect(page.locator("#new-business").get_by_label("Name")).to_have_value("Lone Star Plumbing")
    snap(page, "businesses-error")
    # WHEN the phone is fixed
    page.locator("#new-business").get_by_label("Owner phone").fill("(512) 555-0142")
    page.locator("#new-business").get_by_role("button", name="Add business").click()
    # THEN the business page opens with the number normalised and the greeting kept
    expect(page.locator(".notice")).to_have_text("Created.")
    expect(page.get_by_role("heading", name="Lone Star Plumbing")).to_be_visible()
    expect(page.locator("#edit-business").get_by_label("Owner phone")).to_have_value("+15125550142")
    expect(page.locator("#edit-business").get_by_label("Greeting")).to_have_value(
        "Thanks for calling Lone Star Plumbing!"
    )
    snap(page, "business-edit")
    page.goto("/admin/businesses")
    expect(page.locator("#businesses, table").first).to_contain_text("Lone Star Plumbing")
    snap(page, "businesses")


def test_buy_a_number_through_twilio(page: Page, admin_site: AdminSite):
    business = _seed_business(admin_site, "Number Buyers Plumbing")
    page.goto("/admin/numbers")
    # WHEN the operator searches area code 512 and buys the first number for the business
    page.get_by_label("Area code").fill("512")
    page.get_by_role("button", name="Search").click()
    row = page.locator("#available tbody tr").first
    number = row.locator("input[name=e164]").get_attribute("value")
    assert number
    snap(page, "numbers-search")
    row.get_by_label("Business").select_option(label="Number Buyers Plumbing")
    row.get_by_role("button", name=f"Buy {number}").click()
    # THEN it is listed for the business, and Twilio was asked to buy it with BuddyHelps's webhook
    expect(page.locator(".notice")).to_have_text("Number bought and pointed at BuddyHelps.")
    listed = page.locator("#numbers tbody tr", has_text=number)
    expect(listed).to_contain_text("Number Buyers Plumbing")
    purchase = admin_site.twilio.posts_to("/IncomingPhoneNumbers.json")[-1]
    assert purchase.form["PhoneNumber"] == number
    assert purchase.form["VoiceUrl"].endswith("/incoming-call")
    assert business.id
    snap(page, "numbers")


def test_edit_a_prompt_compare_versions_and_try_it(page: Page, admin_site: AdminSite):
    business = _seed_business(admin_site, "Prompted Plumbing")
    page.goto(f"/admin/businesses/{business.id}/prompts")
    form = page.locator("#prompt-form")
    # WHEN an empty prompt is saved, then two real versions
    form.get_by_label("Greeting").fill("Prompted Plumbing, hello!")
    form.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".errors")).to_contain_text("the system prompt is empty")
    for count, text in enumerate(("Take a message. Be kind.", "Take a message. Be kind. Ask about water damage."), 1):
        page.locator("#prompt-form").get_by_label("System prompt").fill(text)
        page.locator("#prompt-form").get_by_label("Greeting").fill("Prompted Plumbing, hello!")
        page.locator("#prompt-form").get_by_role("button", name="Save as a new version").click()
        expect(page.locator("#versions tbody tr", has_text=f"v{count}")).to_have_count(1)
        expect(page.locator(".notice")).to_have_text("Saved.")
    # THEN both versions are listed and the diff shows the added sentence
    expect(page.locator("#versions tbody tr")).to_have_count(2)
    expect(page.locator("#prompt-diff")).to_contain_text("Ask about water damage.")
    # WHEN a caller's sentence is tried
    page.locator("#try-form").get_by_label("Caller says").fill("My pipes are frozen")
    page.locator("#try-form").get_by_role("button", name="Send").click()
    # THEN the worker's reply shows
    expect(page.locator("#try-reply")).to_have_text("(fake worker) You said: My pipes are frozen")
    snap(page, "prompts")


def test_add_and_edit_a_keyword_correction_with_preview(page: Page):
    page.goto("/admin/keywords")
    form = page.locator("#new-correction")
    form.get_by_label("Heard").fill("quogged")
    form.get_by_label("Corrected").fill("clogged")
    form.get_by_role("button", name="Add").click()
    expect(page.locator(".notice")).to_have_text("Created.")
    # WHEN the correction is edited in its row
    row = page.locator("#corrections tbody tr", has=page.locator("input[value=quogged]"))
    row.get_by_label("Corrected").fill("blocked")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".notice")).to_have_text("Saved.")
    # AND a sentence is previewed
    page.get_by_label("A sentence as heard").fill("the drain is quogged (c.*) again")
    page.get_by_role("button", name="Preview").click()
    # THEN the preview shows the sentence before and after
    expect(page.locator("#preview-before")).to_have_text("the drain is quogged (c.*) again")
    expect(page.locator("#preview-after")).to_have_text("the drain is blocked (c.*) again")
    snap(page, "keywords")


def test_search_a_transcript_and_open_the_call(page: Page, admin_site: AdminSite):
    business = _seed_business(admin_site, "Searchable Plumbing")

    async def seed() -> str:
        db = await open_database(admin_site.settings.database_url)
        try:
            await seed_call(
                db,
                call_sid="CAbrowser2",
                business_id=business.id,
                said=[("caller", "Just a dripping tap in the bathroom")],
                extraction={"customer_name": "Pat Lee", "problem": "dripping tap", "urgency": "routine"},
            )
            call = await seed_call(
                db,
                call_sid="CAbrowser1",
                business_id=business.id,
                said=[
                    ("agent", "Searchable Plumbing, how can I help?"),
                    ("caller", "Our water heater is leaking all over the garage floor"),
                    ("agent", "I'm sorry to hear that. What's the address?"),
                ],
                extraction={
                    "customer_name": "Jordan Diaz",
                    "problem": "leaking water heater",
                    "urgency": "emergency",
                    "location": "12 Elm St",
                    "callback_phone": "+15125557777",
                    "notes": "garage",
                },
                latency_ms=[780, 910],
            )
            await seed_failed_sms(db, call.id)
            return call.id
        finally:
            await db.close()

    call_id = run_async(seed)
    page.goto("/admin/calls")
    # WHEN the operator searches for words the caller said
    page.get_by_label("Search transcripts").fill("garage floor")
    page.get_by_role("button", name="Filter").click()
    # THEN only that call is listed, with the words highlighted
    expect(page.locator("#calls tbody tr")).to_have_count(1)
    expect(page.locator("#calls mark").first).to_have_text(re.compile("garage", re.IGNORECASE))
    snap(page, "calls")
    # WHEN they open it
    page.locator("#calls tbody tr a").first.click()
    expect(page).to_have_url(re.compile(f"/admin/calls/{call_id}$"))
    # THEN the transcript, summary, latency and the failed notification are shown; re-send fixes it
    expect(page.locator("#transcript li")).to_have_count(3)
    expect(page.locator("#extraction")).to_contain_text("leaking water heater")
    expect(page.locator("#latency tbody tr")).to_have_count(2)
    expect(page.locator("#notifications")).to_contain_text("failed")
    snap(page, "call-detail")
    page.get_by_role("button", name="Re-send").click()
    expect(page.locator(".notice")).to_have_text("Notification sent again.")
    expect(page.locator("#notifications .badge")).not_to_have_text("failed")


def test_live_call_transcript_updates_in_the_page(page: Page, admin_site: AdminSite):
    run_async(lambda: _register(admin_site))
    page.goto("/admin/live")
    expect(page.locator("#stream-state")).to_have_text("live")
    expect(page.locator("#no-calls")).to_be_visible()
    # WHEN the worker reports a new call and what the caller says, after the page has loaded
    with httpx.Client(base_url=admin_site.worker_url) as worker:
        worker.post("/test/emit", json={"type": "call_started", "call_sid": "CAlivebrowser", "business_id": None})
        worker.post(
            "/test/emit",
            json={
                "type": "transcript",
                "call_sid": "CAlivebrowser",
                "business_id": None,
                "entry": {
                    "speaker": "caller",
                    "text": "water is coming through the ceiling",
                    "start_ms": 0,
                    "end_ms": 1,
                },
            },
        )
    # THEN the call and its words appear without a reload
    card = page.locator('[data-call-sid="CAlivebrowser"]')
    expect(card).to_contain_text("water is coming through the ceiling")
    snap(page, "live")


async def _register(site: AdminSite) -> None:
    db = await open_database(site.settings.database_url)
    try:
        await register_worker(db, base_url=site.worker_url)
    finally:
        await db.close()


def test_remaining_pages_render(page: Page):
    for path, name, heading in (
        ("/admin/analytics", "analytics", "Analytics"),
        ("/admin/workers", "workers", "GPU workers"),
        ("/admin/tokens", "tokens", "API tokens"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        if name == "workers":
            expect(page.locator("#workers")).to_contain_text("ready")
        if name == "analytics":
            expect(page.locator("svg.chart")).to_have_count(5)
        snap(page, name)


def test_edit_an_agent_see_the_new_version_and_diff_and_try_it(page: Page, admin_site: AdminSite):
    business = _seed_business(admin_site, "Agent Electric")
    page.goto(f"/admin/businesses/{business.id}")
    page.get_by_role("link", name="Agent").click()
    # GIVEN the electrician template loaded into the editor and saved (version 2: the business's first read
    # gave it version 1, the plumbing agent every business had before agents)
    page.locator("#template-form").get_by_label("Start from a template").select_option("electrician")
    page.locator("#template-form").get_by_role("button", name="Load into the editor").click()
    editor = page.locator("#agent-form").get_by_label("Definition (YAML)")
    expect(editor).to_contain_text("name: Electrician intake")
    page.locator("#agent-form").get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".notice")).to_have_text("Saved.")
    # WHEN the greeting is edited with a mistake (an unknown key) and saved
    text = editor.input_value()
    greeting = "Agent Electric, what can we fix for you today?"
    # the greeting is one line, or a folded block (`>-` and indented lines) when it is long
    edited = re.sub(r"(?m)^greeting:\n  en: (>-\n(    .*\n)+|.*\n)", f"greeting:\n  en: {greeting}\n", text, count=1)
    assert edited != text
    editor.fill(edited.replace("closing:\n", "closing:\n  colour: red\n", 1))
    page.locator("#agent-form").get_by_role("button", name="Save as a new version").click()
    # THEN the problem is shown beside the editor with its path, and the edit is kept
    expect(page.locator("#agent-problems")).to_contain_text("closing.colour: Extra inputs are not permitted")
    expect(page.locator("#agent-form").get_by_label("Definition (YAML)")).to_contain_text(greeting)
    snap(page, "agent-error")
    # WHEN the mistake is removed and the version saved with a note
    page.locator("#agent-form").get_by_label("Definition (YAML)").fill(edited)
    page.locator("#agent-form").get_by_label("What changed").fill("friendlier greeting")
    page.locator("#agent-form").get_by_role("button", name="Save as a new version").click()
    # THEN version 3 is active, and the diff against version 2 shows the new greeting
    expect(page.locator(".notice")).to_have_text("Saved.")
    expect(page.locator("#versions tbody tr")).to_have_count(3)
    expect(page.locator("#versions tbody tr").first).to_contain_text("v3 active")
    expect(page.locator("#versions tbody tr").first).to_contain_text("friendlier greeting")
    expect(page.locator("#agent-diff")).to_contain_text(greeting)
    # WHEN a caller's line is tried against the new version
    page.locator("#try-form").get_by_label("Caller says").fill("The outlet is sparking")
    page.locator("#try-form").get_by_role("button", name="Send").click()
    # THEN the planner's reply shows, with the conversation so far
    expect(page.locator("#try-reply")).to_have_text("(fake planner v3) after 0 turns you said: The outlet is sparking")
    expect(page.locator("#try-conversation li")).to_have_count(2)
    snap(page, "agent")


def test_sign_out(page: Page):
    page.goto("/admin/calls")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/admin/login$"))
    page.goto("/admin/calls")
    expect(page).to_have_url(re.compile(r"/admin/login\?next="))
