# SPDX-License-Identifier: Apache-2.0
"""Words (issue 13): German beside Italian and English, error pages in the
language the request asked for, a 404 that only talks about codes at a
code's address, and the consent SMS in the holder's language, which the
holder chooses on /citizen (SPEC: Languages)."""
import re
import socket
from urllib.parse import urlparse

import pytest
import requests

from conftest import csrf_of
from harness import visible_text
from test_050_operator import (first_level, login, new_citizen_with_code, new_operator,
                               new_sms, request_otp, spool_names)


def test_german_is_chosen_by_accept_language_and_by_lang(invqr):
    r = requests.get(invqr.url + "/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert '<html lang="de">' in r.text and "Startseite" in r.text
    s = requests.Session()
    s.headers["Accept-Language"] = "it"
    assert '<html lang="de">' in s.get(invqr.url + "/verify?lang=de").text
    assert any(c.name == "invqr_lang" and c.value == "de" for c in s.cookies)
    assert '<html lang="de">' in s.get(invqr.url + "/benefits").text
    # the three language links on every page, each named in itself
    home = s.get(invqr.url + "/").text
    for tag, name in [("it", "Italiano"), ("en", "English"), ("de", "Deutsch")]:
        assert re.search(r'<a href="/\?lang=%s"[^>]*hreflang="%s"[^>]*>%s</a>' % (tag, tag, name),
                         home), tag


@pytest.mark.parametrize("lang,title", [("de", "Seite nicht gefunden"), ("en", "Page not found"),
                                        ("it", "Pagina non trovata")])
def test_an_error_page_speaks_the_lang_of_its_own_request(invqr, lang, title):
    # Accept-Language says otherwise: ?lang= wins on the same response
    other = "it" if lang != "it" else "en"
    r = requests.get(invqr.url + "/no-such-page?lang=" + lang, headers={"Accept-Language": other})
    assert r.status_code == 404
    assert '<html lang="%s">' % lang in r.text
    assert "<h1>%s</h1>" % title in r.text
    main = visible_text(r.text.split("<main", 1)[1].split("</main>", 1)[0])
    # a mistyped address is not a QR code
    assert "QR" not in main


def test_only_a_codes_address_gets_the_code_not_found_page(invqr):
    r = requests.get(invqr.url + "/v/not-a-code?lang=it")
    assert r.status_code == 404
    assert "<h1>Codice non trovato</h1>" in r.text and "20 caratteri" in r.text
    assert 'href="/verify"' in r.text.split("<main", 1)[1]


def test_the_error_status_is_the_quiet_last_line(invqr):
    r = requests.get(invqr.url + "/no-such-page?lang=en")
    main = r.text.split("<main", 1)[1].split("</main>", 1)[0]
    assert main.rstrip().endswith('<p class="error-code">Error code: 404</p>')


def test_a_414_follows_the_lang_its_request_line_names(invqr):
    """httpd refuses an over-long request line before it reads the headers,
    so ?lang= at the start of the line is all there is to go by."""
    u = urlparse(invqr.url)
    for lang, h1 in [("de", 'lang="de"'), ("en", 'lang="en"'), (None, 'lang="it"')]:
        query = ("lang=%s&" % lang if lang else "") + "x=" + "a" * 10000
        with socket.create_connection((u.hostname, u.port), timeout=10) as c:
            c.sendall(b"GET /verify?" + query.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                data += chunk
        text = data.decode("utf-8", "replace")
        assert text.startswith("HTTP/1.1 414"), text[:200]
        assert "<html " + h1 in text, (lang, text[:600])


def sms_lang_form(citizen, invqr, lang):
    page = citizen.get(invqr.url + "/citizen")
    return citizen.post(invqr.url + "/citizen/sms-language",
                        data={"csrf": csrf_of(page.text), "sms_lang": lang}, allow_redirects=False)


def test_the_consent_sms_is_in_the_holders_language_not_the_operators(invqr, tmp_path):
    fc, code, citizen = new_citizen_with_code(invqr, tmp_path)
    page = citizen.get(invqr.url + "/citizen").text
    # Italian until the holder chooses
    assert 'data-sms-lang="it"' in page
    assert re.search(r'<input type="radio" name="sms_lang" id="sms-lang-it" value="it" checked', page)
    user = new_operator(invqr, "Comune di Bolzano")

    def sms_for(op_lang):
        s, _ = login(invqr, user)
        s.headers["Accept-Language"] = op_lang
        result = first_level(invqr, s, code, fc)
        assert result.status_code == 200
        before = spool_names(invqr)
        assert request_otp(invqr, s, code, result).status_code == 200
        return new_sms(invqr, before).partition("\n\n")[2]

    # an English-speaking operator, an Italian holder: Italian, with "lei"
    text = sms_for("en")
    assert text.startswith("Comune di Bolzano chiede di vedere") and "Se è d'accordo" in text
    # the holder chooses German on /citizen
    r = sms_lang_form(citizen, invqr, "de")
    assert r.status_code == 303 and "/citizen?done=sms-language" in r.headers["Location"]
    page = citizen.get(invqr.url + "/citizen?done=sms-language").text
    assert 'data-sms-lang="de"' in page and 'role="status"' in page
    assert invqr.sql("SELECT sms_lang FROM holder_preference WHERE fiscal_code = '%s'" % fc) == [("de",)]
    text = sms_for("it")
    assert text.startswith("Comune di Bolzano möchte die ärztliche Beurteilung"), text
    assert "Wenn Sie einverstanden sind" in text
    sms_lang_form(citizen, invqr, "en")
    assert sms_for("de").startswith("Comune di Bolzano asks to see")


def test_sms_language_form_refuses_what_is_not_a_language(invqr, tmp_path):
    fc, code, citizen = new_citizen_with_code(invqr, tmp_path)
    for bad in ["fr", "", "deu", "d"]:
        assert sms_lang_form(citizen, invqr, bad).status_code == 400
    assert invqr.sql("SELECT COUNT(*) FROM holder_preference WHERE fiscal_code = '%s'" % fc) == [("0",)]
    # and nobody who is not signed in can set one
    r = requests.post(invqr.url + "/citizen/sms-language", data={"sms_lang": "de"},
                      allow_redirects=False)
    assert r.status_code in (401, 403)


def test_the_operators_recent_checks_say_words_not_audit_values(invqr, tmp_path):
    fc, code, _ = new_citizen_with_code(invqr, tmp_path)
    s, _ = login(invqr, new_operator(invqr))
    assert first_level(invqr, s, code, fc).status_code == 200
    home = s.get(invqr.url + "/operator?lang=it").text
    table = home[home.index("<tbody"):home.index("</tbody>")]
    assert re.search(r'<td data-label="Esito" data-value="match">Attestazione valida</td>', table)
    assert ">match<" not in table
    # the date as Italians write it, the ISO form for machines
    assert re.search(r'datetime="\d{4}-\d\d-\d\dT\d\d:\d\d">\d\d/\d\d/\d{4} \d\d:\d\d<', table)


def test_benefits_in_german_from_the_optional_german_columns(invqr):
    r = requests.get(invqr.url + "/benefits?lang=de")
    assert '<html lang="de">' in r.text
    assert "Parkausweis für Menschen mit Behinderung (CUDE)" in r.text
    assert "Contrassegno di parcheggio" not in r.text
