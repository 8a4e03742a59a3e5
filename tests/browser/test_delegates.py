# SPDX-License-Identifier: Apache-2.0
"""A parent signs in, chooses to act for their child, generates the child's
attestation and downloads it, on a desktop and on a 360 px phone; every page
on the way names the child, and axe finds nothing on the pages delegates
add or change (the choice, the page acting for the child, the child's own
page with what the parent did). Screenshots go to INVQR_SHOTS when set."""
import base64
import os
import re

import pytest

from selenium.webdriver.common.by import By

from conftest import DESKTOP, MOBILE, demo_sign_in, format_violations, next_page, run_axe, set_viewport

PHONE = (360, 780)
MINOR, PARENT = "CLMSFO15E70F704C", "CLMMRC80A01F205V"   # schema/demo/delegations.csv


def axe_clean(driver, where):
    violations = run_axe(driver)["violations"]
    assert not violations, f"{where}:\n" + format_violations(violations)


def shot(driver, name, size):
    where = os.environ.get("INVQR_SHOTS")
    if where:
        os.makedirs(where, exist_ok=True)
        # the whole page, not only what fits the viewport
        png = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png",
                                                               "captureBeyondViewport": True})
        with open(os.path.join(where, "%s-%dpx.png" % (name, size[0])), "wb") as f:
            f.write(base64.b64decode(png["data"]))


def acting_for(driver):
    found = driver.find_elements(By.CSS_SELECTOR, '[data-field="acting_for"]')
    return found[0] if found else None


def fetch_pdf(driver, href):
    """Download the link as the page's own fetch would: status, type, bytes."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(async r => {"
        "  const b = new Uint8Array(await r.arrayBuffer());"
        "  done([r.status, r.headers.get('Content-Type'),"
        "        String.fromCharCode(...b.slice(0, 5)), b.length]);"
        "}, e => done([0, String(e), '', 0]));", href)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "360px"])
def test_a_parent_acts_for_the_child_generates_and_downloads(browser, invqr, size):
    set_viewport(browser, *size)
    demo_sign_in(browser, invqr, PARENT)
    assert acting_for(browser) is None
    form = browser.find_element(By.CSS_SELECTOR, 'form[action$="/citizen/act-as"]')
    axe_clean(browser, "the choice of whom to act for")
    shot(browser, "act-as-choice", size)
    # choose the child, as a person would: by the label
    radio = form.find_element(By.CSS_SELECTOR, 'input[name="holder"][value="%s"]' % MINOR)
    browser.find_element(By.CSS_SELECTOR, 'label[for="%s"]' % radio.get_attribute("id")).click()
    assert radio.is_selected()
    with next_page(browser):
        form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()

    banner = acting_for(browser)
    assert banner is not None and banner.is_displayed()
    assert banner.get_attribute("data-value") == MINOR
    assert "Sofia Colombo" in banner.text and "genitore" in banner.text
    assert browser.find_element(By.CSS_SELECTOR, '[data-field="fiscal_code"]').text == MINOR
    # the consent SMS goes to the number on the child's record, and the page says so
    assert "scheda del titolare" in browser.find_element(By.ID, "main").text

    # generate (or replace, when an earlier size made one already)
    box = browser.find_elements(By.ID, "notice_ack")
    if box:
        browser.find_element(By.CSS_SELECTOR, 'label[for="notice_ack"]').click()
    replace = browser.find_elements(By.CSS_SELECTOR, 'a[href$="/citizen/qr/replace"]')
    if replace:
        # replacing asks first, on a page of its own
        with next_page(browser):
            replace[0].click()
    form = browser.find_element(By.CSS_SELECTOR, 'main form[action$="/citizen/qr"]')
    with next_page(browser):
        form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
    assert acting_for(browser).get_attribute("data-value") == MINOR
    code = browser.find_element(By.CSS_SELECTOR, '[data-field="code"]').text
    assert re.fullmatch(r"[0-9A-Z]{5}(-[0-9A-Z]{5}){3}", code)
    axe_clean(browser, "the citizen page acting for the child")
    shot(browser, "acting-for-child", size)
    # nothing scrolls sideways, down to the narrowest phone the suite knows
    set_viewport(browser, *MOBILE)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= MOBILE[0]
    set_viewport(browser, *size)

    link = browser.find_element(By.CSS_SELECTOR, 'a[href*="/citizen/qr"][href$=".pdf"]')
    assert link.is_displayed()
    status, ctype, magic, length = fetch_pdf(browser, link.get_attribute("href"))
    assert (status, ctype, magic) == (200, "application/pdf", "%PDF-") and length > 1000

    # the child's own page says what the parent did
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    demo_sign_in(browser, invqr, MINOR)
    assert acting_for(browser) is None
    rows = browser.find_elements(By.CSS_SELECTOR, 'table[data-table="delegate-log"] tbody tr')
    assert [r.get_attribute("data-delegate") for r in rows[:2]] == [PARENT, PARENT]
    assert browser.find_elements(By.CSS_SELECTOR, '[data-field="represented"]')
    axe_clean(browser, "the child's own page")
    shot(browser, "holder-page", size)
