# SPDX-License-Identifier: Apache-2.0
"""A deployment may give codes a maximum lifetime (docs/contract.md, Codes and
the QR: "A code has no expiry of its own unless the deployment sets
code_max_age_days"; HTTP surface, 410 for an expired code). With
code_max_age_days = N a code is valid through its issue day + N days, then
it is gone for every verifier (web, SOAP, second level) and its holder is
asked for a new one."""
import datetime
import os
import re
import subprocess
from zoneinfo import ZoneInfo

import pytest
from zeep.exceptions import Fault

from harness import module_instance, start_instance, stop_instance
from test_040_verify import fields, generate, new_citizen, sign_in, verify
from test_050_operator import (first_level, login, new_operator, new_sms, request_otp, send_otp,
                               spool_names)
from test_060_soap import client, fault_code

DAYS = 30


@pytest.fixture(scope="module")
def aged():
    yield from module_instance("lifetime", {"INVQR_CODE_MAX_AGE_DAYS": str(DAYS)},
                               allowed=[r"INVQR0102: InvQRDemoLogin is On"])


ZONE = ZoneInfo(os.environ.get("INVQR_TZ") or "Europe/Rome")   # the worker's calendar


def local_today():
    return datetime.datetime.now(ZONE).date()


def age(inst, code, days):
    """Make the code issued `days` local days ago, at noon (clear of midnight
    and of daylight saving changes)."""
    day = local_today() - datetime.timedelta(days=days)
    noon = datetime.datetime(day.year, day.month, day.day, 12, tzinfo=ZONE)
    inst.sql("UPDATE qr_code SET created_at = FROM_UNIXTIME(%d) WHERE code = '%s'"
             % (int(noon.timestamp()), code))


def citizen_page(inst, s):
    r = s.get(inst.url + "/citizen")
    assert r.status_code == 200
    return r.text


def test_without_a_lifetime_codes_show_no_expiry(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path)
    s = sign_in(invqr, fc)
    code = generate(invqr, s)
    age(invqr, code, 4000)
    assert 'data-field="expires"' not in citizen_page(invqr, s)
    assert verify(invqr, code, fc).status_code == 200


def test_a_code_is_valid_through_its_last_day_then_gone(aged, tmp_path):
    fc, _ = new_citizen(aged, tmp_path)
    s = sign_in(aged, fc)
    code = generate(aged, s)
    (issued,), = aged.sql("SELECT FLOOR(UNIX_TIMESTAMP(created_at)) FROM qr_code WHERE code = '%s'"
                          % code)
    last = (datetime.datetime.fromtimestamp(int(issued), ZONE).date()
            + datetime.timedelta(days=DAYS))
    last_day = last.isoformat()
    page = citizen_page(aged, s)
    assert re.search(r'datetime="%s" data-field="expires">%s<' % (last_day, last.strftime("%d/%m/%Y")),
                     page)
    assert 'data-field="expired"' not in page

    # the PDF prints the last day beside the issue date
    pdf = s.get(aged.url + "/citizen/qr.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True,
                          check=True).stdout.decode()
    y, m, d = last_day.split("-")
    assert "VALIDO FINO AL" in text and "VALID UNTIL" in text
    assert "%s/%s/%s" % (d, m, y) in text

    # issued DAYS days ago: today is its last day, and it still verifies
    today = local_today()
    age(aged, code, DAYS)
    r = verify(aged, code, fc)
    if local_today() != today:
        pytest.skip("local midnight passed between aging the code and verifying it")
    assert r.status_code == 200, r.text[:300]
    assert fields(r.text)["civil_invalidity"] in ("yes", "no")

    # one day more and it is gone, for verifiers before any fiscal code is compared
    age(aged, code, DAYS + 1)
    for typed in (fc, "RSSMRA75C14H501L"):
        r = verify(aged, code, typed)
        assert r.status_code == 410
        assert fc not in r.text and "data-field" not in r.text
    rows = aged.sql("SELECT outcome, detail FROM audit_log WHERE code = '%s' AND event = 'verify'"
                    " ORDER BY id" % code)
    assert rows == [("match", "NULL"), ("revoked", "expired"), ("revoked", "expired")]


def test_the_holder_of_an_expired_code_is_asked_for_a_new_one(aged, tmp_path):
    fc, _ = new_citizen(aged, tmp_path)
    s = sign_in(aged, fc)
    old = generate(aged, s)
    age(aged, old, DAYS + 1)
    page = citizen_page(aged, s)
    assert 'data-field="expired"' in page
    # no download; the pages that ask before replacing or revoking remain
    assert "/citizen/qr.pdf" not in page and "/citizen/qr/" not in page.replace(
        "/citizen/qr/revoke", "").replace("/citizen/qr/replace", "")
    r = s.get(aged.url + "/citizen/qr.pdf")
    assert r.status_code == 410
    assert "<h1" in r.text

    new = generate(aged, s, first_time=False)
    assert new != old
    page = citizen_page(aged, s)
    assert 'data-field="expired"' not in page
    assert s.get(aged.url + "/citizen/qr.pdf").status_code == 200
    assert verify(aged, new, fc).status_code == 200
    assert verify(aged, old, fc).status_code == 410


def test_a_code_that_expires_soon_has_no_copy_the_module_would_send(aged, tmp_path):
    """The module sends PDF copies without asking the store; the sweep removes
    them after a week. A code with a week or less to live gets no copy, so
    no copy can outlive it."""
    fc, _ = new_citizen(aged, tmp_path)
    s = sign_in(aged, fc)
    code = generate(aged, s)
    link = re.search(r'href="([^"]*/citizen/qr/[0-9a-f]{32}-[^"/]+\.pdf)"', citizen_page(aged, s))
    assert link, "a code with a month to live links its PDF's own address"
    age(aged, code, DAYS - 7)          # its last day is a week away
    page = citizen_page(aged, s)
    assert not re.search(r'/citizen/qr/[0-9a-f]{32}-', page)
    assert re.search(r'href="[^"]*/citizen/qr\.pdf"', page)
    before = set(os.listdir(aged.conf_value("pdf_copies_dir")))
    r = s.get(aged.url + "/citizen/qr.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert set(os.listdir(aged.conf_value("pdf_copies_dir"))) == before


def test_no_consent_sms_for_a_code_that_expired_meanwhile(aged, tmp_path):
    fc, _ = new_citizen(aged, tmp_path, mobile="+393331234567")
    code = generate(aged, sign_in(aged, fc))
    user = new_operator(aged)
    op, r = login(aged, user)
    assert r.status_code == 303
    page = first_level(aged, op, code, fc)
    assert page.status_code == 200
    age(aged, code, DAYS + 1)
    spool = aged.run / "sms"
    before = set(spool.iterdir()) if spool.exists() else set()
    r = request_otp(aged, op, code, page)
    assert r.status_code == 410, r.status_code
    after = set(spool.iterdir()) if spool.exists() else set()
    assert after == before
    assert aged.sql("SELECT COUNT(*) FROM otp_challenge WHERE code = '%s'" % code) == [("0",)]
    assert aged.sql("SELECT outcome, detail FROM audit_log WHERE code = '%s'"
                    " AND event = 'otp_request'" % code) == [("revoked", "expired")]


def test_no_second_level_for_a_code_that_expired_after_the_sms(aged, tmp_path):
    fc, _ = new_citizen(aged, tmp_path, pct="85", mobile="+393331234567")
    code = generate(aged, sign_in(aged, fc))
    op, _ = login(aged, new_operator(aged))
    page = first_level(aged, op, code, fc)
    before = spool_names(aged)
    sent = request_otp(aged, op, code, page)
    assert sent.status_code == 200, sent.text[:300]
    otp = re.search(r"\b(\d{6})\b", new_sms(aged, before)).group(1)
    age(aged, code, DAYS + 1)
    shown = send_otp(aged, op, code, sent, otp)
    assert shown.status_code == 410
    assert 'data-field="invalidity_percent"' not in shown.text
    assert aged.sql("SELECT outcome, detail FROM audit_log WHERE code = '%s' AND event = 'level2'"
                    % code) == [("revoked", "expired")]


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_soap_answers_revoked_code_for_an_expired_one(aged, tmp_path, version):
    fc, _ = new_citizen(aged, tmp_path)
    code = generate(aged, sign_in(aged, fc))
    svc = client(aged, version)
    assert svc.VerifyLevel1(code=code, fiscalCode=fc) is not None
    age(aged, code, DAYS + 1)
    with pytest.raises(Fault) as exc:
        svc.VerifyLevel1(code=code, fiscalCode=fc)
    assert fault_code(exc.value) == "REVOKED_CODE"


def test_a_zone_the_worker_cannot_find_is_reported():
    """The C library quietly falls back to UTC for a zone it cannot find,
    while pages say Rome time: the worker says so in its log at start-up."""
    inst = start_instance("badzone", {"INVQR_TZ": "Europe/Nowhere"})
    try:
        log = (inst.run / "log" / "worker.log").read_text()
        assert re.search(r"\[warn\] .*INVQR0321: time zone Europe/Nowhere not found", log), log
    finally:
        stop_instance(inst)
