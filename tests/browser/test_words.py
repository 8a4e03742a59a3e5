# SPDX-License-Identifier: Apache-2.0
"""Words and identity (issue 13), in Chromium at 1280 and 360 px in Italian,
English and German: the administration's name, logo and links in header and
footer, the menu that collapses on a phone (no script), Titillium Web really
used, and axe-core on each page. Screenshots of every page and size go to
run/screenshots/words/ for a person to look at (they prove nothing by
themselves; the assertions do)."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import ROOT, format_violations, http_status, run_axe, set_viewport, wait_for

SHOTS = ROOT / "run" / "screenshots" / "words"
WIDE, PHONE = (1280, 900), (360, 780)
LANGS = ["it", "en", "de"]
PAGES = [("home", "/", 200), ("verify", "/verify", 200), ("privacy", "/privacy", 200),
         ("help", "/help", 200), ("citizen", "/citizen", 200), ("benefits", "/benefits", 200),
         ("error-404", "/no-such-page", 404)]


def open_page(driver, invqr, path, lang, size):
    set_viewport(driver, *size)
    driver.get(invqr.url + path + ("&" if "?" in path else "?") + "lang=" + lang)
    wait_for(driver, lambda d: d.execute_script(
        "return document.readyState === 'complete' && document.fonts.status === 'loaded'"),
        "the page and its fonts")


def visible(driver, css):
    """Rendered: a closed <details> keeps its content laid out but skipped
    (content-visibility), which only checkVisibility() tells."""
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]);"
        "return !!e && e.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})"
        " && e.getBoundingClientRect().height > 0;", css)


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["1280", "360"])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name,path,status", PAGES, ids=[p[0] for p in PAGES])
def test_page_in_every_language_and_size(browser, invqr, name, path, status, lang, size):
    open_page(browser, invqr, path, lang, size)
    assert http_status(browser) == status
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"{name}-{lang}-{size[0]}.png"))
    # the administration: its name on top, its logo beside the service's name
    assert browser.find_element(By.CSS_SELECTOR, ".agency-name a").text.startswith("Comune di Forl")
    logo = browser.find_element(By.CSS_SELECTOR, ".site-name img.agency-logo")
    assert logo.get_attribute("alt") == ""
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0",
                                  logo), "the logo did not load"
    # the footer's links: privacy and help are the service's own pages here
    links = {a.get_attribute("href").replace(invqr.url, "")
             for a in browser.find_elements(By.CSS_SELECTOR, ".site-footer .footer-links a")}
    assert {"/privacy", "/help", "https://form.agid.gov.it/"} <= links
    # the text is set in Titillium Web, loaded from the site itself
    assert browser.execute_script(
        "return document.fonts.check('16px \"Titillium Web\"') && "
        "[...document.fonts].some(f => f.family.replace(/\"/g, '') === 'Titillium Web' "
        "&& f.status === 'loaded')"), "Titillium Web was not loaded"
    violations = run_axe(browser)["violations"]
    assert not violations, f"{name} {lang} {size}:\n" + format_violations(violations)


@pytest.mark.parametrize("lang", LANGS)
def test_on_a_phone_the_menu_is_one_button_and_content_starts_high(browser, invqr, lang):
    open_page(browser, invqr, "/", lang, PHONE)
    assert not visible(browser, ".site-nav ul"), "the menu's links show before it is opened"
    top = browser.execute_script("return document.querySelector('main').getBoundingClientRect().top")
    assert top <= 220, f"the page's content starts {top} px down at 360 px"
    # keyboard: Tab reaches the button, Enter opens, the links are there
    summary = browser.find_element(By.CSS_SELECTOR, ".site-menu > summary")
    assert summary.get_attribute("textContent").strip() in ("Menu", "Menü")
    browser.execute_script("arguments[0].focus()", summary)
    summary.send_keys(Keys.ENTER)
    assert browser.find_element(By.CSS_SELECTOR, ".site-menu").get_attribute("open") is not None
    assert visible(browser, ".site-nav ul a[href='/verify']")
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"menu-open-{lang}-360.png"))
    violations = run_axe(browser)["violations"]
    assert not violations, format_violations(violations)


def test_on_a_wide_screen_the_menu_is_always_there(browser, invqr):
    open_page(browser, invqr, "/verify", "it", WIDE)
    assert visible(browser, ".site-nav ul a[href='/verify']")
    assert not visible(browser, ".site-menu > summary")
    assert browser.find_element(By.CSS_SELECTOR, ".site-nav a[aria-current='page']") \
        .get_attribute("textContent") == "Verifica di un codice"
