# SPDX-License-Identifier: Apache-2.0
"""Keyboard-only use (WCAG 2.1.1 Keyboard, 2.4.1 Bypass Blocks, 2.4.3 Focus
Order, 2.4.7 Focus Visible): only Tab, typing and Enter, as sent by the
browser's own input pipeline; no clicks and no element.focus()."""
from urllib.parse import urlparse

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import (ELIGIBLE_FC, demo_sign_in, format_violations, http_status, next_page,
                      run_axe, wait_for)

MAX_TABS = 60      # more Tab presses than any page here needs to go round

ACTIVE = r"""
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className,
            name: el.getAttribute('name'), type: el.getAttribute('type'),
            href: el.getAttribute('href'), text: (el.innerText || el.value || '').trim(),
            inMain: !!el.closest('main'),
            region: (r => r ? r.tagName.toLowerCase() + (r.className ? '.' +
                     r.className.trim().split(/\s+/)[0] : '') : '')(
                     el.parentElement && el.parentElement.closest('nav, header, main, footer'))};
"""


def press(driver, *keys):
    ActionChains(driver).send_keys(*keys).perform()


def active(driver):
    return driver.execute_script(ACTIVE)


def describe(el):
    if el is None:
        return "nothing (the document body)"
    s = el["tag"] + (f"#{el['id']}" if el["id"] else "")
    s += "".join("." + c for c in (el["cls"] or "").split())
    s += f" {el['text'][:40]!r}" if el["text"] else ""
    return s + (f" in <{el['region']}>" if el["region"] else "")


def tab_until(driver, wanted, what):
    """Press Tab until wanted(active element) holds; returns the path taken."""
    path = []
    for _ in range(MAX_TABS):
        press(driver, Keys.TAB)
        el = active(driver)
        path.append(describe(el))
        if el is not None and wanted(el):
            return path
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {what}; focus went:\n  "
                         + "\n  ".join(path))


def test_first_tab_reaches_the_skip_link_and_enter_moves_focus_to_main(browser, invqr):
    browser.get(invqr.url + "/")
    press(browser, Keys.TAB)
    el = active(browser)
    assert el is not None and "skip-link" in (el["cls"] or "").split() \
        and el["href"] == "#main", f"the first Tab focused {describe(el)}, not the skip link"
    # Hidden until focused, then on screen (it slides in).
    wait_for(browser, lambda d: d.execute_script("""
        const r = document.activeElement.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 &&
               r.bottom <= innerHeight && r.right <= innerWidth;"""),
             "the focused skip link to be on screen")
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: d.execute_script(
        "return document.activeElement && document.activeElement.id === 'main'"),
        "focus to move to <main id=main> after Enter on the skip link")
    # ... and the next Tab goes on from there, inside the content.
    press(browser, Keys.TAB)
    el = active(browser)
    assert el is not None and el["inMain"], \
        f"after the skip link, Tab went to {describe(el)}, which is not inside <main>"


def test_demo_sign_in_with_the_keyboard_alone(browser, invqr):
    browser.get(invqr.url + "/citizen")
    tab_until(browser, lambda el: el["id"] == "fiscal_code", "the fiscal code field")
    press(browser, ELIGIBLE_FC)
    assert browser.execute_script("return document.activeElement.value") == ELIGIBLE_FC
    press(browser, Keys.TAB)
    el = active(browser)
    assert el is not None and el["tag"] == "button" and el["type"] == "submit", \
        f"Tab after the fiscal code field went to {describe(el)}, not the sign-in button"
    with next_page(browser):
        press(browser, Keys.ENTER)
    assert urlparse(browser.current_url).path == "/citizen"
    assert http_status(browser) == 200
    marker = browser.find_elements(By.CSS_SELECTOR, "[data-eligibility]")
    assert marker and marker[0].get_attribute("data-eligibility") == "eligible", \
        f"signed in as {ELIGIBLE_FC} (definitive Y) but the page says " \
        f"{[m.get_attribute('data-eligibility') for m in marker]}"
    assert browser.find_element(By.CSS_SELECTOR, '[data-field="fiscal_code"]').text \
        == ELIGIBLE_FC


def test_the_citizen_page_lists_its_sections_and_the_keyboard_follows_the_list(browser, invqr):
    """The citizen's page runs to a dozen sections (15,000 px at 360 px wide):
    its "On this page" list, one line until opened, names every section in
    order, and following a link lands on that section, where Tab goes on."""
    demo_sign_in(browser, invqr, ELIGIBLE_FC)
    browser.get(invqr.url + "/citizen")
    headings = browser.execute_script(
        "return Array.from(document.querySelectorAll('main h2[id]'))"
        ".map(h => [h.id, h.textContent.trim()])")
    assert len(headings) >= 4, headings
    assert not browser.execute_script(
        "return document.querySelector('nav.page-contents details').open"), "opened by itself"
    tab_until(browser, lambda el: el["tag"] == "summary" and el["region"] == "nav.page-contents",
              "the page's list of sections")
    press(browser, Keys.ENTER)
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('nav.page-contents a'))"
        ".filter(a => a.getClientRects().length > 0)"
        ".map(a => [a.getAttribute('href').slice(1), a.textContent.trim()])")
    assert links == headings
    violations = run_axe(browser)["violations"]
    assert not violations, "axe-core, the list open:\n" + format_violations(violations)
    target = headings[len(headings) // 2][0]
    tab_until(browser, lambda el: el["href"] == "#" + target, "the link to #" + target)
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: d.execute_script("""
        const h = document.getElementById(arguments[0]).getBoundingClientRect();
        return location.hash === '#' + arguments[0] && h.top > -1 && h.top < innerHeight;""",
                                                 target),
             "the section #%s on screen after Enter on its link" % target)
    press(browser, Keys.TAB)
    assert browser.execute_script("""
        const h = document.getElementById(arguments[0]), el = document.activeElement;
        return el !== document.body &&
               !!(h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);""", target), \
        f"Tab after following the link went to {describe(active(browser))}, before #{target}"


# Everything a keyboard can reach, with the styles that can show focus.
COLLECT = """
    const sel = 'a[href], area[href], button, input, select, textarea, iframe, summary, ' +
                '[tabindex], [contenteditable=""], [contenteditable="true"]';
    window.__invqrFocusables = Array.from(document.querySelectorAll(sel)).filter(el =>
        !el.disabled && el.type !== 'hidden' && el.tabIndex >= 0 &&
        el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden');
    return window.__invqrFocusables.length;
"""
STYLE = """
    const el = arguments[0] === null ? document.activeElement
                                     : window.__invqrFocusables[arguments[0]];
    const s = getComputedStyle(el);
    return {index: window.__invqrFocusables.indexOf(el),
            outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth,
            outlineColor: s.outlineColor, boxShadow: s.boxShadow,
            background: s.backgroundColor, color: s.color, border: s.borderColor};
"""


def transparent(color):
    return color in ("transparent", "rgba(0, 0, 0, 0)") or color.replace(" ", "").endswith(",0)")


def outline_shown(st):
    return (st["outlineStyle"] != "none" and float(st["outlineWidth"].rstrip("px") or 0) >= 1
            and not transparent(st["outlineColor"]))


def test_every_focusable_element_on_the_home_page_shows_focus(browser, invqr):
    browser.get(invqr.url + "/")
    count = browser.execute_script(COLLECT)
    assert count > 10, f"only {count} focusable elements on the home page?"
    unfocused = [browser.execute_script(STYLE, i) for i in range(count)]
    elements = browser.execute_script("return window.__invqrFocusables")

    reached, problems, path = {}, [], []
    for _ in range(count + 5):
        press(browser, Keys.TAB)
        el = active(browser)
        if el is None:          # Tab left the last element: the round is over
            break
        path.append(describe(el))
        st = browser.execute_script(STYLE, None)
        i = st["index"]
        assert i >= 0, f"Tab focused {describe(el)}, which the page does not list as focusable"
        if i in reached:
            break
        reached[i] = st
        before = unfocused[i]
        outline_changed = (st["outlineStyle"], st["outlineWidth"], st["outlineColor"]) != \
            (before["outlineStyle"], before["outlineWidth"], before["outlineColor"])
        shadow_changed = st["boxShadow"] != before["boxShadow"] and st["boxShadow"] != "none"
        if not ((outline_shown(st) and outline_changed) or shadow_changed):
            problems.append(f"{describe(el)}: focused outline {st['outlineStyle']} "
                            f"{st['outlineWidth']} {st['outlineColor']}, box-shadow "
                            f"{st['boxShadow']}; unfocused outline {before['outlineStyle']} "
                            f"{before['outlineWidth']}, box-shadow {before['boxShadow']}")
    assert not problems, "focus is not visible on:\n  " + "\n  ".join(problems)
    missed = [elements[i].get_attribute("outerHTML")[:120] for i in range(count)
              if i not in reached]
    assert not missed, ("Tab never reached these focusable elements:\n  " + "\n  ".join(missed)
                        + "\nfocus went:\n  " + "\n  ".join(path))
