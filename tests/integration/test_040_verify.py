# SPDX-License-Identifier: Apache-2.0
"""Citizens generate, replace and revoke their code; anyone verifies it at
first level with the holder's fiscal code (docs/contract.md: Codes and
the QR, Levels of disclosure, HTTP surface, What is recorded)."""
import concurrent.futures
import datetime
import itertools
import multiprocessing
import os
import re
from zoneinfo import ZoneInfo

import pytest
import requests

from conftest import csrf_of, demo_login
from harness import CSV_HEADER, citizen_row, fiscal_code, visible_text

_seq = itertools.count(1)


def new_citizen(invqr, tmp_path, **kw):
    """Import a fresh citizen of our own, so tests do not share state."""
    n = next(_seq)
    fc = fiscal_code("TSTVRF%02dA01H50%d" % (n % 100, n // 100 % 10))
    path = tmp_path / ("c%d.csv" % n)
    path.write_text(CSV_HEADER + "\n" + citizen_row(fc, **kw) + "\n", encoding="utf-8")
    invqr.admin("import", str(path), check=0)
    return fc, path


def sign_in(invqr, fc):
    s = requests.Session()
    demo_login(s, invqr, fc)
    return s


def generate(invqr, s, first_time=True):
    page = s.get(invqr.url + "/citizen")
    data = {"csrf": csrf_of(page.text)}
    if first_time:
        data["notice"] = "yes"
    r = s.post(invqr.url + "/citizen/qr", data=data, allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    page = s.get(invqr.url + "/citizen")
    m = re.search(r'data-field="code">([0-9A-Z-]{23})<', page.text)
    assert m, page.text
    return m.group(1).replace("-", "")


def verify(invqr, code, fc, session=None, path=None):
    s = session or requests.Session()
    url = invqr.url + (path or "/v/" + code)
    form = s.get(url)
    if form.status_code == 429:
        # a code cooling down has no form (test_043): the answer is the same
        assert "/v/" in url.lower() and "Retry-After" in form.headers
        return form
    assert form.status_code == 200
    return s.post(url, data={"csrf": csrf_of(form.text), "fiscal_code": fc})


def fields(html):
    return {m.group(1): m.group(2) for m in
            re.finditer(r'data-field="([a-z_]+)"(?: data-value="([a-z0-9_]+)")?', html)}


def test_full_flow_generate_then_verify_first_level(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path, surname="Verdi", given="Anna", civ="Y", att="Y",
                        blind="PARTIAL", deaf="N", hcap="ART3_C3")
    s = sign_in(invqr, fc)
    code = generate(invqr, s)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{20}", code)
    # the QR opens the upper-case URL; the page asks only for the fiscal code
    form = requests.get(invqr.url + "/V/" + code)
    assert form.status_code == 200
    assert "Anna" not in visible_text(form.text) and "Verdi" not in visible_text(form.text)
    assert 'name="fiscal_code"' in form.text
    r = verify(invqr, code, fc.lower(), path="/V/" + code)
    assert r.status_code == 200
    f = fields(r.text)
    assert re.search(r'data-field="name">Anna Verdi<', r.text)
    assert f["civil_invalidity"] == "yes" and f["attendance_allowance"] == "yes"
    assert f["civil_blindness"] == "yes" and f["deafness"] == "no"
    assert f["minor_invalidity"] == "no" and f["handicap"] == "art3_c3"
    # nothing of the second level; the random code (in the language links) and
    # the check's own time may hold any digits, so the percent is looked for as
    # a word of the visible text
    page = re.sub(r"<time[^>]*>.*?</time>", "", r.text).replace(code, "")
    for secret in ["Giudizio di prova", "invalidity_percent", "medical_judgment",
                   "review_date", "judgment_date", "2020-02-01"]:
        assert secret not in page, secret
    assert not re.search(r"\b70\b", visible_text(page))
    assert "checked_at" in f
    # what each category means, for a desk that seldom sees these words
    help_ = re.search(r'<details class="categories-help">(.*?)</details>', r.text, re.S)
    assert help_ and "<summary>" in help_.group(1) and "104/1992" in help_.group(1)
    assert help_.group(1).count("<dt>") == 6 and "34" in help_.group(1)
    # the citizen sees the check in the access log
    log = s.get(invqr.url + "/citizen").text
    assert re.search(r'data-level="1"', log)


def test_times_and_days_shown_are_local_whatever_the_store_zone(invqr, tmp_path):
    """The store compares instants in UTC; people see the local calendar (the
    worker's TZ, Europe/Rome by default): the access log, the issue day."""
    zone = ZoneInfo(os.environ.get("INVQR_TZ") or "Europe/Rome")
    fc, _ = new_citizen(invqr, tmp_path)
    s = sign_in(invqr, fc)
    code = generate(invqr, s)
    assert verify(invqr, code, fc).status_code == 200
    (at, issued), = invqr.sql(
        "SELECT FLOOR(UNIX_TIMESTAMP(a.at)), FLOOR(UNIX_TIMESTAMP(q.created_at))"
        " FROM audit_log a JOIN qr_code q ON q.code = a.code"
        " WHERE a.code = '%s' AND a.event = 'verify'" % code)
    local = datetime.datetime.fromtimestamp(int(at), zone)
    page = s.get(invqr.url + "/citizen").text
    log = page[page.index('data-table="access-log"'):]
    # local time, written as people write it, the ISO form in datetime
    assert "<td" in log and local.strftime('datetime="%Y-%m-%dT%H:%M">%d/%m/%Y %H:%M<') in log, log[:400]
    day = datetime.datetime.fromtimestamp(int(issued), zone)
    assert day.strftime('datetime="%Y-%m-%d" data-field="issued">%d/%m/%Y<') in page
    # script/lib.sh runs the private store in UTC: this proves the conversion
    # whenever the worker's zone is not at +00:00 (Rome: +01:00 or +02:00)
    assert local.utcoffset() != datetime.timedelta(0)


def test_manual_entry_accepts_messy_typing(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path)
    code = generate(invqr, sign_in(invqr, fc))
    grouped = "-".join(code[i:i + 5] for i in range(0, 20, 5))
    messy = (" " + grouped.lower().replace("-", " - ") + " ").replace("1", "l").replace("0", "o")
    s = requests.Session()
    form = s.get(invqr.url + "/verify")
    r = s.post(invqr.url + "/verify", data={"csrf": csrf_of(form.text), "code": messy,
                                            "fiscal_code": " " + fc.lower() + " "})
    assert r.status_code == 200, r.text[:300]
    assert 'data-field="name"' in r.text


def test_verify_errors_reveal_nothing(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path, surname="Nascosto", given="Segreto")
    code = generate(invqr, sign_in(invqr, fc))
    other = fiscal_code("RSSMRA80A01H501")
    r = verify(invqr, code, other)
    assert r.status_code == 422 and 'data-status="422"' in r.text
    assert "Nascosto" not in r.text and "Segreto" not in r.text
    assert 'name="fiscal_code"' in r.text        # the form again, to retry
    r = verify(invqr, "0" * 20, fc)
    assert r.status_code == 404 and "Nascosto" not in r.text
    r = verify(invqr, code, "NOT-A-FISCAL-CODE")
    assert r.status_code == 400 and "Nascosto" not in r.text
    assert requests.get(invqr.url + "/v/not-a-code").status_code == 404


def test_a_malformed_code_is_an_attempt_too(invqr, tmp_path):
    """Every verification attempt is audited, also one whose code is not a
    code at all; the typed text itself is not kept."""
    fc, _ = new_citizen(invqr, tmp_path)
    mark = invqr.sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0]
    s = requests.Session()
    form = s.get(invqr.url + "/verify")
    r = s.post(invqr.url + "/verify", data={"csrf": csrf_of(form.text), "code": "12345-not-a-code",
                                            "fiscal_code": fc})
    assert r.status_code == 400 and 'name="code"' in r.text     # the form again
    page = s.get(invqr.url + "/v/" + "2" * 20)
    r = s.post(invqr.url + "/v/not-a-code", data={"csrf": csrf_of(page.text), "fiscal_code": fc})
    assert r.status_code == 404 and 'data-status="404"' in r.text
    rows = invqr.sql("SELECT event, outcome, detail, level, code IS NULL, fiscal_code IS NULL,"
                     " client_addr FROM audit_log WHERE id > %s ORDER BY id" % mark)
    assert rows == [("verify", "bad_input", "code", "1", "1", "1", "127.0.0.1")] * 2, rows


def test_replace_and_revoke(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path)
    s = sign_in(invqr, fc)
    first = generate(invqr, s)
    second = generate(invqr, s, first_time=False)
    assert first != second
    assert verify(invqr, first, fc).status_code == 410
    assert verify(invqr, second, fc).status_code == 200
    page = s.get(invqr.url + "/citizen")
    r = s.post(invqr.url + "/citizen/qr/revoke", data={"csrf": csrf_of(page.text)},
               allow_redirects=False)
    assert r.status_code == 303
    assert verify(invqr, second, fc).status_code == 410
    assert 'data-field="code"' not in s.get(invqr.url + "/citizen").text
    rows = invqr.sql("SELECT event FROM audit_log WHERE fiscal_code = '%s' AND actor = 'citizen' "
                     "ORDER BY id" % fc)
    assert [r[0] for r in rows] == ["code_issue", "code_replace", "code_revoke"]
    assert invqr.sql("SELECT COUNT(*) FROM qr_code WHERE fiscal_code = '%s' AND active = 1" % fc) \
        == [("0",)]


def test_non_eligible_citizen_cannot_generate(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path, definitive="N")
    s = sign_in(invqr, fc)
    page = s.get(invqr.url + "/citizen")
    assert 'data-eligibility="not-definitive"' in page.text
    assert 'action="/citizen/qr"' not in page.text
    r = s.post(invqr.url + "/citizen/qr", data={"csrf": csrf_of(page.text), "notice": "yes"},
               allow_redirects=False)
    assert r.status_code == 403
    unknown = sign_in(invqr, fiscal_code("ZZZZZZ99A01H501"))
    assert 'data-eligibility="no-record"' in unknown.get(invqr.url + "/citizen").text


def test_privacy_notice_must_be_acknowledged_first(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path)
    s = sign_in(invqr, fc)
    page = s.get(invqr.url + "/citizen")
    assert 'name="notice"' in page.text
    r = s.post(invqr.url + "/citizen/qr", data={"csrf": csrf_of(page.text)}, allow_redirects=False)
    assert r.status_code == 400
    assert invqr.sql("SELECT COUNT(*) FROM qr_code WHERE fiscal_code = '%s'" % fc) == [("0",)]


def test_markup_and_quotes_in_names_are_text(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path, surname='<script>alert(1)</script>"&\'',
                        given="<b>Bold</b>")
    s = sign_in(invqr, fc)
    page = s.get(invqr.url + "/citizen")
    assert "<script>alert(1)" not in page.text and "<b>Bold</b>" not in page.text
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page.text
    code = generate(invqr, s)
    r = verify(invqr, code, fc)
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_reimport_changes_what_the_same_code_shows(invqr, tmp_path):
    fc, path = new_citizen(invqr, tmp_path, civ="Y", deaf="N", hcap="NONE")
    code = generate(invqr, sign_in(invqr, fc))
    assert fields(verify(invqr, code, fc).text)["deafness"] == "no"
    path.write_text(CSV_HEADER + "\n" + citizen_row(fc, civ="Y", deaf="Y", hcap="ART3_C1") + "\n")
    r = invqr.admin("import", str(path), check=0)
    assert "1 updated" in r.stdout
    f = fields(verify(invqr, code, fc).text)
    assert f["deafness"] == "yes" and f["handicap"] == "art3_c1"
    # re-imported as not definitive: the code attests nothing any more
    path.write_text(CSV_HEADER + "\n" + citizen_row(fc, definitive="N") + "\n")
    invqr.admin("import", str(path), check=0)
    assert verify(invqr, code, fc).status_code == 410


def _guess(args):
    url, code, fc = args
    s = requests.Session()
    # the token of any form of the session; the code's own page has none once
    # it cools down, and the POST must still race the others
    form = s.get(url + "/verify")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    return s.post(url + "/v/" + code, data={"csrf": token, "fiscal_code": fc}).status_code


def test_guessing_limit_holds_under_concurrent_requests(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path)
    code = generate(invqr, sign_in(invqr, fc))
    wrong = [fiscal_code("RSSMRA80A01H5%02d" % i) for i in range(24)]
    guesses = wrong[:12] + [fc] + wrong[12:] + [fc]    # the right one hides in the burst
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        statuses = pool.map(_guess, [(invqr.url, code, g) for g in guesses])
    # never more than five wrong answers, whatever the interleaving, and a
    # right guess in the burst gets an answer only while tries are left
    assert statuses.count(422) == 5, statuses
    assert statuses.count(422) + statuses.count(429) + statuses.count(200) == len(guesses)
    answered_right = [st for g, st in zip(guesses, statuses) if g == fc]
    assert all(st in (200, 429) for st in answered_right), statuses
    # the right fiscal code is now cooling down too, with Retry-After
    r = verify(invqr, code, fc)
    assert r.status_code == 429
    assert 0 < int(r.headers["Retry-After"]) <= 900
    # other codes of other people are not slowed by this attacker... from elsewhere
    fc2, _ = new_citizen(invqr, tmp_path)
    code2 = generate(invqr, sign_in(invqr, fc2))
    assert verify(invqr, code2, fc2).status_code == 200


def test_a_right_guess_waits_for_a_wrong_one_in_flight_and_sees_it(invqr, tmp_path):
    """The lookup is a locking read: a right fiscal code that arrives while
    the last try is being used up (here: a transaction holding the code's row,
    as a concurrent wrong guess does) waits for it and is refused, where a
    plain read would have answered from the row as it was before."""
    import subprocess
    import time
    fc, _ = new_citizen(invqr, tmp_path)
    code = generate(invqr, sign_in(invqr, fc))
    s = requests.Session()
    form = s.get(invqr.url + "/v/" + code)
    assert form.status_code == 200
    token = csrf_of(form.text)
    max_failures = 5    # the default of verify_max_failures, which the test instance keeps
    holder = subprocess.Popen(
        ["mariadb", "--no-defaults", "--socket=" + invqr.conf_value("db_socket"), "-uroot",
         "-N", "-B", "invqr"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    holder.stdin.write("BEGIN;\n"
                       "UPDATE qr_code SET fail_count = %d, fail_window_start = NOW()"
                       " WHERE code = '%s';\n"
                       "SELECT SLEEP(2);\n"
                       "COMMIT;\n" % (max_failures, code))
    holder.stdin.close()
    time.sleep(0.5)     # the row is held
    started = time.monotonic()
    r = s.post(invqr.url + "/v/" + code, data={"csrf": token, "fiscal_code": fc})
    waited = time.monotonic() - started
    assert holder.wait(timeout=30) == 0, holder.stderr.read()
    assert r.status_code == 429, (r.status_code, visible_text(r.text)[:300])
    assert "Retry-After" in r.headers
    assert waited > 1.0, waited     # it waited for the row, not answered around it


def test_every_answered_attempt_is_audited(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path)
    code = generate(invqr, sign_in(invqr, fc))
    before = int(invqr.sql("SELECT COUNT(*) FROM audit_log WHERE event = 'verify'")[0][0])
    outcomes = [verify(invqr, code, fc).status_code,
                verify(invqr, code, fiscal_code("RSSMRA80A01H501")).status_code,
                verify(invqr, "1" * 20, fc).status_code]
    assert outcomes == [200, 422, 404]
    rows = invqr.sql("SELECT outcome, level, code FROM audit_log WHERE event = 'verify' "
                     "ORDER BY id DESC LIMIT 3")
    assert [r[0] for r in rows] == ["unknown", "mismatch", "match"]
    assert all(r[1] == "1" for r in rows)
    after = int(invqr.sql("SELECT COUNT(*) FROM audit_log WHERE event = 'verify'")[0][0])
    assert after - before == 3


def test_pdf_qr_decodes_to_the_url_and_verifies(invqr, tmp_path):
    import subprocess
    fc, _ = new_citizen(invqr, tmp_path, surname="Ćosić", given="Zoë Àmbra")
    s = sign_in(invqr, fc)
    code = generate(invqr, s)
    r = s.get(invqr.url + "/citizen/qr.pdf")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    # made by the worker, sent whole with its length (not chunked)
    assert "Transfer-Encoding" not in r.headers
    assert r.headers["Content-Length"] == str(len(r.content))
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for word in ["Zoë", "Àmbra", "Ćosić", fc, "-".join(code[i:i + 5] for i in range(0, 20, 5))]:
        assert word in text, word
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    png = sorted(tmp_path.glob("page*.png"))[0]
    url = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert url == (invqr.url + "/V/" + code).upper()
    # the decoded address is what a phone opens: verify through it
    path = url[len(invqr.url):]
    assert verify(invqr, code, fc, path=path).status_code == 200
    # an unchanged attestation is revalidated, not sent again
    again = s.get(invqr.url + "/citizen/qr.pdf", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and not again.content
    # a replaced code makes a new PDF
    generate(invqr, s, first_time=False)
    assert s.get(invqr.url + "/citizen/qr.pdf").headers["ETag"] != r.headers["ETag"]


def test_pdf_needs_an_active_code(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path)
    s = sign_in(invqr, fc)
    assert s.get(invqr.url + "/citizen/qr.pdf").status_code == 404
    assert requests.get(invqr.url + "/citizen/qr.pdf").status_code == 401


def test_a_client_with_too_many_wrong_answers_is_held_back(invqr, tmp_path):
    """Wrong answers from one client address, over any codes, count in a
    window in the store; past the limit even a right answer waits."""
    fc, _ = new_citizen(invqr, tmp_path)
    code = generate(invqr, sign_in(invqr, fc))
    try:
        limit = int(invqr.conf_value("client_max_failures"))
    except KeyError:
        limit = 30
    me = "127.0.0.1"
    try:
        # as if this client had already failed limit - 2 times lately
        invqr.sql("REPLACE INTO verify_client VALUES ('%s', %d, NOW())" % (me, limit - 2))
        assert verify(invqr, "2" * 20, fc).status_code == 404
        assert verify(invqr, code, fiscal_code("RSSMRA80A01H501")).status_code == 422
        assert invqr.sql("SELECT fail_count FROM verify_client WHERE client_addr = '%s'"
                         % me) == [(str(limit),)]
        r = verify(invqr, code, fc)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert "Anna" not in visible_text(r.text) and fc not in r.text
        assert invqr.sql("SELECT outcome, detail FROM audit_log WHERE event = 'verify' "
                         "ORDER BY id DESC LIMIT 1") == [("limited", "client")]
        # an unknown code is held back too, before anything else is said
        assert verify(invqr, "3" * 20, fc).status_code == 429
        # once the window has passed, the client starts again from nothing
        invqr.sql("UPDATE verify_client SET window_start = NOW() - INTERVAL 1 DAY "
                  "WHERE client_addr = '%s'" % me)
        assert verify(invqr, code, fc).status_code == 200
        assert verify(invqr, "4" * 20, fc).status_code == 404
        assert invqr.sql("SELECT fail_count, window_start > NOW() - INTERVAL 1 MINUTE "
                         "FROM verify_client WHERE client_addr = '%s'" % me) == [("1", "1")]
    finally:
        invqr.sql("DELETE FROM verify_client WHERE client_addr = '%s'" % me)


def _verify_many(args):
    url, pairs = args
    out = []
    for code, fc in pairs:
        s = requests.Session()
        form = s.get(url + "/v/" + code)
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        out.append(s.post(url + "/v/" + code, data={"csrf": token, "fiscal_code": fc}).status_code)
    return out


def _verify_timed(args):
    """_verify_many, and the time (time.monotonic(), the same clock in every
    process) when its last answer arrived."""
    import time
    out = _verify_many(args)
    return out, time.monotonic()


def test_concurrent_verifications_are_each_audited_once(invqr, tmp_path):
    """Audit rows of concurrent requests are written together (one INSERT
    for many): each answered attempt still has exactly its own row."""
    people = []
    for _ in range(4):
        fc, _ = new_citizen(invqr, tmp_path)
        people.append((generate(invqr, sign_in(invqr, fc)), fc))
    jobs = [(invqr.url, [people[(w + i) % 4] for i in range(6)]) for w in range(8)]
    codes = "','".join(c for c, _ in people)
    before = int(invqr.sql("SELECT COUNT(*) FROM audit_log WHERE event = 'verify' AND code IN "
                           "('%s')" % codes)[0][0])
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        statuses = [st for r in pool.map(_verify_many, jobs) for st in r]
    assert statuses == [200] * 48, statuses
    rows = invqr.sql("SELECT code, fiscal_code, outcome, actor, level FROM audit_log"
                     " WHERE event = 'verify' AND code IN ('%s') ORDER BY id" % codes)[before:]
    assert len(rows) == 48
    assert all(r[2] == "match" and r[3] == "verifier" and r[4] == "1" for r in rows)
    assert sorted((r[0], r[1]) for r in rows) == sorted(p for _, ps in jobs for p in ps)


def test_audit_rows_that_queue_are_written_together_and_each_answer_waits(invqr, tmp_path):
    """While the audit log is locked, concurrent verifications queue behind
    the first writer; when it is released they go in together (fewer INSERT
    statements than rows), each row is right, and no answer came before its row."""
    import subprocess
    import time
    # one code per client: each right guess takes its code's row lock
    # for a moment, so every request reaches the audit log on its own
    people = []
    for _ in range(8):
        fc, _ = new_citizen(invqr, tmp_path)
        people.append((generate(invqr, sign_in(invqr, fc)), fc))
    jobs = [(invqr.url, [people[w]]) for w in range(8)]
    codes = "','".join(c for c, _ in people)
    sock = invqr.conf_value("db_socket")

    def inserts():
        return int(invqr.sql("SHOW GLOBAL STATUS LIKE 'Com_insert'")[0][1])

    before_rows = int(invqr.sql("SELECT COUNT(*) FROM audit_log WHERE event = 'verify' AND code"
                                " IN ('%s')" % codes)[0][0])
    before = inserts()
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        # the clients are up, this module imported in each, before the lock is taken
        pool.map(_verify_many, [(invqr.url, [])] * 8)
        # The test holds the lock itself and notes when it lets go: every
        # answer must come after that instant (no stopwatch threshold).
        lock = subprocess.Popen(["mariadb", "--no-defaults", "--socket=" + sock, "-uroot",
                                 "--unbuffered", "-N", "-B", "invqr"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            lock.stdin.write("LOCK TABLES audit_log WRITE; SELECT 'invqr_test_locked';\n")
            lock.stdin.flush()
            assert lock.stdout.readline().strip() == "invqr_test_locked", "no lock taken"
            answers = pool.map_async(_verify_timed, jobs)
            # the first writer is blocked by the lock ...
            deadline = time.monotonic() + 60
            while not invqr.sql("SELECT 1 FROM information_schema.PROCESSLIST WHERE INFO LIKE"
                                " 'INSERT INTO audit_log%' AND STATE LIKE 'Waiting for%'"):
                assert time.monotonic() < deadline and not answers.ready(), \
                    "no audit INSERT ever waited for the lock"
                time.sleep(0.02)
            # ... and the other clients get time to queue behind it (this
            # only gives the batching a chance; no assertion is timed)
            time.sleep(2)
            released = time.monotonic()
            lock.stdin.write("UNLOCK TABLES;\n")
            lock.stdin.close()
        finally:
            if lock.stdin and not lock.stdin.closed:
                lock.stdin.close()
            lock.wait(timeout=60)
        results = answers.get(timeout=120)
    statuses = [st for r, _ in results for st in r]
    assert statuses == [200] * 8, statuses
    # no answer before its audit row could be written, i.e. before the release
    early = [t - released for _, t in results if t <= released]
    assert not early, f"{len(early)} answer(s) came while the audit log was locked"
    rows = invqr.sql("SELECT code, fiscal_code, outcome, actor, level, detail IS NULL,"
                     " operator_id IS NULL FROM audit_log WHERE event = 'verify' AND code IN"
                     " ('%s') ORDER BY id" % codes)[before_rows:]
    assert sorted((r[0], r[1]) for r in rows) == sorted(p for _, ps in jobs for p in ps)
    assert all(r[2:] == ("match", "verifier", "1", "1", "1") for r in rows), rows
    assert inserts() - before < 8  # some rows shared one statement
