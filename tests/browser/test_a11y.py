# SPDX-License-Identifier: Apache-2.0
"""Every page of invqr meets WCAG 2.1 A and AA as far as axe-core can tell,
on a desktop window and on a 320 px phone, where it also needs no
horizontal scrolling (WCAG 1.4.10 Reflow).

PAGES is the one list of the pages to check: add a page there when a
feature adds one. Each entry says how a person reaches the page (an
optional step, then an optional path), the HTTP status the page must come
with and a CSS selector that proves the browser is on the page meant.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional, Tuple

import pytest

from selenium.webdriver.common.by import By

from conftest import (BAD_FC, DESKTOP, ELIGIBLE_FC, MOBILE, NO_RECORD_FC, NOT_DEFINITIVE_FC,
                      SECOND_ELIGIBLE_FC,
                      demo_sign_in, format_violations, http_status, next_page, run_axe, set_viewport,
                      stylesheet_loaded)


@dataclass(frozen=True)
class Step:
    """Something a person does before (or to reach) the page under test."""
    what: str
    do: Callable

    def __call__(self, driver, invqr):
        self.do(driver, invqr)


def signed_in_as(fiscal_code, what):
    return Step(f"demo sign-in as {what} ({fiscal_code})",
                lambda d, i: demo_sign_in(d, i, fiscal_code))


def demo_sign_in_form(fiscal_code, what, csrf=None):
    return Step(f"submit the demo sign-in form with {what}",
                lambda d, i: demo_sign_in(d, i, fiscal_code, csrf=csrf))


@dataclass(frozen=True)
class Page:
    id: str
    status: int                       # HTTP status the page comes with
    path: Optional[str] = None        # GET this (after the step, if any)
    step: Optional[Step] = None       # ... or the step itself lands on the page
    marker: str = "main#main"         # CSS selector only the page meant has
    allow_log: Tuple[str, ...] = field(default=())


CSRF_REFUSED = r"INVQR0133: POST without a valid CSRF token refused"


def _generate_code(d, i, fresh=False, fiscal_code=ELIGIBLE_FC):
    """Sign in as the citizen (the eligible one unless told) and make sure a
    code is active (a new one when fresh, so wrong guesses of earlier tests
    do not add up to the per-code limit); returns the code."""
    demo_sign_in(d, i, fiscal_code)
    found = d.find_elements(By.CSS_SELECTOR, '[data-field="code"]')
    if found and fresh:
        # replacing asks first, on a page of its own
        with next_page(d):
            d.find_element(By.CSS_SELECTOR, 'a[href$="/citizen/qr/replace"]').click()
        form = d.find_element(By.CSS_SELECTOR, 'main form[action$="/citizen/qr"]')
        with next_page(d):
            form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
        found = d.find_elements(By.CSS_SELECTOR, '[data-field="code"]')
    if not found:
        box = d.find_elements(By.ID, "notice_ack")
        if box:
            box[0].click()
        form = d.find_element(By.CSS_SELECTOR, 'form[action$="/citizen/qr"]')
        with next_page(d):
            form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
        found = d.find_elements(By.CSS_SELECTOR, '[data-field="code"]')
    return found[0].text.replace("-", "")


def _expired_code(d, i):
    """A citizen whose code is past the deployment's maximum lifetime (another
    citizen than the one the other pages use, whose code must keep working)."""
    _generate_code(d, i, fiscal_code=SECOND_ELIGIBLE_FC)
    i.sql("UPDATE qr_code SET created_at = created_at - INTERVAL 400 DAY"
          " WHERE fiscal_code = '%s' AND active = 1" % SECOND_ELIGIBLE_FC)
    d.get(i.url + "/citizen")


def _verify_with(fiscal_code):
    def do(d, i):
        code = _generate_code(d, i, fresh=True)
        d.delete_all_cookies()
        d.get(i.url + "/V/" + code)
        d.find_element(By.ID, "fiscal_code").send_keys(fiscal_code)
        with next_page(d):
            d.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click()
    return do


DEMO_OPERATOR = ("demo.operatore", "esempio-demo-2026")   # script/lib.sh demo_data


def _operator_sign_in(d, i):
    d.get(i.url + "/operator/login")
    d.find_element(By.ID, "username").send_keys(DEMO_OPERATOR[0])
    d.find_element(By.ID, "password").send_keys(DEMO_OPERATOR[1])
    with next_page(d):
        d.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click()


def _operator_first_level(d, i):
    # a fresh code each time: consent SMS are limited per code
    code = _generate_code(d, i, fresh=True)
    d.delete_all_cookies()
    _operator_sign_in(d, i)
    d.get(i.url + "/V/" + code)
    d.find_element(By.ID, "fiscal_code").send_keys(ELIGIBLE_FC)
    with next_page(d):
        d.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click()


def _spool(i):
    """The messages now in the instance's SMS spool (dot-names are the
    gateway's files still being written)."""
    return {p.name for p in (i.run / "sms").iterdir() if not p.name.startswith(".")}


def _operator_otp_sent(d, i):
    """The consent SMS sent; returns the spool as it was just before."""
    _operator_first_level(d, i)
    before = _spool(i)
    form = d.find_element(By.CSS_SELECTOR, 'form[action$="/otp"]')
    with next_page(d):
        form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
    return before


def _operator_level2(d, i):
    import re
    before = _operator_otp_sent(d, i)
    # the one message this request sent (not the newest by mtime: two files
    # written within one clock tick of the file system have the same mtime)
    sent = sorted(_spool(i) - before)
    assert len(sent) == 1, f"expected one new SMS in the spool, found {sent}"
    text = (i.run / "sms" / sent[0]).read_text(encoding="iso-8859-15")
    otp = re.search(r"\b(\d{6})\b", text).group(1)
    d.find_element(By.ID, "otp").send_keys(otp)
    with next_page(d):
        d.find_element(By.CSS_SELECTOR, 'form[action$="/level2"] button[type="submit"]').click()


def _operator_otp_slip(d, i):
    """The consent code typed short: the form again, 400, no attempt taken."""
    _operator_otp_sent(d, i)
    d.find_element(By.ID, "otp").send_keys("12345")
    with next_page(d):
        d.find_element(By.CSS_SELECTOR, 'form[action$="/level2"] button[type="submit"]').click()


def _operator_nothing_waiting(d, i):
    """The consent form's address again once its code has been used."""
    _operator_level2(d, i)
    d.get(d.current_url)


def _open_code_form(d, i):
    # a fresh code: the pages below leave the last one cooling down
    code = _generate_code(d, i, fresh=True)
    d.delete_all_cookies()
    d.get(i.url + "/V/" + code)

def _confirm(what):
    def do(d, i):
        _generate_code(d, i)
        with next_page(d):
            d.find_element(By.CSS_SELECTOR, 'a[href$="/citizen/qr/%s"]' % what).click()
    return do


def _replaced(d, i):
    _generate_code(d, i, fresh=True)


def _wrong_guesses(d, i, n):
    """A fresh code tried n times with a wrong fiscal code; returns the code."""
    code = _generate_code(d, i, fresh=True)
    # the pages of this list guess wrong often: keep this client below its
    # own limit (verify_client), which another page shows
    i.sql("DELETE FROM verify_client WHERE client_addr = '127.0.0.1'")
    d.delete_all_cookies()
    d.get(i.url + "/V/" + code)
    for _ in range(n):
        field = d.find_element(By.ID, "fiscal_code")
        field.clear()
        field.send_keys(NO_RECORD_FC)
        with next_page(d):
            d.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click()
    return code


def _cooled_down(d, i):
    """The QR's address again, after five wrong fiscal codes used its tries."""
    code = _wrong_guesses(d, i, 5)
    d.get(i.url + "/V/" + code)


def _attempts_seen_by_the_holder(d, i):
    _wrong_guesses(d, i, 2)
    demo_sign_in(d, i, ELIGIBLE_FC)


def _manual_two_mistakes(d, i):
    d.get(i.url + "/verify")
    d.find_element(By.ID, "code").send_keys("ABCDE-12345")
    d.find_element(By.ID, "fiscal_code").send_keys("RSS MRA")
    with next_page(d):
        d.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click()


PAGES = [
    Page("home-it", 200, "/", marker='html[lang="it"] main.home'),
    Page("home-en", 200, "/?lang=en", marker='html[lang="en"] main.home'),
    Page("citizen-sign-in", 200, "/citizen", marker="form input#fiscal_code"),
    Page("citizen-eligible", 200, "/citizen",
         step=signed_in_as(ELIGIBLE_FC, "an eligible citizen (definitive Y)"),
         marker='[data-eligibility="eligible"]'),
    Page("citizen-not-definitive", 200, "/citizen",
         step=signed_in_as(NOT_DEFINITIVE_FC, "a citizen whose judgment is not definitive"),
         marker='[data-eligibility="not-definitive"]'),
    Page("citizen-no-record", 200, "/citizen",
         step=signed_in_as(NO_RECORD_FC, "a valid fiscal code with no record"),
         marker='[data-eligibility="no-record"]'),
    Page("citizen-active-code", 200,
         step=Step("sign in as an eligible citizen and generate a code", _generate_code),
         marker='[data-field="code"]'),
    Page("citizen-expired-code", 200,
         step=Step("sign in as a citizen whose code has expired", _expired_code),
         marker='[data-field="expired"]'),
    Page("verify-manual", 200, "/verify", marker='input#code'),
    Page("verify-manual-en", 200, "/verify?lang=en", marker='html[lang="en"] input#code'),
    Page("verify-code-form", 200, step=Step("open the QR's address", _open_code_form),
         marker='main form input#fiscal_code'),
    Page("verify-result", 200, step=Step("verify with the holder's fiscal code",
                                         _verify_with(ELIGIBLE_FC)),
         marker='[data-field="name"]'),
    Page("verify-mismatch-422", 422, step=Step("verify with another fiscal code",
                                               _verify_with(NO_RECORD_FC)),
         marker='main[data-status="422"]'),
    Page("benefits", 200, "/benefits", marker="table"),
    Page("benefits-en", 200, "/benefits?lang=en", marker='html[lang="en"] table'),
    Page("operator-login", 200, "/operator/login", marker="input#password"),
    Page("operator-help", 200, "/operator/help", marker="main h2"),
    Page("operator-home", 200, step=Step("sign in as the demo operator", _operator_sign_in),
         marker='[data-field="organisation"]'),
    Page("operator-first-level", 200, step=Step("operator verifies a code",
                                                _operator_first_level),
         marker='form[action$="/otp"]'),
    Page("operator-otp-sent", 200, step=Step("operator asks for the second level",
                                             _operator_otp_sent),
         marker='input#otp'),
    Page("operator-level2", 200, step=Step("operator types the consent code", _operator_level2),
         marker='[data-field="medical_judgment"]'),
    Page("operator-otp-slip-400", 400, step=Step("operator types 5 digits", _operator_otp_slip),
         marker='main[data-status="400"] input#otp'),
    Page("operator-nothing-waiting-410", 410,
         step=Step("operator reopens the used consent form", _operator_nothing_waiting),
         marker='main[data-status="410"]'),
    Page("error-404", 404, "/no-such-page", marker='main[data-status="404"]'),
    Page("error-403-csrf", 403,
         step=demo_sign_in_form(ELIGIBLE_FC, "a wrong CSRF token", csrf="x" * 43),
         marker='main[data-status="403"]', allow_log=(CSRF_REFUSED,)),
    Page("error-400-fiscal-code", 400,
         step=demo_sign_in_form(BAD_FC, f"a bad fiscal code ({BAD_FC})"),
         marker='main[data-status="400"]'),
    # words (issue 13): German, the privacy notice and the citizens' help
    Page("home-de", 200, "/?lang=de", marker='html[lang="de"] main.home'),
    Page("citizen-eligible-de", 200, "/citizen?lang=de",
         step=signed_in_as(ELIGIBLE_FC, "an eligible citizen (definitive Y)"),
         marker='html[lang="de"] [data-sms-lang]'),
    Page("privacy", 200, "/privacy", marker='main [data-field="controller"]'),
    Page("privacy-de", 200, "/privacy?lang=de", marker='html[lang="de"] main [data-field="dpo"]'),
    Page("help", 200, "/help", marker="main section#get, main h2#get"),
    Page("help-en", 200, "/help?lang=en", marker='html[lang="en"] main h2#sms'),
    Page("error-404-de", 404, "/no-such-page?lang=de", marker='html[lang="de"] main[data-status="404"]'),

    # citizens and verifiers (issue 13)
    Page("citizen-confirm-replace", 200, step=Step("ask to replace the code", _confirm("replace")),
         marker='main[data-confirm="replace"] form[action$="/citizen/qr"]'),
    Page("citizen-confirm-revoke", 200, step=Step("ask to revoke the code", _confirm("revoke")),
         marker='main[data-confirm="revoke"] form[action$="/citizen/qr/revoke"]'),
    Page("citizen-replaced", 200, step=Step("replace the code after confirming", _replaced),
         marker='[data-done="replaced"] a[href*="/citizen/qr"]'),
    Page("citizen-failed-attempts", 200,
         step=Step("wrong fiscal codes typed, then the holder signs in",
                   _attempts_seen_by_the_holder),
         marker='main [data-alert="failed-attempts"]'),
    Page("verify-typo-400", 400, step=Step("verify with a bad check character",
                                           _verify_with(BAD_FC)),
         marker='main[data-status="400"] .error-summary a[href="#fiscal_code"]'),
    Page("verify-manual-two-mistakes-400", 400,
         step=Step("type a bad code and half a fiscal code", _manual_two_mistakes),
         marker='main[data-status="400"] .error-summary a[href="#code"]'),
    Page("verify-last-try-422", 422, step=Step("five wrong fiscal codes",
                                               lambda d, i: _wrong_guesses(d, i, 5)),
         marker='main[data-status="422"] [data-field="retry_at"]'),
    Page("verify-cool-down-429", 429, step=Step("the code after five wrong fiscal codes",
                                                _cooled_down),
         marker='main[data-status="429"] [data-field="retry_at"]'),
]


def params(pages):
    return [pytest.param(p, id=p.id, marks=[pytest.mark.allow_log(*p.allow_log)])
            for p in pages]


def reach(driver, invqr, page):
    """Bring the browser to the page as a person would; check it is the one."""
    if page.step is not None:
        page.step(driver, invqr)
    if page.path is not None:
        driver.get(invqr.url + page.path)
    how = " then ".join(filter(None, [page.step and page.step.what,
                                      page.path and "GET " + page.path]))
    assert http_status(driver) == page.status, \
        f"{how}: HTTP {http_status(driver)}, expected {page.status}"
    assert driver.find_elements("css selector", page.marker), \
        f"{how}: landed on {driver.current_url} ({driver.title!r}), which has no {page.marker}"
    assert stylesheet_loaded(driver), f"{how}: the stylesheet did not load"
    return how


SIZES = [pytest.param(DESKTOP, id="%dx%d" % DESKTOP), pytest.param(MOBILE, id="%dx%d" % MOBILE)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("page", params(PAGES))
def test_axe_finds_no_wcag21_aa_violation(browser, invqr, page, size):
    set_viewport(browser, *size)
    how = reach(browser, invqr, page)
    violations = run_axe(browser)["violations"]
    assert not violations, (
        f"axe-core: {len(violations)} WCAG 2.1 A/AA rule(s) violated on {page.id} "
        f"({how}, {size[0]}x{size[1]}):\n" + format_violations(violations))


@pytest.mark.parametrize("page", params(PAGES))
def test_no_horizontal_scrolling_at_320_px(browser, invqr, page):
    set_viewport(browser, *MOBILE)
    how = reach(browser, invqr, page)
    width = browser.execute_script("return document.documentElement.scrollWidth")
    if width > MOBILE[0]:
        wide = browser.execute_script("""
            const out = [];
            for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.right > arguments[0] + 0.5 && r.width > 0)
                    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                             (el.className && typeof el.className === 'string'
                                  ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                             ' right=' + Math.round(r.right));
            }
            return out.slice(0, 15);""", MOBILE[0])
        pytest.fail(f"{page.id} ({how}) is {width} px wide at {MOBILE[0]} px: it scrolls "
                    f"sideways. Elements past the right edge:\n  " + "\n  ".join(wide))
