"""``valo-bot demo`` in headless Chromium (Selenium, Debian's chromium-driver): what a trainer
does with it, clicked through the page. Run once per CI run (the ``browser`` mark: .ci/run
runs them in the SQLite pass only); the demo has its own SQLite database either way.

Screenshots go to ``test-artifacts/demo/`` (gitignored). Every wait is a WebDriverWait with a
deadline: the page refreshes by long polling, so a condition holds as soon as the bot answered.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.demo.server import PERSONAS
from bot.flow.keyboard import CHECK_MARK
from tests.conftest import REPO
from tests.demo_support import Demo, copy_data
from tests.headless_chromium import find_chromium

selenium = pytest.importorskip("selenium", reason="selenium is in the dev extra")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts" / "demo"
WAIT = 20.0  # seconds: a deadline, not a pause; conditions usually hold within a second
AINO, EMMA, LAYLA, SARI = (p.user_id for p in PERSONAS)
FI_TEXT = "Tervetuloa perhekahvilaan torstaina!"
EN_TEXT = "Welcome to the family café on Thursday!"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_data(tmp_path_factory.mktemp("demo-home"))


@pytest.fixture(scope="module")
def demo(home: Path) -> Iterator[Demo]:
    running = Demo(home, "--watch", "--home", str(home))
    yield running
    assert running.stop() == 0, running.log()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    chromium, driver_path = find_chromium(), shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip("needs chromium and chromedriver: apt-get install chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=430,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    yield driver
    driver.quit()


def until(browser: WebDriver, condition: Callable[[WebDriver], object], what: str) -> object:
    wait = WebDriverWait(
        browser,
        WAIT,
        ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
    )
    return wait.until(condition, message=what)


def shot(browser: WebDriver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def choose(browser: WebDriver, persona: int) -> None:
    """One click on the persona's chip; their chat is shown."""
    selector = f'.persona[data-id="{persona}"]'
    until(browser, lambda d: d.find_element(By.CSS_SELECTOR, selector).click() or True, selector)
    until(
        browser,
        lambda d: d.find_element(By.CSS_SELECTOR, selector).get_attribute("aria-pressed") == "true",
        f"{persona} chosen",
    )


def chat_texts(browser: WebDriver) -> list[str]:
    return [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#chat .msg")]


def wait_text(browser: WebDriver, text: str) -> None:
    until(browser, lambda d: any(text in t for t in chat_texts(d)), f"{text!r} in the chat")


def type_message(browser: WebDriver, text: str) -> None:
    field = browser.find_element(By.ID, "input")
    field.send_keys(text)
    browser.find_element(By.ID, "send").click()


def click(browser: WebDriver, callback_prefix: str) -> None:
    """Click the newest button whose callback data starts with the prefix, once it is there."""
    selector = f'#chat button[data-callback^="{callback_prefix}"]'

    def clicked(d: WebDriver) -> bool:
        buttons = d.find_elements(By.CSS_SELECTOR, selector)
        if not buttons:
            return False
        buttons[-1].click()
        return True

    until(browser, clicked, f"a button {callback_prefix}")


def has_button(browser: WebDriver, callback_prefix: str, text: str = "") -> bool:
    selector = f'#chat button[data-callback^="{callback_prefix}"]'
    return any(text in b.text for b in browser.find_elements(By.CSS_SELECTOR, selector))


def test_a_family_completes_the_needs_dialog_and_sees_service_cards(
    demo: Demo, browser: WebDriver
) -> None:
    browser.get(demo.url)
    choose(browser, EMMA)
    until(browser, lambda d: "a demonstration" in d.find_element(By.ID, "demo-note").text, "note")
    type_message(browser, "/find")
    click(browser, "needs:where:285:")
    click(browser, "needs:ages:1-2:")
    until(browser, lambda d: has_button(d, "needs:ages:1-2:", CHECK_MARK), "1-2 ticked")
    click(browser, "needs:ages:done:")
    click(browser, "needs:help:daycare:")
    until(browser, lambda d: has_button(d, "needs:help:daycare:", CHECK_MARK), "daycare ticked")
    click(browser, "needs:help:done:")
    click(browser, "needs:languages:done:")
    until(browser, lambda d: has_button(d, "needs:results:restart"), "the results' next steps")
    texts = chat_texts(browser)
    # The question became the results heading; the service cards follow it as messages.
    assert len(texts) >= 4, texts
    assert any("Kotka" in t for t in texts), texts
    shot(browser, "needs-results")


def test_a_staff_broadcast_reaches_families_in_their_languages(
    demo: Demo, browser: WebDriver
) -> None:
    browser.get(demo.url)
    choose(browser, SARI)
    type_message(browser, "/broadcast")
    wait_text(browser, "Write it in Finnish.")
    type_message(browser, FI_TEXT)
    wait_text(browser, "Now the English text")
    type_message(browser, EN_TEXT)
    wait_text(browser, "Now the Arabic text")
    click(browser, "bc:skip:-")
    click(browser, "bc:aud:all")
    click(browser, "bc:att:-")
    click(browser, "bc:now:-")
    wait_text(browser, "is finished")
    shot(browser, "broadcast-staff")
    choose(browser, AINO)
    wait_text(browser, FI_TEXT)
    assert not any(EN_TEXT in t for t in chat_texts(browser))
    choose(browser, EMMA)
    wait_text(browser, EN_TEXT)
    shot(browser, "broadcast-family")


def test_an_arabic_chat_is_laid_out_right_to_left(demo: Demo, browser: WebDriver) -> None:
    browser.get(demo.url)
    choose(browser, LAYLA)
    type_message(browser, "/start")
    wait_text(browser, "مرحبًا! أنا \u2066Valo\u2069.")  # the isolate reaches the page
    chat = browser.find_element(By.ID, "chat")
    assert chat.get_attribute("dir") == "rtl"
    assert chat.value_of_css_property("direction") == "rtl"
    greeting = next(
        e for e in browser.find_elements(By.CSS_SELECTOR, "#chat .msg.bot") if "Valo" in e.text
    )
    assert greeting.value_of_css_property("direction") == "rtl"
    # The bot's bubble sits on the right, as in Telegram's Arabic interface.
    chat_right = chat.rect["x"] + chat.rect["width"]
    bubble_right = greeting.rect["x"] + greeting.rect["width"]
    assert chat_right - bubble_right < 40, (chat.rect, greeting.rect)
    assert greeting.rect["x"] > chat.rect["x"] + 20
    shot(browser, "arabic-rtl")


def test_watch_picks_up_a_changed_locale_string(demo: Demo, browser: WebDriver, home: Path) -> None:
    start = home / "locales" / "en" / "start.ftl"
    start.write_text(
        start.read_text(encoding="utf-8").replace(
            "Hello! I am Valo.", "Hello! I am Valo, freshly edited."
        ),
        encoding="utf-8",
    )
    browser.get(demo.url)
    choose(browser, EMMA)
    until(
        browser,
        lambda d: "reloads: 1" in d.find_element(By.ID, "watch-state").text,
        "the reload shown",
    )
    type_message(browser, "/start")
    wait_text(browser, "Hello! I am Valo, freshly edited.")


def test_watch_picks_up_a_changed_catalogue_file(demo: Demo, home: Path) -> None:
    """The catalogue is re-imported into the demo's database and the next /events shows it
    (through the page's API: the browser adds nothing here)."""
    kouvola = home / "services_catalog" / "kouvola.yaml"
    before = demo.api(f"/api/state/{EMMA}")["reloads"]
    kouvola.write_text(
        kouvola.read_text(encoding="utf-8").replace(
            '"Free Friday evening at the museum"', '"Free Friday evening at the art museum"'
        ),
        encoding="utf-8",
    )
    state = demo.api(f"/api/state/{EMMA}")
    deadline = time.monotonic() + WAIT
    while state["reloads"] == before and not state["errors"] and time.monotonic() < deadline:
        state = demo.api(f"/api/state/{EMMA}?since={state['version']}")  # waits for a change
    assert state["reloads"] == before + 1, (state["errors"], demo.log())
    demo.api("/api/send", {"user": EMMA, "text": "/events"})
    while time.monotonic() < deadline:
        state = demo.api(f"/api/state/{EMMA}?since={state['version']}")
        if any("at the art museum" in m.get("text", "") for m in state["messages"]):
            break
    else:
        raise AssertionError(f"the new title never shown: {state['messages'][-1]}")


def test_a_broken_dialog_file_shows_the_banner_and_the_old_one_keeps_serving(
    demo: Demo, browser: WebDriver, home: Path
) -> None:
    needs = home / "dialogs" / "needs.yaml"
    good = needs.read_text(encoding="utf-8")
    needs.write_text(good.replace("start: where", "start: nowhere"), encoding="utf-8")
    browser.get(demo.url)
    choose(browser, AINO)
    banner = browser.find_element(By.ID, "banner")
    until(browser, lambda d: banner.is_displayed(), "the banner")
    assert re.search(r"needs\.yaml:\d+: start: ", banner.text), banner.text
    shot(browser, "broken-dialog")
    # The previous tree still answers.
    type_message(browser, "/find")
    until(browser, lambda d: has_button(d, "needs:where:"), "the first question")
    needs.write_text(good, encoding="utf-8")
    until(browser, lambda d: not banner.is_displayed(), "the banner gone after the fix")
