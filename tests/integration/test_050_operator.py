# SPDX-License-Identifier: Apache-2.0
"""Operators sign in, and with the citizen's SMS consent see the second
level (docs/contract.md: Levels of disclosure, The consent code (OTP) and its
SMS, What is recorded)."""
import http.server
import itertools
import re
import threading

import pytest
import requests

from conftest import csrf_of, demo_login
from harness import CSV_HEADER, citizen_row, fiscal_code, start_instance, stop_instance

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def new_operator(invqr, org="Comune di Prova"):
    n = next(_seq)
    invqr.admin("org", "add", org)          # exists after the first time: exit 1 is fine
    user = "op%d.test" % n
    invqr.admin("operator", "add", "--org", org, user, stdin=PASSWORD + "\n", check=0)
    return user


def login(invqr, user, password=PASSWORD, session=None):
    s = session or requests.Session()
    page = s.get(invqr.url + "/operator/login")
    assert page.status_code == 200
    r = s.post(invqr.url + "/operator/login",
               data={"csrf": csrf_of(page.text), "username": user, "password": password},
               allow_redirects=False)
    return s, r


def new_citizen_with_code(invqr, tmp_path, **kw):
    n = next(_seq)
    fc = fiscal_code("TSTOPR%02dA01H50%d" % (n % 100, n // 100 % 10))
    path = tmp_path / ("op%d.csv" % n)
    path.write_text(CSV_HEADER + "\n" + citizen_row(fc, **kw) + "\n", encoding="utf-8")
    invqr.admin("import", str(path), check=0)
    c = requests.Session()
    demo_login(c, invqr, fc)
    page = c.get(invqr.url + "/citizen")
    c.post(invqr.url + "/citizen/qr", data={"csrf": csrf_of(page.text), "notice": "yes"})
    code = re.search(r'data-field="code">([0-9A-Z-]{23})<', c.get(invqr.url + "/citizen").text)
    return fc, code.group(1).replace("-", ""), c


def first_level(invqr, s, code, fc):
    form = s.get(invqr.url + "/v/" + code)
    return s.post(invqr.url + "/v/" + code, data={"csrf": csrf_of(form.text), "fiscal_code": fc})


def spool_names(invqr):
    """The messages now in the SMS spool (the gateway writes each under a
    temporary dot-name first, then renames it)."""
    return {p.name for p in (invqr.run / "sms").iterdir() if not p.name.startswith(".")}


def new_sms(invqr, before):
    """The one message the spool gained since spool_names() gave before.
    (Not "the newest by mtime": two files written within one clock tick of
    the file system have the same mtime, so that could pick another's.)"""
    files = sorted(spool_names(invqr) - before)
    assert len(files) == 1, f"expected one new SMS in the spool, found {files}"
    # smstools3 reads a file without an "Alphabet:" header as ISO-8859-15
    return (invqr.run / "sms" / files[0]).read_text(encoding="iso-8859-15")


def request_otp(invqr, s, code, page):
    return s.post(invqr.url + "/v/%s/otp" % code, data={"csrf": csrf_of(page.text)})


def send_otp(invqr, s, code, page, otp):
    challenge = re.search(r'name="challenge" value="([^"]+)"', page.text).group(1)
    return s.post(invqr.url + "/v/%s/level2" % code,
                  data={"csrf": csrf_of(page.text), "challenge": challenge, "otp": otp})


@pytest.mark.allow_log(r"INVQR0162")
def test_operator_sign_in_and_home(invqr):
    user = new_operator(invqr)
    s, r = login(invqr, user)
    assert r.status_code == 303 and r.headers["Location"].endswith("/operator")
    home = s.get(invqr.url + "/operator")
    assert home.status_code == 200
    assert 'data-field="operator">%s<' % user in home.text
    assert 'data-field="organisation">Comune di Prova<' in home.text
    assert 'href="/operator/help"' in home.text
    help_page = requests.get(invqr.url + "/operator/help?lang=en")
    assert help_page.status_code == 200 and "second level" in help_page.text.lower()


def test_operator_pages_need_sign_in(invqr):
    """Issue 13: "Area operatori" (the menu's /operator) leads an operator
    who is not signed in to the operator's sign-in, never to a dead end."""
    r = requests.get(invqr.url + "/operator", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/operator/login"
    landed = requests.get(invqr.url + "/operator")
    assert landed.status_code == 200 and 'action="/operator/login"' in landed.text


@pytest.mark.allow_log(r"INVQR0162")
def test_operator_sign_in_returns_to_the_page_asked_for(invqr):
    """A page of the operator area asked for without a session: the sign-in
    form carries where to go on ("next"), and the sign-in goes there; a
    wrong password keeps it for the next try."""
    path = "/v/ABCDEFGHJKMNPQRSTVWX/level2"
    r = requests.get(invqr.url + path, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/operator/login?next=" + path
    user = new_operator(invqr)
    s = requests.Session()
    form = s.get(invqr.url + r.headers["Location"])
    assert 'name="next" value="%s"' % path in form.text
    wrong = s.post(invqr.url + "/operator/login", allow_redirects=False,
                   data={"csrf": csrf_of(form.text), "username": user, "password": "nope nope",
                         "next": path})
    assert wrong.headers["Location"] == "/operator/login?error=1&next=" + path
    again = s.get(invqr.url + wrong.headers["Location"])
    assert again.status_code == 401 and 'name="next" value="%s"' % path in again.text
    ok = s.post(invqr.url + "/operator/login", allow_redirects=False,
                data={"csrf": csrf_of(again.text), "username": user, "password": PASSWORD,
                      "next": path})
    assert ok.status_code == 303 and ok.headers["Location"] == path


@pytest.mark.parametrize("nxt", ["//evil.example/x", "https://evil.example/", "/\\evil.example",
                                 "/operator/../../etc", "/a?b=c", "/%2F%2Fevil.example",
                                 "/a b", "\r\nSet-Cookie: x=1"])
def test_sign_in_never_returns_outside_the_service(invqr, nxt):
    user = new_operator(invqr)
    s = requests.Session()
    form = s.get(invqr.url + "/operator/login", params={"next": nxt})
    assert 'name="next"' not in form.text
    ok = s.post(invqr.url + "/operator/login", allow_redirects=False,
                data={"csrf": csrf_of(form.text), "username": user, "password": PASSWORD,
                      "next": nxt})
    assert ok.status_code == 303 and ok.headers["Location"] == "/operator"


def test_an_operator_action_without_sign_in_offers_the_operator_sign_in(invqr):
    """POST /v/CODE/otp without a session cannot be redirected (it is an
    action): its 401 page offers the operator's sign-in, not the citizen's."""
    s = requests.Session()
    page = s.get(invqr.url + "/verify")
    r = s.post(invqr.url + "/v/ABCDEFGHJKMNPQRSTVWX/otp", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 401 and 'data-status="401"' in r.text
    main = r.text.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'href="/operator/login"' in main and 'href="/citizen"' not in main


def test_the_sign_in_page_says_how_to_get_credentials(invqr):
    """Issue 13: the sign-in page names who gives credentials and resets
    passwords (operator_help_contact in invqr.conf; a default without it)."""
    it = requests.get(invqr.url + "/operator/login?lang=it")
    en = requests.get(invqr.url + "/operator/login?lang=en")
    try:
        contact = invqr.conf_value("operator_help_contact")
    except KeyError:
        contact = None
    for page in (it, en):
        assert page.status_code == 200
        m = re.search(r'data-field="operator_help_contact">([^<]+)<', page.text)
        assert m, page.text
        if contact:
            assert m.group(1) == contact
    assert "password" in en.text.lower() and "credentials" in en.text.lower()


@pytest.mark.allow_log(r"INVQR0162")
def test_wrong_password_and_unknown_user_look_the_same(invqr):
    user = new_operator(invqr)
    _, wrong = login(invqr, user, "not the password at all")
    _, unknown = login(invqr, "nobody.here", "not the password at all")
    assert wrong.status_code == unknown.status_code == 303
    assert wrong.headers["Location"] == unknown.headers["Location"]
    a = requests.get(invqr.url + wrong.headers["Location"])
    assert a.status_code == 401 and "alert-error" in a.text


@pytest.mark.allow_log(r"INVQR0162")
def test_five_wrong_passwords_lock_the_account(invqr):
    user = new_operator(invqr)
    for _ in range(5):
        _, r = login(invqr, user, "wrong password 123")
        assert r.headers["Location"].endswith("error=1")
    _, r = login(invqr, user)           # right password, but locked now
    assert r.headers["Location"].endswith("error=1")
    assert invqr.sql("SELECT locked_until > NOW() FROM operator WHERE username = '%s'" % user) \
        == [("1",)]
    invqr.admin("operator", "unlock", user, check=0)
    _, r = login(invqr, user)
    assert r.headers["Location"].endswith("/operator")


@pytest.mark.allow_log(r"INVQR0162")
def test_a_try_never_settled_stops_holding_the_account(invqr):
    """Five tries taken and never settled (their processes died between
    taking a try and checking the password) hold the account while they may
    still be in flight, and no longer than a minute: then the right
    password signs in, and the account is not locked."""
    user = new_operator(invqr)
    invqr.sql("UPDATE operator SET failed_logins = 5, locked_until = NULL,"
              " attempt_at = NOW() - INTERVAL 2 MINUTE WHERE username = '%s'" % user)
    _, r = login(invqr, user)
    assert r.status_code == 303 and r.headers["Location"] == "/operator"
    assert invqr.sql("SELECT failed_logins, locked_until IS NULL FROM operator"
                     " WHERE username = '%s'" % user) == [("0", "1")]
    # still in flight (a second ago): the sign-in waits for them, then gives up
    invqr.sql("UPDATE operator SET failed_logins = 5, attempt_at = NOW() WHERE username = '%s'"
              % user)
    _, r = login(invqr, user)
    assert r.headers["Location"].endswith("error=1")
    assert invqr.sql("SELECT locked_until IS NULL FROM operator WHERE username = '%s'" % user) \
        == [("1",)]


def _client_failures(invqr, n):
    """n failed sign-ins of this client (127.0.0.1) in the current window,
    as the store counts them (a bucket a minute old)."""
    invqr.sql("DELETE FROM client_limit WHERE client_addr LIKE 'login:%'")
    invqr.sql("INSERT INTO client_limit (client_addr, window_start, hits) VALUES"
              " ('login:127.0.0.1', FROM_UNIXTIME(UNIX_TIMESTAMP() DIV 60 * 60 - 60), %d)" % n)


@pytest.mark.allow_log(r"INVQR0162")
def test_colleagues_typos_never_keep_out_one_who_knows_the_password(invqr):
    """Issue 13: behind one office router, several colleagues mistype their
    passwords until their own accounts lock; a colleague who has never
    signed in from here and types the right password gets in all the same.
    Only unknown users and wrong passwords count against the address; the
    per-account lock still holds."""
    invqr.sql("DELETE FROM client_limit WHERE client_addr LIKE 'login:%'")
    try:
        typists = [new_operator(invqr, "Ufficio Condiviso") for _ in range(5)]
        for user in typists:
            for k in range(6):
                _, r = login(invqr, user, "typo %d" % k)
                assert r.status_code == 303 and r.headers["Location"].endswith("error=1")
        # 30 refusals from this address (the old limit was 20): nobody is throttled
        _, r = login(invqr, new_operator(invqr, "Ufficio Condiviso"))
        assert r.status_code == 303 and r.headers["Location"] == "/operator"
        # and the typists' own accounts stay locked, right password or not
        _, r = login(invqr, typists[0])
        assert r.headers["Location"].endswith("error=1")
        counted = invqr.sql("SELECT SUM(hits) FROM client_limit WHERE client_addr = 'login:127.0.0.1'")
        assert counted == [("25",)], counted     # 5 wrong each; tries on a locked account learn nothing
    finally:
        invqr.sql("DELETE FROM client_limit WHERE client_addr LIKE 'login:%'")


@pytest.mark.allow_log(r"INVQR0162", r"INVQR0013: sign-in throttled")
def test_a_spraying_client_is_throttled_but_known_colleagues_are_not(invqr):
    """A client whose failures reach the limit (100 in 15 minutes) is
    answered 429 with the exact wait for every account that has not signed
    in from its address, without a password check; an operator who has
    signed in from here before still signs in with the right password (and
    still only has five tries with wrong ones)."""
    known = new_operator(invqr)
    _, r = login(invqr, known)
    assert r.headers["Location"] == "/operator"
    stranger = new_operator(invqr)
    _client_failures(invqr, 99)
    try:
        _, r = login(invqr, "nobody.%d" % next(_seq), "spray spray")  # the hundredth failure
        assert r.status_code == 303
        for user, pw in (("nobody.else", "spray"), (stranger, PASSWORD), (stranger, "spray")):
            _, r = login(invqr, user, pw)
            assert r.status_code == 429, (user, r.status_code)
            wait = int(r.headers["Retry-After"])
            # the oldest bucket (a minute old) leaves the window first: then 1 + the new one remain
            assert 1 <= wait <= 900 - 60, wait
            assert 'data-status="429"' in r.text
            minutes = -(-wait // 60)
            assert ("%d minut" % minutes) in r.text, r.text
        _, r = login(invqr, known, "wrong for once")
        assert r.status_code == 303 and r.headers["Location"].endswith("error=1")
        _, r = login(invqr, known)
        assert r.status_code == 303 and r.headers["Location"] == "/operator"
        op = invqr.sql("SELECT id FROM operator WHERE username = '%s'" % stranger)[0][0]
        assert invqr.sql("SELECT COUNT(*) FROM audit_log WHERE event = 'login' AND operator_id = %s"
                         % op) == [("0",)]       # throttled: no check, no try taken
        assert int(invqr.sql("SELECT COUNT(*) FROM audit_log WHERE event = 'login'"
                             " AND outcome = 'throttled' AND at > NOW() - INTERVAL 1 MINUTE")[0][0]) >= 3
    finally:
        invqr.sql("DELETE FROM client_limit WHERE client_addr LIKE 'login:%'")


def test_session_id_changes_at_sign_in_no_fixation(invqr):
    user = new_operator(invqr)
    s = requests.Session()
    s.cookies.set("invqr_session", "A" * 43, domain="127.0.0.1", path="/")  # planted
    s, r = login(invqr, user, session=s)
    assert r.status_code == 303
    assert s.cookies.get("invqr_session") != "A" * 43
    # a citizen session turned operator also changes id
    c = requests.Session()
    demo_login(c, invqr, "RSSMRA75C14H501L")
    before = c.cookies["invqr_session"]
    c, _ = login(invqr, user, session=c)
    assert c.cookies["invqr_session"] != before


def test_logout_ends_the_session_server_side(invqr):
    user = new_operator(invqr)
    s, _ = login(invqr, user)
    token = s.cookies["invqr_session"]
    home = s.get(invqr.url + "/operator")
    r = s.post(invqr.url + "/operator/logout", data={"csrf": csrf_of(home.text)},
               allow_redirects=False)
    assert r.status_code == 303
    # the old cookie signs nobody in: the operator area sends to the sign-in
    assert requests.get(invqr.url + "/operator", cookies={"invqr_session": token},
                        allow_redirects=False).status_code == 303


def test_locked_or_removed_operator_loses_open_sessions_at_once(invqr):
    for action in ["lock", "remove"]:
        user = new_operator(invqr)
        s, _ = login(invqr, user)
        assert s.get(invqr.url + "/operator").status_code == 200
        invqr.admin("operator", action, user, check=0)
        assert s.get(invqr.url + "/operator", allow_redirects=False).status_code == 303


def test_second_level_flow_with_sms_consent(invqr, tmp_path):
    fc, code, citizen = new_citizen_with_code(invqr, tmp_path, pct="85",
                                              judgment="Riduzione permanente\n\"grave\"",
                                              review="2030-01-31", blind="PARTIAL")
    user = new_operator(invqr, "Comune di Secondo Livello")
    s, _ = login(invqr, user)
    result = first_level(invqr, s, code, fc)
    assert result.status_code == 200
    assert "/v/%s/otp" % code in result.text
    before = spool_names(invqr)
    sent = request_otp(invqr, s, code, result)
    assert sent.status_code == 200, sent.text[:400]
    # the SMS went out on a POST that answered 303: the form is a page of its own
    assert [h.status_code for h in sent.history] == [303]
    assert sent.url == invqr.url + "/v/%s/level2" % code
    assert 'data-field="masked_mobile">+39 ' in sent.text
    assert re.search(r'data-field="expires_at">\d\d:\d\d<', sent.text)
    sms = new_sms(invqr, before)
    # reloading that page sends nothing and shows the same challenge
    spool = len(list((invqr.run / "sms").iterdir()))
    again = s.get(sent.url)
    assert again.status_code == 200 and len(list((invqr.run / "sms").iterdir())) == spool
    challenge_of = lambda t: re.search(r'name="challenge" value="([^"]+)"', t).group(1)
    assert challenge_of(again.text) == challenge_of(sent.text)
    # only the session that matched the code sees it: not another operator,
    # nor another session of the same operator (a second desk, a stale tab)
    other, _ = login(invqr, new_operator(invqr))
    none = other.get(sent.url)
    assert none.status_code == 403 and 'name="otp"' not in none.text
    desk2, _ = login(invqr, user)
    none = desk2.get(sent.url)
    assert none.status_code == 403 and 'name="challenge"' not in none.text
    assert invqr.sql("SELECT COUNT(*) FROM audit_log WHERE code = '%s' AND event = 'otp_request'"
                     " AND outcome = 'not_allowed'" % code) == [("2",)]
    head, _, text = sms.partition("\n\n")
    assert head.strip() == "To: 393331112233"
    assert "Comune di Secondo Livello" in text
    otp = re.search(r"\b(\d{6})\b", text).group(1)
    assert otp not in sent.text                      # never shown to the operator
    # the store keeps no clear OTP
    assert not invqr.sql("SELECT 1 FROM otp_challenge WHERE otp_hash LIKE '%%%s%%'" % otp)
    shown = send_otp(invqr, s, code, sent, " %s " % otp)   # read out, typed with blanks
    assert shown.status_code == 200
    assert "no-store" in shown.headers["Cache-Control"]
    # issue 13: a unit, local dates (the ISO day for machines), when, and a reference
    assert 'data-field="invalidity_percent" data-value="85">85%<' in shown.text
    assert re.search(r'data-field="medical_judgment"[^>]*>Riduzione permanente\n"grave"<', shown.text)
    assert 'data-field="blindness_degree" data-value="partial"' in shown.text
    assert '<time datetime="2030-01-31" data-field="review_date">31/01/2030</time>' in shown.text
    assert '<time datetime="2020-02-01" data-field="judgment_date">01/02/2020</time>' in shown.text
    assert 'data-field="review_past"' not in shown.text        # 2030 is still to come
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" data-field="checked_at">'
                     r'\d\d/\d\d/\d{4} alle \d\d:\d\d</time>', shown.text)
    ref = re.search(r'data-field="reference">(\d+)<', shown.text).group(1)
    assert invqr.sql("SELECT event, outcome, code FROM audit_log WHERE id = %s" % ref) \
        == [("level2", "shown", code)]
    assert re.search(r'<a href="/operator" data-action="next">', shown.text)
    # once: the same code again (a reload of the result) shows nothing, says
    # why, and offers only what works: a new code (a real button) or the
    # first level again; no form for the spent code
    again = send_otp(invqr, s, code, sent, otp)
    assert again.status_code == 403 and "85" not in re.sub(r"<[^>]+>", "", again.text).split()
    assert 'name="otp"' not in again.text and 'name="challenge"' not in again.text
    assert 'action="/v/%s/otp"' % code in again.text and 'href="/v/%s"' % code in again.text
    assert "una sola volta" in again.text
    gone = s.get(sent.url)
    assert gone.status_code == 410 and 'name="otp"' not in gone.text
    # audit and the citizen's access log
    events = invqr.sql("SELECT event, outcome FROM audit_log WHERE code = '%s' AND level = 2 "
                       "ORDER BY id" % code)
    assert ("otp_request", "sent") in events and ("level2", "shown") in events
    assert ("otp_verify", "reused") in events
    log = citizen.get(invqr.url + "/citizen").text
    assert 'data-level="2"' in log and "Comune di Secondo Livello" in log


def test_second_level_needs_a_first_level_match_in_the_same_session(invqr, tmp_path):
    fc, code, _ = new_citizen_with_code(invqr, tmp_path)
    user = new_operator(invqr)
    s, _ = login(invqr, user)
    home = s.get(invqr.url + "/operator")
    mark = invqr.sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0]
    # a path that names no code is no page, and a POST to it an attempt all the same
    assert s.post(invqr.url + "/v/not-a-code/otp",
                  data={"csrf": csrf_of(home.text)}).status_code == 404
    assert s.post(invqr.url + "/v/not-a-code/level2",
                  data={"csrf": csrf_of(home.text), "otp": "123456"}).status_code == 404
    assert invqr.sql("SELECT event, outcome, detail, code IS NULL FROM audit_log WHERE id > %s"
                     " ORDER BY id" % mark) == [("otp_request", "bad_input", "code", "1"),
                                                ("otp_verify", "bad_input", "code", "1")]
    mark = invqr.sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0]
    r = request_otp(invqr, s, code, home)
    assert r.status_code == 403
    # the refused request is in the audit log all the same, and nothing was sent
    assert invqr.sql("SELECT event, outcome, detail, level, fiscal_code IS NULL FROM audit_log"
                     " WHERE id > %s AND code = '%s'" % (mark, code)) == [
        ("otp_request", "not_allowed", "no first-level match", "2", "1")]
    assert invqr.sql("SELECT COUNT(*) FROM otp_challenge WHERE code = '%s'" % code) == [("0",)]
    # an anonymous verifier cannot ask at all
    anon = requests.Session()
    form = anon.get(invqr.url + "/v/" + code)
    assert anon.post(invqr.url + "/v/%s/otp" % code,
                     data={"csrf": csrf_of(form.text)}).status_code == 401


def _sent(invqr, tmp_path, **kw):
    """An operator's session that asked for the second level: (session,
    code, the consent form page, the OTP the citizen got)."""
    fc, code, _ = new_citizen_with_code(invqr, tmp_path, **kw)
    s, _ = login(invqr, new_operator(invqr))
    shown = first_level(invqr, s, code, fc)
    before = spool_names(invqr)
    sent = request_otp(invqr, s, code, shown)
    assert sent.status_code == 200
    otp = re.search(r"\b(\d{6})\b", new_sms(invqr, before).partition("\n\n")[2]).group(1)
    return s, code, sent, otp


def test_the_consent_code_field_is_for_digits_with_one_error_message(invqr, tmp_path):
    """Issue 13: a numeric keypad on phones, the SMS's code offered by the
    browser, no forced capitals; a wrong code says so once, beside the field."""
    s, code, sent, otp = _sent(invqr, tmp_path)
    field = re.search(r'<input id="otp"[^>]*>', sent.text).group(0)
    assert 'inputmode="numeric"' in field and 'autocomplete="one-time-code"' in field
    assert "autocapitalize" not in field and "input-code" not in field
    wrong = send_otp(invqr, s, code, sent, "%06d" % ((int(otp) + 1) % 10**6))
    assert wrong.status_code == 403
    main = wrong.text.split("<main", 1)[1]
    assert main.count("error-message") == 1 and "alert-error" not in main, main
    assert re.search(r'<p id="otp-error" class="error-message">[^<]+ <strong data-field="attempts_left">2<',
                     main)
    assert 'aria-describedby="otp-hint otp-error"' in main and 'aria-invalid="true"' in main


def test_a_new_consent_code_voids_the_old_one(invqr, tmp_path):
    """Issue 13: the holder did not get the SMS: the operator sends another
    (a button on the form's page); the first code stops working."""
    s, code, sent, otp = _sent(invqr, tmp_path)
    assert 'action="/v/%s/otp"' % code in sent.text
    before = spool_names(invqr)
    again = request_otp(invqr, s, code, sent)
    assert again.status_code == 200 and [h.status_code for h in again.history] == [303]
    otp2 = re.search(r"\b(\d{6})\b", new_sms(invqr, before).partition("\n\n")[2]).group(1)
    challenge_of = lambda t: re.search(r'name="challenge" value="([^"]+)"', t).group(1)
    assert challenge_of(again.text) != challenge_of(sent.text)
    old = send_otp(invqr, s, code, sent, otp)                 # the first code, on its own form
    assert old.status_code == 403 and 'data-field="medical_judgment"' not in old.text
    shown = send_otp(invqr, s, code, again, otp2)
    assert shown.status_code == 200 and 'data-field="medical_judgment"' in shown.text


def test_the_operator_can_call_off_a_second_level_request(invqr, tmp_path):
    s, code, sent, otp = _sent(invqr, tmp_path)
    r = s.post(invqr.url + "/v/%s/cancel" % code, data={"csrf": csrf_of(sent.text)},
               allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/operator?done=cancelled"
    home = s.get(invqr.url + r.headers["Location"])
    assert home.status_code == 200 and "alert-success" in home.text
    assert 'name="code"' in home.text                         # on to the next verification
    assert invqr.sql("SELECT outcome FROM audit_log WHERE code = '%s' AND event = 'otp_cancel'"
                     % code) == [("cancelled",)]
    # the code the holder got works no more, and no form waits for it
    assert send_otp(invqr, s, code, sent, otp).status_code == 403
    assert s.get(invqr.url + "/v/%s/level2" % code).status_code == 410
    # cancelling when nothing is open is no error, and says nothing was cancelled
    r = s.post(invqr.url + "/v/%s/cancel" % code, data={"csrf": csrf_of(sent.text)},
               allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/operator"


def test_a_past_review_date_is_explained(invqr, tmp_path):
    """Issue 13: a review date in the past does not end the status: the
    result says it holds until the review's outcome is recorded."""
    s, code, sent, otp = _sent(invqr, tmp_path, review="2021-03-31")
    shown = send_otp(invqr, s, code, sent, otp)
    assert '<time datetime="2021-03-31" data-field="review_date">31/03/2021</time>' in shown.text
    note = re.search(r'data-field="review_past">([^<]+)<', shown.text)
    assert note and "revisione" in note.group(1), shown.text


def test_the_result_writes_dates_the_german_way_in_german(invqr, tmp_path):
    """Dates on the second-level result follow the page's language, as the
    other pages do (invqr_page_date): 31.01.2030 in German."""
    s, code, sent, otp = _sent(invqr, tmp_path, review="2030-01-31")
    s.cookies.set("invqr_lang", "de")
    shown = send_otp(invqr, s, code, sent, otp)
    assert '<html lang="de">' in shown.text
    assert '<time datetime="2030-01-31" data-field="review_date">31.01.2030</time>' in shown.text
    assert re.search(r'data-field="checked_at">\d\d\.\d\d\.\d{4} ', shown.text), shown.text


def test_wrong_and_exhausted_otp(invqr, tmp_path):
    fc, code, _ = new_citizen_with_code(invqr, tmp_path)
    s, _ = login(invqr, new_operator(invqr))
    shown = first_level(invqr, s, code, fc)
    before = spool_names(invqr)
    sent = request_otp(invqr, s, code, shown)
    otp = re.search(r"\b(\d{6})\b", new_sms(invqr, before).partition("\n\n")[2]).group(1)
    wrong = ["%06d" % ((int(otp) + k) % 10**6) for k in (1, 2, 3)]
    # a slip of the keyboard is no attempt: 400, the form again, 3 still left
    for slip in (otp[:5], otp + "0", otp[:5] + "x", " " + otp[:5]):
        r0 = send_otp(invqr, s, code, sent, slip)
        assert r0.status_code == 400 and 'data-status="400"' in r0.text, slip
        assert 'data-field="attempts_left">3<' in r0.text and 'name="otp"' in r0.text
    r1 = send_otp(invqr, s, code, sent, wrong[0])
    reloaded = s.get(invqr.url + "/v/%s/level2" % code)
    assert reloaded.status_code == 200 and 'data-field="attempts_left">2<' in reloaded.text
    r2 = send_otp(invqr, s, code, sent, wrong[1])
    assert r1.status_code == r2.status_code == 403
    assert 'data-field="attempts_left">2<' in r1.text and 'data-field="attempts_left">1<' in r2.text
    r3 = send_otp(invqr, s, code, sent, wrong[2])
    assert r3.status_code == 403 and "attempts_left" not in r3.text
    # even the right code is refused now
    r4 = send_otp(invqr, s, code, sent, otp)
    assert r4.status_code == 403 and 'data-field="medical_judgment"' not in r4.text
    rows = invqr.sql("SELECT outcome FROM audit_log WHERE code = '%s' AND event = 'otp_verify'"
                     % code)
    assert [r[0] for r in rows] == ["malformed"] * 4 + ["wrong", "wrong", "wrong", "exhausted"]


def test_expired_otp(invqr, tmp_path):
    fc, code, _ = new_citizen_with_code(invqr, tmp_path)
    s, _ = login(invqr, new_operator(invqr))
    before = spool_names(invqr)
    sent = request_otp(invqr, s, code, first_level(invqr, s, code, fc))
    otp = re.search(r"\b(\d{6})\b", new_sms(invqr, before).partition("\n\n")[2]).group(1)
    # the clock moves on: the challenge's validity ends now
    invqr.sql("UPDATE otp_challenge SET expires_at = NOW() - INTERVAL 1 SECOND "
              "WHERE code = '%s'" % code)
    r = send_otp(invqr, s, code, sent, otp)
    assert r.status_code == 410 and 'data-field="medical_judgment"' not in r.text


def test_otp_is_bound_to_operator_and_code(invqr, tmp_path):
    fc, code, _ = new_citizen_with_code(invqr, tmp_path)
    s, _ = login(invqr, new_operator(invqr))
    before = spool_names(invqr)
    sent = request_otp(invqr, s, code, first_level(invqr, s, code, fc))
    otp = re.search(r"\b(\d{6})\b", new_sms(invqr, before).partition("\n\n")[2]).group(1)
    other, _ = login(invqr, new_operator(invqr))
    page = other.get(invqr.url + "/operator")
    challenge = re.search(r'name="challenge" value="([^"]+)"', sent.text).group(1)
    r = other.post(invqr.url + "/v/%s/level2" % code,
                   data={"csrf": csrf_of(page.text), "challenge": challenge, "otp": otp})
    assert r.status_code == 403 and 'data-field="medical_judgment"' not in r.text
    # the rightful operator still can
    assert send_otp(invqr, s, code, sent, otp).status_code == 200


def test_no_mobile_sends_nothing(invqr, tmp_path):
    fc, code, _ = new_citizen_with_code(invqr, tmp_path, mobile="")
    s, _ = login(invqr, new_operator(invqr))
    before = set((invqr.run / "sms").iterdir())
    r = request_otp(invqr, s, code, first_level(invqr, s, code, fc))
    assert r.status_code == 409 and 'name="otp"' not in r.text
    assert set((invqr.run / "sms").iterdir()) == before


@pytest.mark.allow_log(r"INVQR0012: consent SMS not sent")
def test_spool_that_cannot_be_written_leaves_no_usable_challenge(invqr, tmp_path):
    """An SMS outage: each request answers the 503 page with Retry-After,
    leaves no challenge behind, and uses up nothing of the citizen's five
    SMS a quarter of an hour: once the gateway is back, the next request
    sends the SMS (it answered 429 with Retry-After: 900 before)."""
    fc, code, _ = new_citizen_with_code(invqr, tmp_path)
    s, _ = login(invqr, new_operator(invqr))
    result = first_level(invqr, s, code, fc)
    spool = invqr.run / "sms"
    moved = invqr.run / "sms.away"
    spool.rename(moved)
    spool.write_text("not a directory")
    try:
        failed = [request_otp(invqr, s, code, result) for _ in range(7)]
    finally:
        spool.unlink()
        moved.rename(spool)
    for r in failed:
        assert r.status_code == 503 and 'name="otp"' not in r.text, r.status_code
        assert int(r.headers["Retry-After"]) > 0
        assert r.headers["Retry-After"] != "900"
    assert invqr.sql("SELECT COUNT(*) FROM otp_challenge WHERE code = '%s'" % code) == [("0",)]
    audited = invqr.sql("SELECT COUNT(*) FROM audit_log WHERE code = '%s' AND event = "
                        "'otp_request' AND outcome = 'gateway_failed'" % code)
    assert audited == [("7",)]
    # the gateway is back: the SMS goes out at once
    before = spool_names(invqr)
    r = request_otp(invqr, s, code, result)
    assert r.status_code == 200 and 'name="otp"' in r.text, r.status_code
    assert re.search(r"\b\d{6}\b", new_sms(invqr, before))


class _Gateway(http.server.BaseHTTPRequestHandler):
    """A provider that fails (500), or hangs: it holds the connection without
    answering until the test lets it go (release), however long that is."""
    mode = "fail"
    release = threading.Event()
    lock = threading.Lock()
    hanging = 0           # requests held without an answer right now

    def do_POST(self):
        if _Gateway.mode == "hang":
            with _Gateway.lock:
                _Gateway.hanging += 1
            try:
                _Gateway.release.wait()
            finally:
                with _Gateway.lock:
                    _Gateway.hanging -= 1
            return
        self.send_response(500)
        self.end_headers()

    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def http_gateway_instance():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    inst = start_instance("gw", {"INVQR_SMS_GATEWAY":
                                 "http://127.0.0.1:%d/send" % server.server_address[1]})
    yield inst
    stop_instance(inst)
    _Gateway.release.set()
    server.shutdown()


@pytest.mark.parametrize("mode", ["fail", "hang"])
def test_failing_http_gateway(http_gateway_instance, tmp_path, mode):
    """A provider that fails or never answers: the operator gets the 503
    page and no usable challenge is left. For the hang, the 503 comes while
    the provider still holds the request: the worker gave up on its own (its
    timeout) rather than waiting for an answer. No clock is read, so a slow machine
    only makes the test slower."""
    inst = http_gateway_instance
    _Gateway.mode = mode
    _Gateway.release.clear()
    fc, code, _ = new_citizen_with_code(inst, tmp_path)
    s, _ = login(inst, new_operator(inst))
    shown = first_level(inst, s, code, fc)
    try:
        r = s.post(inst.url + "/v/%s/otp" % code, data={"csrf": csrf_of(shown.text)},
                   timeout=120)
        held = _Gateway.hanging
    finally:
        _Gateway.release.set()
    assert r.status_code == 503 and 'name="otp"' not in r.text
    assert int(r.headers["Retry-After"]) > 0
    if mode == "hang":
        assert held >= 1, "the provider was not holding the request when the 503 came"
    assert inst.sql("SELECT COUNT(*) FROM otp_challenge WHERE code = '%s' AND used_at IS NULL"
                    % code) == [("0",)]


@pytest.mark.allow_log(r"INVQR0162", r"INVQR0013: sign-in throttled")
def test_a_burst_of_guesses_gets_no_more_than_five_tries(invqr):
    import concurrent.futures
    user = new_operator(invqr)
    invqr.sql("DELETE FROM client_limit WHERE client_addr LIKE 'login:%'")
    try:
        with concurrent.futures.ThreadPoolExecutor(12) as ex:
            list(ex.map(lambda i: login(invqr, user, "wrong password %03d" % i), range(12)))
    finally:
        invqr.sql("DELETE FROM client_limit WHERE client_addr LIKE 'login:%'")
    op_id = invqr.sql("SELECT id FROM operator WHERE username = '%s'" % user)[0][0]
    checked = invqr.sql("SELECT COUNT(*) FROM audit_log WHERE event = 'login' AND operator_id = %s "
                        "AND outcome = 'wrong_password'" % op_id)[0][0]
    assert int(checked) <= 5, checked
    # and the right password waits for the cool-down
    _, r = login(invqr, user)
    assert r.headers["Location"].endswith("error=1")


def test_consent_sms_are_limited_per_code(invqr, tmp_path):
    fc, code, _ = new_citizen_with_code(invqr, tmp_path)
    s, _ = login(invqr, new_operator(invqr))
    page = first_level(invqr, s, code, fc)
    answers = [request_otp(invqr, s, code, page) for _ in range(6)]
    assert [r.status_code for r in answers] == [200] * 5 + [429], answers
    # the limit page says why and how long, and leads back to the code sent last
    limited = answers[-1]
    assert limited.headers["Retry-After"] == "900" and "15 minuti" in limited.text
    assert 'href="/v/%s/level2"' % code in limited.text
    sent = invqr.sql("SELECT COUNT(*) FROM otp_challenge WHERE code = '%s'" % code)
    assert sent == [("5",)]


def test_the_administrator_reads_the_audit_log(invqr, tmp_path):
    """The contract (docs/contract.md, What is recorded): the administrator
    audits. invqr-admin audit prints the rows of a citizen, a code or an
    operator, newest first, one line of 12 tab-separated fields each; the
    read itself is recorded first."""
    fc, code, _ = new_citizen_with_code(invqr, tmp_path)
    user = new_operator(invqr, "Comune di Audit")
    s, _ = login(invqr, user)
    assert first_level(invqr, s, code, fc).status_code == 200
    anon = requests.Session()
    form = anon.get(invqr.url + "/v/" + code)
    anon.post(invqr.url + "/v/" + code,
              data={"csrf": csrf_of(form.text), "fiscal_code": fiscal_code("RSSMRA80A01H501")})

    def read(*args, rc=0):
        r = invqr.admin("audit", *args)
        assert r.returncode == rc, (r.stdout, r.stderr)
        rows = [line.split("\t") for line in r.stdout.splitlines()]
        assert all(len(x) == 12 for x in rows), r.stdout
        return rows

    by_fc = read("--fiscal-code", fc.lower())
    # the read itself first, then the operator's match, then the stranger's guess
    assert by_fc[0][1:3] == ["admin", "-"] and by_fc[0][8:10] == ["audit_read", "ok"]
    verifies = [x for x in by_fc if x[8] == "verify"]
    assert [(x[1], x[2], x[3], x[9]) for x in verifies[:2]] == [
        ("verifier", "-", "-", "mismatch"), ("operator", user, "Comune di Audit", "match")]
    assert all(x[5] == code and x[7] == "1" and x[4] == "127.0.0.1" for x in verifies)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", x[0]) for x in by_fc)
    assert [x[0] for x in by_fc] == sorted((x[0] for x in by_fc), reverse=True)
    # the same rows by code (the code typed any way), by operator, and the latest
    by_code = read("--code", "-".join(code[i:i + 5] for i in range(0, 20, 5)).lower())
    assert [x for x in by_code if x[8] == "verify"] == verifies
    by_op = read("--operator", user)
    assert ("verify", "match", code) in [(x[8], x[9], x[5]) for x in by_op]
    assert all(x[2] == user for x in by_op)
    assert len(read("--limit", "1")) == 1
    # every read is on record, the citizen's under their fiscal code
    reads = invqr.sql("SELECT fiscal_code IS NULL, detail FROM audit_log WHERE event = 'audit_read'"
                      " ORDER BY id DESC LIMIT 4")
    assert reads == [("1", "latest"), ("1", "operator " + user), ("1", "code " + code),
                     ("0", "fiscal code")]
    # a tab or line break in a field cannot break the one-row-one-line shape
    invqr.sql("INSERT INTO audit_log (actor, fiscal_code, event, outcome, detail) VALUES"
              " ('system', '%s', 'test', 'ok', 'one\\ttwo\\nthree')" % fc)
    assert read("--fiscal-code", fc, "--limit", "2")[1][8:] == ["test", "ok", "one two three", "-"]
    # refusals
    read("--operator", "nobody.here", rc=1)
    read("--fiscal-code", "RSSMRA80A01H501X", rc=2)
    read("--code", "not-a-code", rc=2)
    read("--code", code, "--operator", user, rc=2)
    read("--limit", "0", rc=2)
    read("--limit", "10001", rc=2)
    read("--limit", rc=2)
