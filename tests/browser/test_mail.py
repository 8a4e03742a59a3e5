# SPDX-License-Identifier: Apache-2.0
"""The e-mail form of the citizen page, as a person uses it: reached and
filled in with the keyboard, labelled for a screen reader, sent, the
outcome said on the next page (a status line, or an error page that says
what to do), axe finding nothing, at 1280 and 360 px. Its own instance
sends through a private Postfix (tests/integration/mta.py), which must
deliver what the browser sent."""
import os
import sys

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import (DESKTOP, ELIGIBLE_FC, HERE, format_violations, next_page, run_axe,
                      set_viewport)
from harness import ROOT, module_instance
from test_a11y import _generate_code
from test_print import PHONE, shown

sys.path.insert(0, str(HERE.parent / "integration"))
from mta import Postfix  # noqa: E402


@pytest.fixture(scope="module")
def mta():
    m = Postfix(ROOT / "run" / f"mta-browser-{os.getpid()}").start()
    yield m
    m.stop()


@pytest.fixture(scope="module")
def mailing(mta):
    yield from module_instance(
        "mail-browser", env={"INVQR_MAIL_TRANSPORT": mta.transport,
                             "INVQR_MAIL_CA_FILE": str(mta.ca), "INVQR_MAIL_PER_DAY": "5"})


@pytest.fixture
def page(driver, mailing):
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.get("about:blank")
    yield driver
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def fill_by_keyboard(d, first, second):
    """Tab from the field before into the two address fields and the button."""
    field = d.find_element(By.ID, "email")
    d.execute_script("arguments[0].focus()", field)
    d.switch_to.active_element.send_keys(first)
    d.switch_to.active_element.send_keys(Keys.TAB)
    assert d.switch_to.active_element.get_attribute("id") == "email_again"
    d.switch_to.active_element.send_keys(second)
    d.switch_to.active_element.send_keys(Keys.TAB)
    button = d.switch_to.active_element
    assert button.tag_name == "button" and button.text == "Invia il PDF per e-mail"
    with next_page(d):
        button.send_keys(Keys.ENTER)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "360px"])
def test_send_the_pdf_by_mail_with_the_keyboard(page, mailing, mta, size, tmp_path):
    set_viewport(page, *size)
    _generate_code(page, mailing)
    section = page.find_element(By.CSS_SELECTOR, 'section[aria-labelledby="send-mail"]')
    assert section.find_element(By.ID, "send-mail").text == "Ricevere il PDF per e-mail"
    for fid, label in (("email", "Indirizzo e-mail"), ("email_again", "Ripeta l'indirizzo e-mail")):
        el = page.find_element(By.ID, fid)
        assert el.accessible_name == label
        assert el.get_attribute("type") == "email" and el.get_attribute("required")
        assert el.get_attribute("aria-describedby") == fid + "-hint"
    assert page.find_element(By.ID, "email").get_attribute("autocomplete") == "email"
    section.screenshot(str(tmp_path / f"mail-form-{size[0]}.png"))
    violations = run_axe(page)["violations"]
    assert not violations, format_violations(violations)

    to = f"browser.{size[0]}@invqr.test"
    before = len(mta.messages())
    fill_by_keyboard(page, to, to)
    status = page.find_element(By.CSS_SELECTOR, '[role="status"].alert-success')
    assert "consegnato al servizio di posta" in status.text
    violations = run_axe(page)["violations"]
    assert not violations, format_violations(violations)
    got = mta.wait_for(before + 1)
    assert got[-1]["To"].addresses[0].addr_spec == to


def test_a_mismatch_says_what_to_do(page, mailing, mta):
    _generate_code(page, mailing)
    before = len(mta.messages())
    fill_by_keyboard(page, "anna@invqr.test", "anna@invqr.tset")
    main = page.find_element(By.TAG_NAME, "main")
    assert "non sono uguali" in main.text and "Non è stato inviato nulla" in main.text
    violations = run_axe(page)["violations"]
    assert not violations, format_violations(violations)
    assert len(mta.messages()) == before


def test_the_browser_checks_the_address_before_sending(page, mailing):
    """type=email and required: the browser's own check stops an address
    without '@' before any request, and says so on the field."""
    _generate_code(page, mailing)
    page.find_element(By.ID, "email").send_keys("anna")
    page.find_element(By.ID, "email_again").send_keys("anna")
    page.find_element(By.CSS_SELECTOR, 'form[action$="/citizen/mail"] button').click()
    assert page.current_url.endswith("/citizen") or "/citizen?" in page.current_url
    assert page.execute_script("return document.getElementById('email').validity.valid") is False
