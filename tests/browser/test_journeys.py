# SPDX-License-Identifier: Apache-2.0
"""The citizen's and the verifier's journeys of issue 13, walked in Chromium
at 1280 and 360 px with axe-core on every page they meet: a citizen replaces
the code after a page that asks first and downloads the new PDF; a verifier
mistypes the fiscal code, lands on the error summary (focused, no script),
follows its link to the field, which kept what was typed, and goes on until
the code cools down; the holder then sees the attempts.

With INVQR_SCREENSHOTS=DIR every page met is saved there as
<journey>-<width>-<step>.png, to look at.
"""
import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import (BAD_FC, ELIGIBLE_FC, NO_RECORD_FC, demo_sign_in, format_violations,
                      http_status, next_page, run_axe, set_viewport)

SIZES = [pytest.param((1280, 900), id="1280"), pytest.param((360, 800), id="360")]
SHOTS = os.environ.get("INVQR_SCREENSHOTS")


def look(driver, journey, size, step):
    """axe on the page; a full-page screenshot when asked for."""
    violations = run_axe(driver)["violations"]
    assert not violations, f"{journey}/{step} at {size[0]} px:\n" + format_violations(violations)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        set_viewport(driver, size[0], min(height, 6000))
        driver.save_screenshot(str(Path(SHOTS) / f"{journey}-{size[0]}-{step}.png"))
        set_viewport(driver, *size)


def click(driver, css):
    with next_page(driver):
        driver.find_element(By.CSS_SELECTOR, css).click()


def active_id(driver):
    return driver.execute_script("const a = document.activeElement;"
                                 "return a ? (a.id || a.className) : null;")


def ensure_code(driver, invqr):
    demo_sign_in(driver, invqr, ELIGIBLE_FC)
    if not driver.find_elements(By.CSS_SELECTOR, '[data-field="code"]'):
        box = driver.find_elements(By.ID, "notice_ack")
        if box:
            box[0].click()
        click(driver, 'main form[action$="/citizen/qr"] button[type="submit"]')
    return driver.find_element(By.CSS_SELECTOR, '[data-field="code"]').text


@pytest.mark.parametrize("size", SIZES)
def test_replace_asks_first_and_offers_the_new_pdf(browser, invqr, size):
    set_viewport(browser, *size)
    old = ensure_code(browser, invqr)
    click(browser, 'a[href$="/citizen/qr/replace"]')
    assert http_status(browser) == 200
    assert browser.find_element(By.CSS_SELECTOR, 'main [data-field="code"]').text == old
    look(browser, "replace", size, "1-ask")
    # "no" goes back and changes nothing
    click(browser, 'main form a[href$="/citizen"]')
    assert browser.find_element(By.CSS_SELECTOR, '[data-field="code"]').text == old
    click(browser, 'a[href$="/citizen/qr/replace"]')
    click(browser, 'main form button[type="submit"]')
    done = browser.find_element(By.CSS_SELECTOR, '[data-done="replaced"]')
    assert "non funziona più" in done.text
    new = browser.find_element(By.CSS_SELECTOR, '[data-field="code"]').text
    assert new != old
    look(browser, "replace", size, "2-done")
    link = done.find_element(By.CSS_SELECTOR, "a").get_attribute("href")
    status = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(r => done([r.status, r.headers.get('content-type')]));", link)
    assert status == [200, "application/pdf"]


@pytest.mark.parametrize("size", SIZES)
def test_a_verifier_corrects_a_slip_then_the_code_cools_down(browser, invqr, size):
    set_viewport(browser, *size)
    # a fresh code, and this client below its own limit
    ensure_code(browser, invqr)
    click(browser, 'a[href$="/citizen/qr/replace"]')
    click(browser, 'main form button[type="submit"]')
    code = browser.find_element(By.CSS_SELECTOR, '[data-field="code"]').text.replace("-", "")
    invqr.sql("DELETE FROM verify_client WHERE client_addr = '127.0.0.1'")
    browser.delete_all_cookies()
    browser.get(invqr.url + "/V/" + code)
    browser.find_element(By.ID, "fiscal_code").send_keys(BAD_FC)
    click(browser, 'main form button[type="submit"]')
    assert http_status(browser) == 400
    # the summary has the focus; its link takes the keyboard to the field,
    # which kept what was typed
    assert active_id(browser) == "error-summary"
    look(browser, "verify", size, "1-slip")
    link = browser.find_element(By.CSS_SELECTOR, '.error-summary a[href="#fiscal_code"]')
    link.send_keys(Keys.ENTER)
    assert active_id(browser) == "fiscal_code"
    field = browser.find_element(By.ID, "fiscal_code")
    assert field.get_attribute("value") == BAD_FC
    assert "fiscal_code-error" in field.get_attribute("aria-describedby")
    for left in (4, 3, 2, 1):
        field = browser.find_element(By.ID, "fiscal_code")
        field.clear()
        field.send_keys(NO_RECORD_FC)
        click(browser, 'main form button[type="submit"]')
        assert http_status(browser) == 422
        assert browser.find_element(By.CSS_SELECTOR, '[data-field="attempts_left"]').text \
            == str(left)
        if left == 4:
            look(browser, "verify", size, "2-mismatch")
    field = browser.find_element(By.ID, "fiscal_code")
    field.clear()
    field.send_keys(NO_RECORD_FC)
    click(browser, 'main form button[type="submit"]')
    assert http_status(browser) == 422
    assert not browser.find_elements(By.CSS_SELECTOR, "main form")
    when = browser.find_element(By.CSS_SELECTOR, '[data-field="retry_at"]').text
    look(browser, "verify", size, "3-last-try")
    # the QR's address again: the page says so, with no form to fill in vain
    browser.get(invqr.url + "/V/" + code)
    assert http_status(browser) == 429
    assert not browser.find_elements(By.CSS_SELECTOR, "main form")
    assert browser.find_element(By.CSS_SELECTOR, '[data-field="retry_at"]').text == when
    look(browser, "verify", size, "4-cool-down")
    # the holder learns of it
    demo_sign_in(browser, invqr, ELIGIBLE_FC)
    alert = browser.find_element(By.CSS_SELECTOR, '[data-alert="failed-attempts"]')
    alert.find_element(By.CSS_SELECTOR, "a").click()
    rows = browser.find_elements(By.CSS_SELECTOR, 'table[data-table="failed-attempts"] tbody tr')
    assert len(rows) >= 5
    assert rows[0].get_attribute("data-attempt") == "cooldown" and when in rows[0].text
    look(browser, "holder", size, "1-attempts")
