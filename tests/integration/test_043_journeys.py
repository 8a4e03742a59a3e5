# SPDX-License-Identifier: Apache-2.0
"""Citizens and verifiers as a new user meets them (issue 13): a slip in the
fiscal code comes back on the same page with what was typed; the tries left
and the end of a cool-down are said exactly; the holder learns of wrong
fiscal codes typed for their code; replacing and revoking ask first; the
holder sees what a verifier sees (docs/contract.md: HTTP surface, Markers for
machines, Levels of disclosure)."""
import datetime
import itertools
import re

import pytest
import requests

from conftest import csrf_of, demo_login
from harness import CSV_HEADER, citizen_row, fiscal_code, visible_text

_seq = itertools.count(1)
ME = "127.0.0.1"
WRONG = fiscal_code("RSSMRA80A01H501")


def new_citizen(invqr, tmp_path, **kw):
    n = next(_seq)
    fc = fiscal_code("TSTJRN%02dA01H50%d" % (n % 100, n // 100 % 10))
    path = tmp_path / ("j%d.csv" % n)
    path.write_text(CSV_HEADER + "\n" + citizen_row(fc, **kw) + "\n", encoding="utf-8")
    invqr.admin("import", str(path), check=0)
    return fc


def signed_in(invqr, fc):
    s = requests.Session()
    demo_login(s, invqr, fc)
    return s


def code_of(html):
    m = re.search(r'data-field="code">([0-9A-Z-]{23})<', html)
    assert m, html[:2000]
    return m.group(1).replace("-", "")


def generate(invqr, s):
    page = s.get(invqr.url + "/citizen")
    r = s.post(invqr.url + "/citizen/qr", data={"csrf": csrf_of(page.text), "notice": "yes"},
               allow_redirects=False)
    assert r.status_code == 303
    return code_of(s.get(invqr.url + "/citizen").text)


def post_fc(invqr, s, code, typed, page=None):
    """Send typed as the fiscal code from the form of page (or a fresh one;
    the token of /verify's when the code's own page has no form, cooling
    down)."""
    if page is None:
        page = s.get(invqr.url + "/v/" + code)
        if page.status_code == 429:
            page = s.get(invqr.url + "/verify")
    return s.post(invqr.url + "/v/" + code, data={"csrf": csrf_of(page.text),
                                                 "fiscal_code": typed})


def fields(html):
    return {m.group(1): m.group(2) for m in
            re.finditer(r'data-field="([a-z_]+)"(?: data-value="([a-z0-9_]+)")?', html)}


def field_text(html, name):
    m = re.search(r'data-field="%s"[^>]*>(.*?)</' % name, html, re.S)
    return m and re.sub(r"<[^>]+>", "", m.group(1)).strip()


def summary_links(html):
    m = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    return m and re.findall(r'<a href="(#[a-z_]+)">', m.group(1))


def tries_of(invqr, code):
    return invqr.sql("SELECT fail_count FROM qr_code WHERE code = '%s'" % code)[0][0]


def conf_int(invqr, key, default):
    try:
        return int(invqr.conf_value(key))
    except KeyError:
        return default


@pytest.fixture
def fresh_client(invqr):
    """These tests guess wrong on purpose: this client starts and ends below
    its own limit (test_040 proves that limit)."""
    invqr.sql("DELETE FROM verify_client WHERE client_addr = '%s'" % ME)
    yield
    invqr.sql("DELETE FROM verify_client WHERE client_addr = '%s'" % ME)


# -- mistakes come back on the same page -----------------------------------------

def test_a_bad_check_character_comes_back_with_what_was_typed(invqr, tmp_path, fresh_client):
    fc = new_citizen(invqr, tmp_path, surname="Nascosta")
    code = generate(invqr, signed_in(invqr, fc))
    bad = fc[:15] + ("A" if fc[15] != "A" else "B")
    s = requests.Session()
    r = post_fc(invqr, s, code, bad.lower())
    assert r.status_code == 400 and 'data-status="400"' in r.text
    assert "Nascosta" not in visible_text(r.text)
    # the same form, to the same code, with what was typed
    assert 'action="/v/%s"' % code in r.text
    assert re.search(r'<input id="fiscal_code"[^>]* value="%s"' % bad.lower(), r.text)
    # the message beside the field, tied to it, and in a summary that links to it
    assert summary_links(r.text) == ["#fiscal_code"]
    assert re.search(r'<input id="fiscal_code"[^>]*aria-describedby="fiscal_code-hint '
                     r'fiscal_code-error"[^>]*aria-invalid="true"', r.text)
    err = re.search(r'<p id="fiscal_code-error" class="error-message">(.*?)</p>', r.text).group(1)
    assert "15" in err and "non conta come tentativo" in err     # the check character; no try
    assert "<title>Errore: " in r.text and 'autofocus' in r.text
    assert tries_of(invqr, code) == "0"
    # the form it came back with works
    r = post_fc(invqr, s, code, fc, page=r)
    assert r.status_code == 200 and field_text(r.text, "name")


@pytest.mark.parametrize("typed, reason", [
    ("", "Inserisca il codice fiscale"),
    ("RSSMRA80A01H50", "16 caratteri"),
    ("RSSMRA80A01H5*1X", "solo lettere e cifre"),
    ("RSSMRA80Z01H501U", "al posto giusto"),
])
def test_each_kind_of_slip_is_named(invqr, tmp_path, fresh_client, typed, reason):
    fc = new_citizen(invqr, tmp_path)
    code = generate(invqr, signed_in(invqr, fc))
    r = post_fc(invqr, requests.Session(), code, typed)
    assert r.status_code == 400
    err = re.search(r'<p id="fiscal_code-error" class="error-message">(.*?)</p>', r.text).group(1)
    assert reason in err, err


def test_spaces_inside_the_fiscal_code_are_accepted(invqr, tmp_path, fresh_client):
    fc = new_citizen(invqr, tmp_path, given="Ada", surname="Spazi")
    code = generate(invqr, signed_in(invqr, fc))
    grouped = " ".join([fc[:3], fc[3:6], fc[6:11], fc[11:]]).lower()
    r = post_fc(invqr, requests.Session(), code, "\u00a0" + grouped + " ")
    assert r.status_code == 200 and field_text(r.text, "name") == "Ada Spazi"
    s = requests.Session()
    form = s.get(invqr.url + "/verify")
    r = s.post(invqr.url + "/verify", data={"csrf": csrf_of(form.text), "code": code,
                                            "fiscal_code": grouped})
    assert r.status_code == 200 and field_text(r.text, "name") == "Ada Spazi"


def test_manual_entry_lists_every_mistake_at_once(invqr):
    s = requests.Session()
    form = s.get(invqr.url + "/verify?lang=en")
    r = s.post(invqr.url + "/verify", data={"csrf": csrf_of(form.text), "code": "ABCDE-1234",
                                            "fiscal_code": "rss mra"})
    assert r.status_code == 400 and 'data-status="400"' in r.text
    assert summary_links(r.text) == ["#code", "#fiscal_code"]
    assert "There is a problem" in r.text and "<title>Error: " in r.text
    assert re.search(r'<input id="code"[^>]* value="ABCDE-1234"', r.text)
    assert re.search(r'<input id="fiscal_code"[^>]* value="rss mra"', r.text)
    # an empty code is said as such
    r = s.post(invqr.url + "/verify", data={"csrf": csrf_of(r.text), "code": " ",
                                            "fiscal_code": WRONG})
    assert r.status_code == 400 and summary_links(r.text) == ["#code"]
    assert "Enter the attestation code" in r.text


# -- tries left, the cool-down and when it ends -------------------------------------

def test_tries_left_then_a_cool_down_with_its_end(invqr, tmp_path, fresh_client):
    fc = new_citizen(invqr, tmp_path)
    code = generate(invqr, signed_in(invqr, fc))
    limit = conf_int(invqr, "verify_max_failures", 5)
    s = requests.Session()
    page = None
    for left in range(limit - 1, 0, -1):
        r = post_fc(invqr, s, code, WRONG, page=page)
        assert r.status_code == 422 and 'data-status="422"' in r.text
        assert field_text(r.text, "attempts_left") == str(left)
        # kept, beside the field, in the summary that takes the focus
        assert re.search(r'<input id="fiscal_code"[^>]* value="%s"' % WRONG, r.text)
        assert summary_links(r.text) == ["#fiscal_code"]
        page = r
    # the last try: 422 still, and at once when it ends; nothing left to send
    before = datetime.datetime.now(datetime.timezone.utc)
    r = post_fc(invqr, s, code, WRONG, page=page)
    assert r.status_code == 422 and field_text(r.text, "attempts_left") == "0"
    assert 'name="fiscal_code"' not in r.text and 'name="csrf"' not in r.text
    at = re.search(r'<time datetime="([^"]+)" data-field="retry_at">(\d\d:\d\d)</time>', r.text)
    assert at, r.text
    end = datetime.datetime.fromisoformat(at.group(1))
    assert end.strftime("%H:%M") == at.group(2)
    window = conf_int(invqr, "verify_window_seconds", 900)
    # rounded up to the minute, never before the window's end
    assert before + datetime.timedelta(seconds=window - 5) <= end \
        <= before + datetime.timedelta(seconds=window + 120)
    assert field_text(r.text, "retry_minutes") == "%d minuti" % ((window + 59) // 60)
    # the QR's page says so at once, without a form (nothing is audited)
    r = s.get(invqr.url + "/V/" + code)
    assert r.status_code == 429 and 'name="fiscal_code"' not in r.text
    assert re.search(r'data-field="retry_at">%s<' % at.group(2), r.text)
    # the holder's own fiscal code meets the cool-down: 429, no blame, the
    # same end, only what works (another code, the citizen area, home)
    r = post_fc(invqr, s, code, fc)
    assert r.status_code == 429 and 'data-status="429"' in r.text
    retry = int(r.headers["Retry-After"])
    assert 0 < retry <= window
    assert re.search(r'data-field="retry_at">%s<' % at.group(2), r.text)
    text = visible_text(r.text)
    assert "Hai fatto troppi tentativi" not in text and "Riprova" not in text
    main = r.text[r.text.index("<main"):r.text.index("</main>")]
    assert 'name="fiscal_code"' not in main and 'href="/v/' not in main
    links = re.findall(r'<ul class="next-steps">(.*?)</ul>', r.text, re.S)[0]
    assert re.findall(r'href="([^"]+)"', links) == ["/verify", "/citizen", "/"]
    # audited: the last try with the cool-down's length, never the text typed
    rows = invqr.sql("SELECT outcome, COALESCE(detail, '-') FROM audit_log WHERE code = '%s'"
                     " AND event = 'verify' ORDER BY id" % code)
    assert [o for o, _ in rows] == ["mismatch"] * limit + ["limited"]
    until = re.fullmatch(r"cooldown until (\d+)", rows[limit - 1][1])
    assert until and rows[0][1] == "-"
    # the page's minute is the recorded end, rounded up
    assert datetime.datetime.fromtimestamp(int(until.group(1)) + 59, datetime.timezone.utc) \
        .replace(second=0) == end.astimezone(datetime.timezone.utc)
    assert invqr.sql("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%%%s%%'"
                     " OR fiscal_code = '%s'" % (WRONG, WRONG)) == [("0",)]


def test_a_client_held_back_is_told_its_window_end(invqr, tmp_path, fresh_client):
    fc = new_citizen(invqr, tmp_path)
    code = generate(invqr, signed_in(invqr, fc))
    limit = conf_int(invqr, "client_max_failures", 30)
    window = conf_int(invqr, "client_window_seconds", 600)
    invqr.sql("REPLACE INTO verify_client VALUES ('%s', %d, NOW() - INTERVAL 100 SECOND)"
              % (ME, limit))
    r = post_fc(invqr, requests.Session(), code, fc)
    assert r.status_code == 429 and 'data-limit="client"' in r.text
    # the window's end, not a fixed minute that would promise a retry in vain
    assert window - 110 <= int(r.headers["Retry-After"]) <= window - 100
    links = re.findall(r'<ul class="next-steps">(.*?)</ul>', r.text, re.S)[0]
    assert "/verify" not in links       # another code would be held back too


# -- the holder learns of them --------------------------------------------------------

def test_the_holder_sees_wrong_fiscal_codes_and_cool_downs(invqr, tmp_path, fresh_client):
    fc = new_citizen(invqr, tmp_path)
    holder = signed_in(invqr, fc)
    code = generate(invqr, holder)
    page = holder.get(invqr.url + "/citizen").text
    assert 'data-table="failed-attempts"' not in page and "failed-attempts" not in page
    limit = conf_int(invqr, "verify_max_failures", 5)
    s = requests.Session()
    for _ in range(limit):
        assert post_fc(invqr, s, code, WRONG).status_code == 422
    page = holder.get(invqr.url + "/citizen").text
    # said at the top, listed below with the advice and the way to replace
    assert re.search(r'data-alert="failed-attempts"[^>]*>.*?href="#failed-attempts"', page, re.S)
    table = re.search(r'<table[^>]*data-table="failed-attempts".*?</table>', page, re.S).group(0)
    assert table.count('data-attempt="mismatch"') == limit - 1
    assert table.count('data-attempt="cooldown"') == 1
    assert re.search(r'data-attempt="cooldown".*?<strong>\d\d:\d\d</strong>', table, re.S)
    # when, as people read a date here (issue 13: no ISO dates beside local ones)
    assert len(re.findall(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d">\d\d/\d\d/\d{4} \d\d:\d\d</time>',
                          table)) == limit
    assert 'href="/citizen/qr/replace"' in page
    # never the fiscal code that was typed
    assert WRONG not in page
    # the successful verifications keep their own table
    assert post_fc(invqr, requests.Session(), code, fc).status_code == 429


# -- replace and revoke ask first -------------------------------------------------------

def test_replace_asks_first_then_says_so_and_offers_the_new_pdf(invqr, tmp_path, fresh_client):
    fc = new_citizen(invqr, tmp_path)
    s = signed_in(invqr, fc)
    old = generate(invqr, s)
    page = s.get(invqr.url + "/citizen").text
    # no one-click form any more: links to the pages that ask
    assert 'action="/citizen/qr"' not in page and 'action="/citizen/qr/revoke"' not in page
    assert 'href="/citizen/qr/replace"' in page and 'href="/citizen/qr/revoke"' in page
    ask = s.get(invqr.url + "/citizen/qr/replace")
    assert ask.status_code == 200 and 'data-confirm="replace"' in ask.text
    grouped = "-".join(old[i:i + 5] for i in range(0, 20, 5))
    assert 'data-field="code">%s<' % grouped in ask.text
    assert "anche sulle copie stampate" in ask.text
    assert re.search(r'<form method="post" action="/citizen/qr">\s*<input type="hidden" '
                     r'name="csrf"', ask.text)
    assert 'href="/citizen"' in ask.text                          # the way back
    # asking changed nothing
    assert post_fc(invqr, requests.Session(), old, fc).status_code == 200
    r = s.post(invqr.url + "/citizen/qr", data={"csrf": csrf_of(ask.text)},
               allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/citizen?done=replaced")
    done = s.get(invqr.url + "/citizen?done=replaced").text
    box = re.search(r'<div class="alert alert-success" role="status" data-done="replaced">'
                    r'(.*?)</div>', done, re.S).group(1)
    assert "non funziona più" in box and "generata" not in box
    pdf = re.search(r'href="([^"]+)"', box).group(1)
    r = s.get(invqr.origin + pdf)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    new = code_of(done)
    assert new != old and post_fc(invqr, requests.Session(), old, fc).status_code == 410
    # the first code is still "generated", not "replaced"
    other = new_citizen(invqr, tmp_path)
    s2 = signed_in(invqr, other)
    page = s2.get(invqr.url + "/citizen")
    r = s2.post(invqr.url + "/citizen/qr", data={"csrf": csrf_of(page.text), "notice": "yes"},
                allow_redirects=False)
    assert r.headers["Location"].endswith("/citizen?done=issued")


def test_revoke_asks_first(invqr, tmp_path):
    fc = new_citizen(invqr, tmp_path)
    s = signed_in(invqr, fc)
    code = generate(invqr, s)
    ask = s.get(invqr.url + "/citizen/qr/revoke?lang=en")
    assert ask.status_code == 200 and 'data-confirm="revoke"' in ask.text
    assert "printed copies" in ask.text
    assert invqr.sql("SELECT active FROM qr_code WHERE code = '%s'" % code) == [("1",)]
    r = s.post(invqr.url + "/citizen/qr/revoke", data={"csrf": csrf_of(ask.text)},
               allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/citizen?done=revoked")
    # (the language chosen on the way is remembered)
    done = s.get(invqr.url + "/citizen?done=revoked").text
    assert re.search(r'class="alert alert-success" role="status">[^<]*printed copies', done)
    # nothing left to ask about: back to the citizen area
    for what in ("replace", "revoke"):
        r = s.get(invqr.url + "/citizen/qr/" + what, allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"].endswith("/citizen")
    # and never without a citizen
    assert requests.get(invqr.url + "/citizen/qr/replace").status_code == 401


# -- the holder sees what a verifier sees -------------------------------------------

def test_the_holder_sees_the_first_level_a_verifier_sees(invqr, tmp_path, fresh_client):
    fc = new_citizen(invqr, tmp_path, surname="Vista", given="Eva", civ="Y", att="N",
                     blind="ABSOLUTE", deaf="Y", hcap="ART3_C1", review="2031-06-15")
    s = signed_in(invqr, fc)
    code = generate(invqr, s)
    page = s.get(invqr.url + "/citizen").text
    view = re.search(r'<section[^>]*data-section="verifier-view".*?</section>', page, re.S).group(0)
    result = post_fc(invqr, requests.Session(), code, fc).text
    panel = re.search(r'<section class="result match".*?</section>', result, re.S).group(0)
    mine, theirs = fields(view), fields(panel)
    theirs.pop("checked_at", None)
    assert mine == theirs and len(mine) == 7
    assert field_text(view, "name") == "Eva Vista"
    # nothing of the second level in it
    for secret in ["medical_judgment", "invalidity_percent", "Giudizio di prova"]:
        assert secret not in view
    # the record's dates as people read them, and when the agency last changed it
    assert field_text(page, "judgment_date") == "01/02/2020"
    assert field_text(page, "review_date") == "15/06/2031"
    assert "finché l'esito" not in page
    updated = field_text(page, "updated_at")
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", updated), updated
    # a re-import that changes nothing leaves it; the view follows the record
    assert 'data-field="deafness" data-value="yes"' in view


def test_a_past_review_date_is_explained(invqr, tmp_path):
    fc = new_citizen(invqr, tmp_path, definitive="N", review="2024-01-31")
    page = signed_in(invqr, fc).get(invqr.url + "/citizen").text
    # not definitive: no verifier's view, but the record's dates
    assert 'data-section="verifier-view"' not in page
    assert field_text(page, "review_date").startswith("31/01/2024")
    assert "finché l'esito della revisione non viene registrato" in page
    page = signed_in(invqr, new_citizen(invqr, tmp_path)).get(invqr.url + "/citizen").text
    assert field_text(page, "review_date") == "Nessuna revisione prevista"


def contents_of(html):
    """The page's "On this page" list as [(target id, text)], or None."""
    nav = re.search(r'<nav class="page-contents".*?</nav>', html, re.S)
    if nav is None:
        return None
    return re.findall(r'<a href="#([^"]+)">([^<]*)</a>', nav.group(0))


def test_a_long_citizen_page_lists_its_sections_first(invqr, tmp_path):
    s = signed_in(invqr, new_citizen(invqr, tmp_path))
    generate(invqr, s)
    page = s.get(invqr.url + "/citizen").text
    main = re.search(r'<main.*?</main>', page, re.S).group(0)
    headings = re.findall(r'<h2 id="([^"]+)">([^<]*)</h2>', main)
    assert len(headings) >= 8, headings
    # every section, in order, and nothing else; the list comes before them
    assert contents_of(page) == headings
    assert main.index('class="page-contents"') < main.index('<h2 id="%s"' % headings[0][0])
    assert 'aria-labelledby="page-contents"' in page and 'id="page-contents"' in page
    # the same in German: the list follows the page's language
    de = s.get(invqr.url + "/citizen?lang=de").text
    assert "Auf dieser Seite" in de and contents_of(de)[0][1] == "Ihre Bescheinigung"


def test_a_short_citizen_page_has_no_list(invqr, tmp_path):
    s = signed_in(invqr, new_citizen(invqr, tmp_path, definitive="N"))
    page = s.get(invqr.url + "/citizen").text
    assert 'data-eligibility="not-definitive"' in page
    assert contents_of(page) is None and "In questa pagina" not in page
