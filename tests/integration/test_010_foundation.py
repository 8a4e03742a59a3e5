# SPDX-License-Identifier: Apache-2.0
"""The request path end to end: routing, pages, security headers, language,
sessions across httpd children, CSRF, the worker gate and crash recovery."""
import concurrent.futures
import re
import time
from pathlib import Path

import pytest
import requests

from conftest import csrf_of, demo_login
from fcgi_client import request as fcgi_request
from harness import start_instance, stop_instance

DEMO_FC = "RSSMRA75C14H501L"   # a definitive citizen of schema/demo/citizens.csv


def wait_until(condition, what, timeout=60):
    """condition()'s first true value; polls, and fails after timeout s.
    For things that happen soon but not at a known instant."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.05)


def served_again(invqr):
    """Wait until a worker answers again after a crash. The supervisor logs
    INVQR0309 before it forks the new worker, so the line is there then."""
    wait_until(lambda: requests.get(invqr.url + "/", timeout=60).status_code == 200,
               "the supervisor's new worker to answer")


def worker_child(invqr):
    """The pid of the worker process (the supervisor's child)."""
    pids = {pid for pid, cmd in invqr.processes() if "invqr-worker" in cmd}
    children = []
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            ppid = int(re.search(r"^PPid:\s*(\d+)", f.read(), re.M).group(1))
        if ppid in pids:
            children.append(pid)
    assert len(children) == 1, f"expected one worker under the supervisor: {pids}"
    return children[0]


def asleep(pid):
    """How many threads of pid sleep in the kernel's nanosleep now (what
    sleep(3) comes to), as /proc/PID/task/TID/wchan tells."""
    n = 0
    for tid in Path(f"/proc/{pid}/task").iterdir():
        try:
            n += "nanosleep" in (tid / "wchan").read_text()
        except OSError:
            continue
    return n


def test_the_demo_sign_in_is_announced_at_start_up(invqr):
    """The contract (docs/contract.md, Citizen identity): the server warns
    at start-up when the demo sign-in is on: on the terminal of whoever
    started it, and in the error log."""
    said = Path(invqr.log.name).read_text()
    assert "WARNING: the demo sign-in is on" in said
    assert "INVQR0102: InvQRDemoLogin is On" in (invqr.run / "log" / "error.log").read_text()


def test_ctrl_c_stops_everything_it_started(tmp_path):
    """The contract (docs/contract.md, Running it): SIGINT (Ctrl-C) stops
    every process script/server started, and its socket directory goes
    with them."""
    import signal
    inst = start_instance("sigint")
    sockdir = Path(inst.conf_value("db_socket")).parent
    assert inst.processes() and sockdir.is_dir()
    try:
        inst.proc.send_signal(signal.SIGINT)
        assert inst.proc.wait(timeout=60) == 0
        assert inst.processes() == []
        assert not sockdir.exists()
        with pytest.raises(requests.ConnectionError):
            requests.get(inst.url + "/", timeout=5)
    finally:
        stop_instance(inst)       # whatever SIGINT left, and the run directory


def test_home_page_is_real(invqr):
    r = requests.get(invqr.url + "/", headers={"Accept-Language": "it"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.text.startswith("<!DOCTYPE html>")
    assert '<html lang="it">' in r.text
    assert 'href="/verify"' in r.text and 'href="/citizen"' in r.text
    assert r.text.count("<h1") == 1


def test_the_home_page_kept_for_visitors_is_theirs_alone(invqr, browser_session):
    """Each worker thread keeps the home page it made for visitors who are
    not signed in, one per language (invqr_app.c). Whichever thread answers,
    a visitor gets the same page in their language, and someone signed in
    gets a page that names them, never the kept one."""
    pages = {}
    for lang in ("it", "en", "de", "it"):
        # more requests than the worker has threads, so that every thread
        # answers from its kept page after its first
        seen = {requests.get(invqr.url + "/", headers={"Accept-Language": lang}).text
                for _ in range(40)}
        assert len(seen) == 1, lang
        page = seen.pop()
        assert '<html lang="%s">' % lang in page
        assert pages.setdefault(lang, page) == page
    assert len(set(pages.values())) == 3
    assert DEMO_FC not in pages["it"]
    demo_login(browser_session, invqr, DEMO_FC)
    for _ in range(20):
        mine = browser_session.get(invqr.url + "/", headers={"Accept-Language": "it"}).text
        assert 'class="who"' in mine and DEMO_FC in mine
        assert mine != pages["it"]


def test_only_pages_with_forms_give_a_visitor_the_csrf_cookie(invqr):
    """The home page and /health hold no form: they cost no token and set no
    cookie. A page with a form sets it, and its form works with it."""
    for path in ("/", "/health"):
        r = requests.get(invqr.url + path)
        assert r.status_code == 200, path
        assert "invqr_csrf" not in r.headers.get("Set-Cookie", ""), path
    s = requests.Session()
    s.get(invqr.url + "/")
    page = s.get(invqr.url + "/verify")
    assert "invqr_csrf" in s.cookies
    r = s.post(invqr.url + "/verify", data={"csrf": csrf_of(page.text), "code": "1" * 20,
                                             "fiscal_code": DEMO_FC})
    assert r.status_code != 403, r.status_code


def test_worker_answers_carry_their_length_and_are_not_chunked(invqr):
    """mod_invqr has mod_proxy_fcgi keep the worker's Content-Length: pages
    and error pages go out whole, with their length, to HTTP/1.1 and HTTP/1.0
    clients alike, and HEAD says the length of the GET (the PDF: test_040)."""
    import http.client
    from urllib.parse import urlsplit
    u = urlsplit(invqr.url)
    pages = ["/", "/verify", "/v/" + "1" * 20, "/help", "/citizen", "/privacy"]
    for path in pages:
        for version in (11, 10):
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
            if version == 10:
                c._http_vsn, c._http_vsn_str = 10, "HTTP/1.0"
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            assert r.getheader("Transfer-Encoding") is None, (path, version)
            assert r.getheader("Content-Length") == str(len(body)), (path, version, r.status)
            c.close()
        head = requests.head(invqr.url + path)
        get = requests.get(invqr.url + path)
        assert head.headers["Content-Length"] == str(len(get.content)), path


def test_security_headers_on_pages_errors_and_files(invqr):
    for path in ["/", "/no-such-page", "/static/invqr.css"]:
        r = requests.get(invqr.url + path)
        csp = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "no-referrer"


def test_unknown_path_is_a_404_page_in_the_persons_language(invqr):
    it = requests.get(invqr.url + "/nowhere", headers={"Accept-Language": "it"})
    en = requests.get(invqr.url + "/nowhere", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert it.status_code == en.status_code == 404
    assert '<html lang="it">' in it.text and '<html lang="en">' in en.text
    assert 'data-status="404"' in it.text


def test_language_can_be_chosen_and_is_remembered(invqr):
    s = requests.Session()
    s.headers["Accept-Language"] = "it"
    r = s.get(invqr.url + "/?lang=en")
    assert '<html lang="en">' in r.text
    assert any(c.name == "invqr_lang" and c.value == "en" for c in s.cookies)
    assert '<html lang="en">' in s.get(invqr.url + "/").text


def test_wrong_method_is_405_with_allow(invqr):
    r = requests.delete(invqr.url + "/")
    assert r.status_code == 405
    assert "GET" in r.headers.get("Allow", "")
    assert 'data-status="405"' in r.text


def test_error_document_path_is_not_reachable_from_outside(invqr):
    assert requests.get(invqr.url + "/.error").status_code == 404


def test_static_files_only_by_safe_name(invqr):
    r = requests.get(invqr.url + "/static/invqr.css")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/css")
    etag = r.headers["ETag"]
    assert requests.get(invqr.url + "/static/invqr.css",
                        headers={"If-None-Match": etag}).status_code == 304
    for bad in ["/static/../invqr.conf", "/static/.hidden", "/static/%2e%2e%2fetc%2fpasswd"]:
        assert requests.get(invqr.url + bad).status_code in (400, 404)


def test_demo_sign_in_creates_a_session_cookie_with_safe_attributes(invqr, browser_session):
    r = demo_login(browser_session, invqr, DEMO_FC.lower())
    cookie = [v for k, v in r.headers.items() if k.lower() == "set-cookie" and "invqr_session" in v]
    assert cookie, r.headers
    assert "HttpOnly" in cookie[0] and "SameSite=Lax" in cookie[0] and "Path=/" in cookie[0]
    assert "Secure" not in cookie[0]       # plain HTTP here; Secure is set over TLS
    page = browser_session.get(invqr.url + "/citizen")
    assert 'data-field="fiscal_code">' + DEMO_FC in page.text
    assert 'data-eligibility="eligible"' in page.text
    # only a hash of the cookie is stored
    token = browser_session.cookies["invqr_session"]
    rows = invqr.sql("SELECT HEX(id_hash) FROM session WHERE fiscal_code = '%s'" % DEMO_FC)
    assert rows and all(token not in r[0] for r in rows)


def test_session_is_shared_by_every_httpd_child(invqr, browser_session):
    demo_login(browser_session, invqr, DEMO_FC)
    cookie = browser_session.cookies["invqr_session"]

    def fetch(_):
        r = requests.get(invqr.url + "/citizen", cookies={"invqr_session": cookie},
                         headers={"Connection": "close"})
        return 'data-eligibility="eligible"' in r.text

    log = invqr.run / "log" / "access.log"
    seen = log.stat().st_size          # earlier tests' lines do not count
    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        results = list(ex.map(fetch, range(120)))
    assert all(results)

    def written():
        with open(log, "rb") as f:
            f.seek(seen)
            lines = f.read().decode("utf-8", "replace").splitlines()
        return lines if sum("GET /citizen " in l for l in lines) >= 120 else None
    # httpd logs a request after its answer has gone out: the last lines
    # may come a little after the last answer
    access = wait_until(written, "the 120 requests in the access log")
    pids = {re.search(r"pid=(\d+)", l).group(1) for l in access if "GET /citizen " in l}
    assert len(pids) >= 2, "all requests were served by one child; the test proves nothing"


def test_sign_out_ends_the_session_in_the_store(invqr, browser_session):
    demo_login(browser_session, invqr, DEMO_FC)
    token = browser_session.cookies["invqr_session"]
    page = browser_session.get(invqr.url + "/citizen")
    r = browser_session.post(invqr.url + "/citizen/logout", data={"csrf": csrf_of(page.text)},
                             allow_redirects=False)
    assert r.status_code == 303
    # the old cookie no longer opens anything, even if a client kept it
    again = requests.get(invqr.url + "/citizen", cookies={"invqr_session": token})
    assert 'data-field="fiscal_code"' not in again.text


@pytest.mark.allow_log(r"INVQR0133: POST without a valid CSRF token refused")
def test_post_without_valid_csrf_token_is_refused(invqr, browser_session):
    browser_session.get(invqr.url + "/citizen")
    for data in [{"fiscal_code": DEMO_FC}, {"fiscal_code": DEMO_FC, "csrf": "x" * 43}]:
        r = browser_session.post(invqr.url + "/citizen/demo-login", data=data,
                                 allow_redirects=False)
        assert r.status_code == 403
        assert 'data-status="403"' in r.text
    # a token taken from another browser does not work either
    other = requests.Session()
    token = csrf_of(other.get(invqr.url + "/citizen").text)
    r = browser_session.post(invqr.url + "/citizen/demo-login",
                             data={"fiscal_code": DEMO_FC, "csrf": token}, allow_redirects=False)
    assert r.status_code == 403


@pytest.mark.allow_log(r"INVQR0132: cross-site POST refused")
def test_cross_site_post_is_refused(invqr, browser_session):
    page = browser_session.get(invqr.url + "/citizen")
    r = browser_session.post(invqr.url + "/citizen/demo-login",
                             data={"fiscal_code": DEMO_FC, "csrf": csrf_of(page.text)},
                             headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
                             allow_redirects=False)
    assert r.status_code == 403


@pytest.mark.allow_log(r"INVQR0131: malformed form body")
def test_malformed_and_oversized_forms(invqr, browser_session):
    page = browser_session.get(invqr.url + "/citizen")
    url = invqr.url + "/citizen/demo-login"
    r = browser_session.post(url, data="csrf=%zz", allow_redirects=False,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    r = browser_session.post(url, data={"csrf": csrf_of(page.text), "x": "a" * 70000},
                             allow_redirects=False)
    assert r.status_code == 413
    r = browser_session.post(url, json={"csrf": csrf_of(page.text)}, allow_redirects=False)
    assert r.status_code == 415


def test_invalid_fiscal_code_at_demo_sign_in_is_400(invqr, browser_session):
    page = browser_session.get(invqr.url + "/citizen")
    r = browser_session.post(invqr.url + "/citizen/demo-login",
                             data={"csrf": csrf_of(page.text), "fiscal_code": "RSSMRA85T10A562X"},
                             allow_redirects=False)
    assert r.status_code == 400 and 'data-status="400"' in r.text


def test_client_cannot_forge_identity_variables(invqr):
    headers = {"Invqr-Citizen": DEMO_FC, "INVQR_CITIZEN": DEMO_FC, "Invqr-Gate": "x"}
    r = requests.get(invqr.url + "/citizen", headers=headers)
    assert 'data-field="fiscal_code"' not in r.text


@pytest.mark.allow_log(r"INVQR0300: request refused: it did not come through mod_invqr")
def test_worker_refuses_requests_that_bypass_the_module(invqr):
    sock = str(Path(invqr.conf_value("db_socket")).parent / "worker.sock")
    params = {"REQUEST_METHOD": "GET", "REQUEST_URI": "/citizen", "INVQR_ROUTE": "citizen",
              "INVQR_CITIZEN": DEMO_FC, "INVQR_GATE": "0" * 64}
    out = fcgi_request(sock, params)
    assert out.startswith("Status: 403"), out[:200]
    assert DEMO_FC not in out
    del params["INVQR_GATE"]
    assert fcgi_request(sock, params).startswith("Status: 403")


@pytest.mark.allow_log(r"INVQR0301: test fault", r"INVQR0309: worker \d+ killed by signal",
                       r"AH01067", r"AH01075", r"AH01068", r"AH01070")
def test_a_crashed_worker_is_replaced_and_its_request_gets_a_503_page(invqr):
    r = requests.get(invqr.url + "/_test/crash", headers={"Accept-Language": "en"})
    assert r.status_code == 503
    assert 'data-status="503"' in r.text and '<html lang="en">' in r.text
    assert r.headers.get("Retry-After")
    # the supervisor has started a new worker: the service answers again
    served_again(invqr)
    log = (invqr.run / "log" / "worker.log").read_text()
    assert "INVQR0309" in log


@pytest.mark.allow_log(r"INVQR0301: test fault", r"INVQR0309: worker \d+ killed by signal",
                       r"AH01067", r"AH01075", r"AH01068", r"AH01070")
def test_requests_in_flight_on_other_threads_survive_a_crash_only_as_503(invqr):
    """A crash takes the worker's other in-flight requests with it: each of
    them must get the 503 page, never a raw error or a hang."""
    child = worker_child(invqr)
    idle = asleep(child)
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        # each sleeps (up to 10 s) in a worker thread; the crash is sent once
        # all three are seen asleep there, not after a guessed delay
        slow = [ex.submit(requests.get, invqr.url + "/_test/sleep?10") for _ in range(3)]
        wait_until(lambda: asleep(child) >= idle + 3 or any(f.done() for f in slow),
                   "the three slow requests to be asleep in the worker")
        assert not any(f.done() for f in slow), "a slow request was answered before the crash"
        crash = requests.get(invqr.url + "/_test/crash")
        answers = [f.result() for f in slow]
    assert crash.status_code == 503
    assert [r.status_code for r in answers] == [503] * 3
    assert all('data-status="503"' in r.text for r in answers)
    # and the supervisor's INVQR0309 is in the log before the next test looks
    served_again(invqr)
