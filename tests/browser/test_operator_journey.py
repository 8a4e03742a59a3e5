# SPDX-License-Identifier: Apache-2.0
"""The operator's journey as a person walks it (issue 13), in Chromium at
1280 and 360 px (and in English at 1280): from the menu's "Area operatori" to the sign-in, the
consent code (a wrong one, a new one), the second-level result, the next
verification, a reload of a spent result, a cancelled request, the SMS
limit and a throttled sign-in. axe-core (WCAG 2.1 A/AA) runs on every page
the journey passes, and each page is saved as a screenshot under
$INVQR_SCREENSHOTS (default: the build directory's screenshots/operator/)
so that a person can look at them.
"""
import os
import re
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

import harness
from conftest import (format_violations, http_status, next_page, run_axe, set_viewport,
                      stylesheet_loaded)
from conftest import ELIGIBLE_FC
from test_a11y import DEMO_OPERATOR, _generate_code, _spool

WALKS = [pytest.param((1280, 900), "it", id="1280x900-it"),
         pytest.param((360, 800), "it", id="360x800-it"),
         pytest.param((1280, 900), "en", id="1280x900-en")]
SHOTS = Path(os.environ.get("INVQR_SCREENSHOTS", harness.BUILD / "screenshots" / "operator"))


def look(d, size, name, status):
    name = d.execute_script("return document.documentElement.lang") + "-" + name
    """The page is the one meant (status, stylesheet), axe finds nothing,
    and a full-page screenshot is kept."""
    assert http_status(d) == status, f"{name}: HTTP {http_status(d)}, expected {status}"
    assert stylesheet_loaded(d), f"{name}: the stylesheet did not load"
    width = d.execute_script("return document.documentElement.scrollWidth")
    assert width <= size[0], f"{name}: {width} px wide at {size[0]} px (scrolls sideways)"
    violations = run_axe(d)["violations"]
    assert not violations, f"axe-core on {name} at {size[0]} px:\n" + format_violations(violations)
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = d.execute_script("return document.documentElement.scrollHeight")
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": size[0], "height": min(max(height, size[1]), 4000), "deviceScaleFactor": 1,
        "mobile": False})
    d.save_screenshot(str(SHOTS / f"{size[0]}-{name}.png"))
    set_viewport(d, *size)


def main_of(d):
    return d.find_element(By.CSS_SELECTOR, "main#main")


def submit(d, css):
    with next_page(d):
        d.find_element(By.CSS_SELECTOR, css).click()


def sign_in(d, i, user, password):
    d.find_element(By.ID, "username").send_keys(user)
    d.find_element(By.ID, "password").send_keys(password)
    submit(d, 'main form[action$="/operator/login"] button[type="submit"]')


def last_otp(i, before):
    sent = sorted(_spool(i) - before)
    assert len(sent) == 1, f"expected one new SMS in the spool, found {sent}"
    text = (i.run / "sms" / sent[0]).read_text(encoding="iso-8859-15")
    return re.search(r"\b(\d{6})\b", text).group(1)


def operator_first_level(d, i, size):
    """A fresh code of the eligible demo citizen, verified by the signed-in
    demo operator; returns the code."""
    cookies = d.get_cookies()
    d.delete_all_cookies()
    code = _generate_code(d, i, fresh=True)
    d.delete_all_cookies()
    for c in cookies:
        d.add_cookie({k: v for k, v in c.items() if k in ("name", "value", "path", "httpOnly")})
    d.get(i.url + "/V/" + code)
    d.find_element(By.ID, "fiscal_code").send_keys(ELIGIBLE_FC)
    submit(d, 'main form button[type="submit"]')
    return code


@pytest.mark.allow_log(r"INVQR0162", r"INVQR0013")
@pytest.mark.parametrize("size,lang", WALKS)
def test_operator_journey(browser, invqr, size, lang):
    d, i = browser, invqr
    set_viewport(d, *size)

    # "Area operatori" in the menu leads to the operator's sign-in (the
    # language chosen on the first page is remembered)
    d.get(i.url + "/?lang=" + lang)
    link = d.find_element(By.CSS_SELECTOR, 'nav.site-nav a[href="/operator"]')
    if not link.is_displayed():                  # a collapsed menu: the toggle first
        toggles = d.find_elements(By.CSS_SELECTOR, ".site-nav summary, .site-nav button")
        if toggles:
            toggles[0].click()
    with next_page(d):
        d.execute_script("arguments[0].click();", link)
    assert d.current_url == i.url + "/operator/login", d.current_url
    assert d.find_element(By.CSS_SELECTOR, "html").get_attribute("lang") == lang
    assert d.find_element(By.ID, "password")
    contact = d.find_element(By.CSS_SELECTOR, '[data-field="operator_help_contact"]')
    assert contact.is_displayed() and contact.text.strip()
    look(d, size, "01-sign-in", 200)

    # a wrong password: the form again, the message once
    sign_in(d, i, DEMO_OPERATOR[0], "not the password")
    assert d.find_elements(By.CSS_SELECTOR, "main .alert-error")
    look(d, size, "02-sign-in-failed", 401)
    sign_in(d, i, *DEMO_OPERATOR)
    assert d.current_url == i.url + "/operator"
    look(d, size, "03-home", 200)

    # the second level: the consent code field is for digits
    code = operator_first_level(d, i, size)
    before = _spool(i)
    submit(d, 'form[action$="/otp"] button[type="submit"]')
    otp = last_otp(i, before)
    field = d.find_element(By.ID, "otp")
    assert field.get_attribute("inputmode") == "numeric"
    assert field.get_attribute("autocomplete") == "one-time-code"
    assert field.get_attribute("autocapitalize") in (None, "")
    assert field.value_of_css_property("text-transform") == "none"
    assert d.find_element(By.CSS_SELECTOR, 'form[action$="/%s/otp"] button' % code).is_displayed()
    assert d.find_element(By.CSS_SELECTOR, 'form[action$="/%s/cancel"] button' % code).is_displayed()
    look(d, size, "04-code-sent", 200)

    # a wrong code: one message, beside the field
    field.send_keys("%06d" % ((int(otp) + 1) % 10**6))
    submit(d, 'form[action$="/level2"] button[type="submit"]')
    main = main_of(d)
    assert len(main.find_elements(By.CSS_SELECTOR, ".error-message")) == 1
    assert not main.find_elements(By.CSS_SELECTOR, ".alert-error")
    look(d, size, "05-code-wrong", 403)

    # the holder got nothing: a new code; the result
    before = _spool(i)
    submit(d, 'form[action$="/%s/otp"] button[type="submit"]' % code)
    otp = last_otp(i, before)
    token = d.find_element(By.CSS_SELECTOR, 'form[action$="/level2"] input[name="csrf"]').get_attribute("value")
    challenge = d.find_element(By.CSS_SELECTOR, 'input[name="challenge"]').get_attribute("value")
    d.find_element(By.ID, "otp").send_keys(otp)
    submit(d, 'form[action$="/level2"] button[type="submit"]')
    pct = d.find_element(By.CSS_SELECTOR, '[data-field="invalidity_percent"]')
    assert pct.text.endswith("%") or pct.text in ("Non indicata", "Not stated"), pct.text
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", d.find_element(By.CSS_SELECTOR,
                                                             '[data-field="judgment_date"]').text)
    assert re.fullmatch(r"\d+", d.find_element(By.CSS_SELECTOR, '[data-field="reference"]').text)
    assert d.find_element(By.CSS_SELECTOR, '[data-field="checked_at"]').is_displayed()
    look(d, size, "06-result", 200)

    # a reload of the result (the same form sent again): no promise of a
    # button that is not there
    with next_page(d):
        d.execute_script("""
            const f = document.createElement('form');
            f.method = 'post'; f.action = arguments[0];
            for (const [n, v] of [['csrf', arguments[1]], ['challenge', arguments[2]],
                                  ['otp', arguments[3]]]) {
                const e = document.createElement('input');
                e.type = 'hidden'; e.name = n; e.value = v;
                f.appendChild(e);
            }
            document.body.appendChild(f);
            f.submit();""", "/v/%s/level2" % code, token, challenge, otp)
    assert not d.find_elements(By.ID, "otp")
    assert d.find_element(By.CSS_SELECTOR, 'main form[action$="/%s/otp"] button' % code).is_displayed()
    look(d, size, "07-result-spent", 403)

    # on to the next verification
    d.back()
    d.get(i.url + "/operator")
    assert d.find_element(By.CSS_SELECTOR, 'main input#code')

    # a request called off
    code = operator_first_level(d, i, size)
    submit(d, 'form[action$="/otp"] button[type="submit"]')
    submit(d, 'form[action$="/%s/cancel"] button[type="submit"]' % code)
    assert d.current_url == i.url + "/operator?done=cancelled"
    assert d.find_element(By.CSS_SELECTOR, "main .alert-success").is_displayed()
    look(d, size, "08-cancelled", 200)

    # the SMS limit: five for a code in 15 minutes, then a page that says so
    code = operator_first_level(d, i, size)
    submit(d, 'form[action$="/otp"] button[type="submit"]')
    for _ in range(4):
        submit(d, 'form[action$="/%s/otp"] button[type="submit"]' % code)
        assert http_status(d) == 200
    submit(d, 'form[action$="/%s/otp"] button[type="submit"]' % code)
    assert d.find_element(By.CSS_SELECTOR, 'main a[href="/v/%s/level2"]' % code)
    look(d, size, "09-sms-limit", 429)

    # a throttled address: the page says how long; the demo operator, who
    # has signed in from here, still gets in
    d.delete_all_cookies()
    i.sql("DELETE FROM client_limit WHERE client_addr LIKE 'login:%'")
    i.sql("INSERT INTO client_limit (client_addr, window_start, hits) VALUES"
          " ('login:127.0.0.1', FROM_UNIXTIME(UNIX_TIMESTAMP() DIV 60 * 60 - 120), 100)")
    try:
        d.get(i.url + "/operator/login?lang=" + lang)
        sign_in(d, i, "nobody.at.all", "spray")
        assert re.search(r"\b1[0-9] minut", main_of(d).text), main_of(d).text
        assert d.find_element(By.CSS_SELECTOR, "html").get_attribute("lang") == lang
        look(d, size, "10-sign-in-throttled", 429)
        d.get(i.url + "/operator/login")
        sign_in(d, i, *DEMO_OPERATOR)
        assert d.current_url == i.url + "/operator"
    finally:
        i.sql("DELETE FROM client_limit WHERE client_addr LIKE 'login:%'")
