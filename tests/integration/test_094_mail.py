# SPDX-License-Identifier: Apache-2.0
"""The attestation sent by e-mail through a real MTA (issue 14.5): a private
Postfix (tests/integration/mta.py) takes invqr's SMTP submission over
STARTTLS, its certificate verified against the run's own CA, and delivers
into a Maildir that the tests read: headers (RFC 2047 subject in the
holder's language, no line over 78 characters, nothing but ASCII), the text
in the holder's language, the PDF attachment whose QR and code verify. The
two addresses must be the same and parse; the holder has a few e-mails a
day, counted in the store; the audit keeps an HMAC of the address, never
the address. A failing MTA gives the holder a plain message, logs one
tagged line and loses nothing: the day's slot comes back and no audit row
says "sent"."""
import hashlib
import hmac
import re
import subprocess
import time

import pytest
import requests

from harness import BUILD, ROOT, CSV_HEADER, citizen_row, csrf_of, fiscal_code, module_instance
from mta import Postfix
from test_040_verify import generate

import itertools
import os

PER_DAY = 2
_seq = itertools.count(1)
ADDRESS_RE = re.compile(r"[a-z0-9._-]+@invqr\.test")
INVQR0230 = r"INVQR0230: the MTA did not take an attestation e-mail"


@pytest.fixture(scope="module")
def mta():
    m = Postfix(ROOT / "run" / f"mta-{os.getpid()}").start()
    yield m
    m.stop()


@pytest.fixture(scope="module")
def inst(mta):
    yield from module_instance(
        "mail", env={"INVQR_MAIL_TRANSPORT": mta.transport, "INVQR_MAIL_CA_FILE": str(mta.ca),
                     "INVQR_MAIL_PER_DAY": str(PER_DAY),
                     "INVQR_MAIL_FROM": "attestazioni@invqr.test"},
        allowed=[INVQR0230])


def holder(inst, tmp_path, lang="it", **kw):
    """A citizen of our own with an active code, signed in, in lang."""
    n = next(_seq)
    fc = fiscal_code("TSTMAL%02dA01H50%d" % (n % 100, n // 100 % 10))
    path = tmp_path / f"m{n}.csv"
    path.write_text(CSV_HEADER + "\n" + citizen_row(fc, **kw) + "\n", encoding="utf-8")
    inst.admin("import", str(path), check=0)
    s = requests.Session()
    page = s.get(inst.url + "/citizen")
    r = s.post(inst.url + "/citizen/demo-login",
               data={"csrf": csrf_of(page.text), "fiscal_code": fc}, allow_redirects=False)
    assert r.status_code == 303
    code = generate(inst, s)
    if lang == "en":
        s.get(inst.url + "/citizen?lang=en")
    return fc, s, code


def refused(inst, s, to):
    """Send to an MTA that will not take it: the holder's plain page, and
    the one INVQR0230 line it logged."""
    worker_log = inst.logs()["worker"]
    mark = worker_log.stat().st_size
    r = send(inst, s, to)
    assert r.status_code == 503 and "non è stato inviato nulla" in r.text
    line = [l for l in worker_log.read_text()[mark:].splitlines() if "INVQR0230" in l]
    assert len(line) == 1, line
    return line[0]


def send(inst, s, to, again=None):
    page = s.get(inst.url + "/citizen")
    assert 'action="/citizen/mail"' in page.text or "/citizen/mail" in page.text
    return s.post(inst.url + "/citizen/mail",
                  data={"csrf": csrf_of(page.text), "email": to,
                        "email_again": to if again is None else again},
                  allow_redirects=False)


def mail_audit(inst, fc):
    return inst.sql("SELECT outcome, detail FROM audit_log WHERE event = 'pdf_mail'"
                    f" AND fiscal_code = '{fc}' ORDER BY id")


def quota(inst, fc):
    rows = inst.sql(f"SELECT sent FROM citizen_mail_quota WHERE fiscal_code = '{fc}'"
                    " AND day = UTC_DATE()")
    return int(rows[0][0]) if rows else 0


def messages_to(mta, to):
    return [m for m in mta.messages() if m["To"].addresses[0].addr_spec == to]


def wait_messages_to(mta, to, n):
    deadline = time.time() + 30
    while time.time() < deadline:
        got = messages_to(mta, to)
        if len(got) >= n:
            return got
        time.sleep(0.2)
    raise AssertionError(f"no message to {to}; maillog:\n{mta.log_text()[-3000:]}")


def secret(inst):
    return bytes.fromhex(inst.conf_value("secret"))


def address_mac(inst, address):
    return hmac.new(secret(inst), b"invqr mail address\x00" + address.encode(),
                    hashlib.sha256).hexdigest()[:32]


WORDS = {
    "it": {"subject": "Attestazione dello status di invalidità civile", "greeting": "Gentile",
           "code": "Codice dell'attestazione:", "done": "consegnato al servizio di posta"},
    "en": {"subject": "Civil invalidity status attestation", "greeting": "Dear",
           "code": "Attestation code:", "done": "handed to the mail service"},
}


@pytest.mark.parametrize("lang", ["it", "en"])
def test_the_pdf_arrives_by_mail_and_verifies(inst, mta, tmp_path, lang):
    fc, s, code = holder(inst, tmp_path, lang, surname="D'Alò", given="Nicolò")
    to = f"nicolo.{lang}.{next(_seq)}@invqr.test"
    r = send(inst, s, to)
    assert r.status_code == 303, r.text[:500]
    assert r.headers["Location"].endswith("/citizen?done=mailed")
    page = s.get(inst.url + "/citizen?done=mailed")
    assert WORDS[lang]["done"] in page.text
    (msg,) = wait_messages_to(mta, to, 1)
    raw = msg.as_bytes()
    head = raw.split(b"\n\n", 1)[0] if b"\r\n\r\n" not in raw else raw.split(b"\r\n\r\n", 1)[0]

    # headers: ASCII only, short lines, one each, encoded words decoded right
    head.decode("ascii")
    for line in head.splitlines():
        assert len(line) <= 78, line
    for name in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
        assert len(msg.get_all(name)) == 1, name
    assert msg["Subject"] == WORDS[lang]["subject"]
    assert b"=?UTF-8?B?" in head
    assert msg["From"].addresses[0].addr_spec == "attestazioni@invqr.test"
    assert msg["From"].addresses[0].display_name == "Comune di Forlì · Servizi sociali"
    assert msg["To"].addresses[0].addr_spec == to
    assert msg["Message-ID"].endswith("@invqr.test>")
    assert msg.get_content_type() == "multipart/mixed"

    # the text, in the holder's language
    text = msg.get_body(("plain",)).get_content()
    grouped = "-".join(code[i:i + 5] for i in range(0, 20, 5))
    assert text.startswith(WORDS[lang]["greeting"] + " Nicolò D'Alò,")
    assert WORDS[lang]["code"] + " " + grouped in text
    assert inst.url + "/verify" in text

    # the attachment: the PDF under its dated name, whose QR and code verify
    (att,) = list(msg.iter_attachments())
    assert att.get_content_type() == "application/pdf"
    assert re.fullmatch(r"attestazione-invalidita-\d{4}-\d\d-\d\d-" + code[:5] + r"\.pdf",
                        att.get_filename())
    pdf = tmp_path / att.get_filename()
    pdf.write_bytes(att.get_content())
    assert pdf.read_bytes() == s.get(inst.url + "/citizen/qr.pdf").content
    pdftext = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
    assert grouped in pdftext
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf),
                    str(tmp_path / "page")], check=True)
    qr = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "page.png")],
                        capture_output=True, text=True).stdout.strip()
    assert qr == (inst.url + "/V/" + code).upper()
    v = requests.Session()
    form = v.get(qr)
    r = v.post(qr, data={"csrf": csrf_of(form.text), "fiscal_code": fc})
    assert r.status_code == 200 and 'data-field="civil_invalidity"' in r.text

    # it went over TLS, the server's certificate verified (STARTTLS is required)
    assert re.search(r"TLS connection established from localhost", mta.log_text())

    # the audit has the address's HMAC under the instance's secret, never the address
    assert mail_audit(inst, fc) == [("sent", "to_hmac=" + address_mac(inst, to))]
    assert to not in inst.sql("SELECT GROUP_CONCAT(detail) FROM audit_log")[0][0]
    for log in inst.logs().values():
        assert to not in log.read_text(errors="replace")


@pytest.mark.parametrize("to,again,words", [
    ("anna@invqr.test", "anna@invqr.tset", "non sono uguali"),
    ("anna @invqr.test", None, "non è valido"),
    ("anna@invqr.test\r\nBcc: spia@invqr.test", None, "non è valido"),
    ("anna@invqr.test>\r\nRCPT TO:<spia@invqr.test", None, "non è valido"),
    ("annà@invqr.test", None, "non è valido"),
    ("anna@invqr.test,spia@invqr.test", None, "non è valido"),
    ("", None, "non è valido"),
])
def test_two_plain_equal_addresses_or_nothing_is_sent(inst, mta, tmp_path, to, again, words):
    fc, s, code = holder(inst, tmp_path)
    before = len(mta.messages())
    r = send(inst, s, to, again)
    assert r.status_code == 400
    assert words in r.text
    assert quota(inst, fc) == 0 and mail_audit(inst, fc) == []
    assert len(mta.messages()) == before
    assert "spia@" not in mta.log_text()


def test_the_daily_limit_is_kept_in_the_store(inst, mta, tmp_path):
    fc, s, code = holder(inst, tmp_path)
    to = f"limite.{next(_seq)}@invqr.test"
    for _ in range(PER_DAY):
        assert send(inst, s, to).status_code == 303
    r = send(inst, s, to)
    assert r.status_code == 429
    assert "numero massimo di e-mail" in r.text
    assert quota(inst, fc) == PER_DAY
    mac = "to_hmac=" + address_mac(inst, to)
    assert mail_audit(inst, fc) == [("sent", mac)] * PER_DAY + [("limit", mac)]
    assert len(wait_messages_to(mta, to, PER_DAY)) == PER_DAY
    # the citizen page says how many a day
    assert f'data-field="mail-per-day">{PER_DAY}<' in s.get(inst.url + "/citizen").text


@pytest.mark.allow_log(INVQR0230)
def test_a_failing_mta_loses_nothing(inst, mta, tmp_path):
    fc, s, code = holder(inst, tmp_path)
    to = f"guasto.{next(_seq)}@invqr.test"
    worker_log = inst.logs()["worker"]
    mark = worker_log.stat().st_size
    mta.pause()
    try:
        r = send(inst, s, to)
    finally:
        mta.resume()
    assert r.status_code == 503
    assert "non è stato inviato nulla" in r.text
    # a plain message, no error details for the holder
    for leak in ("SMTP", "curl", "Couldn't", "INVQR"):
        assert leak not in r.text
    tagged = [l for l in worker_log.read_text()[mark:].splitlines() if "INVQR" in l]
    assert len(tagged) == 1 and "INVQR0230" in tagged[0], tagged
    assert to not in tagged[0]
    # nothing lost: the slot is back, and no row claims a sent e-mail
    assert quota(inst, fc) == 0
    assert mail_audit(inst, fc) == [("mta_failed", "to_hmac=" + address_mac(inst, to))]
    # the MTA back, the same request goes through
    assert send(inst, s, to).status_code == 303
    assert len(wait_messages_to(mta, to, 1)) == 1
    assert quota(inst, fc) == 1


def keep_ways(html):
    m = re.search(r'<ul data-field="keep-ways">(.*?)</ul>', html, re.S)
    assert m, html
    return re.findall(r"<li>(.*?)</li>", m.group(1), re.S)


def test_the_page_lists_every_way_to_keep_and_show_it(inst, tmp_path):
    fc, s, code = holder(inst, tmp_path)
    ways = keep_ways(s.get(inst.url + "/citizen").text)
    assert [w.split(":")[0] for w in ways] == [
        "Il PDF scaricato", "Su carta", "Sullo schermo", "Condivisione dal telefono",
        "Per e-mail"]
    ways = keep_ways(s.get(inst.url + "/citizen?lang=en").text)
    assert ways[-1].startswith("Receive it by e-mail")


def test_without_a_transport_there_is_no_form(invqr, tmp_path):
    """The session's instance has no mail_transport: no form, no e-mail in
    the list of ways, and the route answers 404."""
    fc, s, code = holder(invqr, tmp_path)
    page = s.get(invqr.url + "/citizen")
    assert "/citizen/mail" not in page.text
    assert len(keep_ways(page.text)) == 4
    r = s.post(invqr.url + "/citizen/mail", data={"csrf": csrf_of(page.text),
                                                  "email": "a@invqr.test",
                                                  "email_again": "a@invqr.test"})
    assert r.status_code == 404


# -- the other transports' set-ups: each its own instance ------------------------

@pytest.fixture(scope="module")
def untrusting(mta):
    """An instance that trusts only the system's CAs: the test MTA's
    certificate, from the run's own CA, must be refused."""
    yield from module_instance(
        "mail-untrusted", env={"INVQR_MAIL_TRANSPORT": mta.transport,
                               "INVQR_MAIL_CA_FILE": "/etc/ssl/certs/ca-certificates.crt"},
        allowed=[INVQR0230])


@pytest.mark.allow_log(INVQR0230)
def test_an_unverified_mta_certificate_sends_nothing(untrusting, mta, tmp_path):
    fc, s, code = holder(untrusting, tmp_path)
    to = f"nontrust.{next(_seq)}@invqr.test"
    line = refused(untrusting, s, to)
    assert re.search(r"SSL|certificate", line), line
    assert quota(untrusting, fc) == 0
    assert [o for o, _ in mail_audit(untrusting, fc)] == ["mta_failed"]
    # the TLS handshake failed before any envelope: Postfix never heard of it
    assert "SSL" in line or "certificate" in line
    assert "nontrust" not in mta.log_text()


@pytest.fixture(scope="module")
def via_sendmail(mta):
    """An instance that hands its e-mails to Postfix's sendmail program (the
    test instance's, named by MAIL_CONFIG in the worker's environment)."""
    yield from module_instance(
        "mail-sendmail", env={"INVQR_MAIL_TRANSPORT": "sendmail:/usr/sbin/sendmail",
                              "MAIL_CONFIG": str(mta.etc)})


def test_the_sendmail_interface_delivers_the_same_message(via_sendmail, mta, tmp_path):
    fc, s, code = holder(via_sendmail, tmp_path, "en")
    to = f"sendmail.{next(_seq)}@invqr.test"
    assert send(via_sendmail, s, to).status_code == 303
    (msg,) = wait_messages_to(mta, to, 1)
    assert msg["Subject"] == WORDS["en"]["subject"]
    (att,) = list(msg.iter_attachments())
    assert att.get_content() == s.get(via_sendmail.url + "/citizen/qr.pdf").content
    assert mail_audit(via_sendmail, fc) == [("sent", "to_hmac=" + address_mac(via_sendmail, to))]
    # postfix's pickup took it from sendmail, not from an SMTP client
    assert re.search(r"postfix/pickup\[\d+\]: \w+: uid=0 from=<attestazioni@invqr.test>",
                     mta.log_text())


@pytest.mark.allow_log(r"INVQR0301: test fault", r"INVQR0309: worker \d+ killed by signal",
                       r"AH01067", r"AH01075", r"AH01068", r"AH01070")
def test_past_days_counts_are_swept(invqr):
    """The workers' housekeeping removes the e-mail counts of past days and
    keeps today's (a new worker sweeps at its first answer)."""
    invqr.sql("INSERT INTO citizen_mail_quota VALUES ('HKMAIL0000000OLD', UTC_DATE() - INTERVAL 3 DAY, 2),"
             " ('HKMAIL0000000NEW', UTC_DATE(), 1)")
    assert requests.get(invqr.url + "/_test/crash").status_code == 503
    left = None
    deadline = time.time() + 60
    while time.time() < deadline:
        requests.get(invqr.url + "/")
        left = invqr.sql("SELECT fiscal_code FROM citizen_mail_quota WHERE fiscal_code LIKE 'HKMAIL%'")
        if left == [("HKMAIL0000000NEW",)]:
            break
        time.sleep(0.2)
    assert left == [("HKMAIL0000000NEW",)]



def test_a_delegate_sends_the_holders_pdf_and_both_are_audited(inst, mta, tmp_path):
    """Someone acting for the holder (issue 12) may have the holder's PDF
    e-mailed; the audit row names the holder and the delegate."""
    fc, s, code = holder(inst, tmp_path)
    delegate = fiscal_code("DLGMAL80A01F%03d" % next(_seq))
    inst.admin("delegation", "add", "--holder", fc, "--delegate", delegate, "--role", "delegate",
               check=0)
    d = requests.Session()
    page = d.get(inst.url + "/citizen")
    assert d.post(inst.url + "/citizen/demo-login", allow_redirects=False,
                  data={"csrf": csrf_of(page.text), "fiscal_code": delegate}).status_code == 303
    page = d.get(inst.url + "/citizen")
    assert d.post(inst.url + "/citizen/act-as", allow_redirects=False,
                  data={"csrf": csrf_of(page.text), "holder": fc}).status_code == 303
    to = f"delega.{next(_seq)}@invqr.test"
    assert send(inst, d, to).status_code == 303
    (msg,) = wait_messages_to(mta, to, 1)
    (att,) = list(msg.iter_attachments())
    assert att.get_filename().endswith("-" + code[:5] + ".pdf")
    assert inst.sql("SELECT outcome, delegate_fiscal_code FROM audit_log WHERE event = 'pdf_mail'"
                    f" AND fiscal_code = '{fc}'") == [("sent", delegate)]


# ---- a relay that asks for SMTP AUTH ---------------------------------------------------

LOGIN = ("attestazioni", "pass word#4 with=signs")


@pytest.fixture(scope="module")
def auth_mta():
    """A Postfix that takes mail only from a client signed in with SMTP AUTH,
    and offers AUTH only after STARTTLS."""
    m = Postfix(ROOT / "run" / f"mta-auth-{os.getpid()}", login=LOGIN).start()
    yield m
    m.stop()


def signing_in(name, mta, password):
    return module_instance(
        name, env={"INVQR_MAIL_TRANSPORT": mta.transport, "INVQR_MAIL_CA_FILE": str(mta.ca),
                   "INVQR_MAIL_FROM": "attestazioni@invqr.test",
                   "INVQR_MAIL_USER": LOGIN[0], "INVQR_MAIL_PASSWORD": password},
        allowed=[INVQR0230])


@pytest.fixture(scope="module")
def signed_in_sender(auth_mta):
    yield from signing_in("mail-auth", auth_mta, LOGIN[1])


@pytest.fixture(scope="module")
def wrong_password_sender(auth_mta):
    yield from signing_in("mail-auth-wrong", auth_mta, "not the password")


def test_a_relay_that_asks_for_smtp_auth_takes_the_mail_once_signed_in(
        signed_in_sender, auth_mta, tmp_path):
    fc, s, code = holder(signed_in_sender, tmp_path)
    to = f"auth.{next(_seq)}@invqr.test"
    assert send(signed_in_sender, s, to).status_code == 303
    (msg,) = wait_messages_to(auth_mta, to, 1)
    (att,) = list(msg.iter_attachments())
    assert att.get_content() == s.get(signed_in_sender.url + "/citizen/qr.pdf").content
    assert mail_audit(signed_in_sender, fc) == [("sent", "to_hmac=" + address_mac(signed_in_sender, to))]
    # Postfix says who signed in, and that it was over TLS
    log = auth_mta.log_text()
    assert re.search(r"sasl_method=(PLAIN|LOGIN), sasl_username=attestazioni@mta\.invqr\.test", log), \
        log[-2000:]
    assert "TLS connection established from" in log
    # the password is in none of invqr's logs
    for name, path in signed_in_sender.logs().items():
        assert LOGIN[1] not in path.read_text(errors="replace"), name


@pytest.mark.allow_log(INVQR0230)
def test_a_wrong_smtp_password_sends_nothing_and_loses_nothing(
        wrong_password_sender, auth_mta, tmp_path):
    fc, s, code = holder(wrong_password_sender, tmp_path)
    to = f"authwrong.{next(_seq)}@invqr.test"
    line = refused(wrong_password_sender, s, to)
    assert re.search(r"[Ll]ogin denied", line), line
    assert "not the password" not in wrong_password_sender.logs()["worker"].read_text()
    assert quota(wrong_password_sender, fc) == 0
    assert [o for o, _ in mail_audit(wrong_password_sender, fc)] == ["mta_failed"]
    assert messages_to(auth_mta, to) == []
    assert re.search(r"SASL (PLAIN|LOGIN) authentication failed", auth_mta.log_text())


@pytest.mark.parametrize("lines, why", [
    (["mail_transport = smtp://127.0.0.1:25", "mail_user = attestazioni"], "go together"),
    (["mail_transport = smtp://127.0.0.1:25", "mail_password = s3cret-value"], "go together"),
    (["mail_transport = sendmail:/usr/sbin/sendmail", "mail_user = attestazioni",
      "mail_password = s3cret-value"], "smtp://"),
    (["mail_user = attestazioni", "mail_password = s3cret-value"], "need mail_transport"),
    (["mail_transport = smtp://127.0.0.1:25", "mail_user = attestazioni",
      "mail_password = s3cret\x01value"], "control characters"),
])
def test_a_sign_in_that_cannot_be_used_stops_the_worker(invqr, tmp_path, lines, why):
    """Half a sign-in, or one for a transport that has none, is a mistake
    said at start-up (INVQR0080, exit 2), never silently ignored, and the
    password is not in what is said."""
    kept = [line for line in invqr.conf.read_text().splitlines()
            if not line.startswith(("mail_", "worker_log"))]
    conf = tmp_path / "invqr.conf"
    conf.write_text("\n".join(kept + ["mail_from = attestazioni@invqr.test"] + lines) + "\n")
    r = subprocess.run([str(BUILD / "invqr-worker"), "--config", str(conf),
                        "--socket", str(tmp_path / "w.sock"), "--no-supervise"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "INVQR0080" in r.stderr and why in r.stderr, r.stderr
    assert "s3cret" not in r.stdout + r.stderr
    assert not (tmp_path / "w.sock").exists()
