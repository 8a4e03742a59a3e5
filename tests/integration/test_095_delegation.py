# SPDX-License-Identifier: Apache-2.0
"""Delegates (docs/contract.md, Delegates): invqr-admin delegation
add|remove|list|import under INPS's rules, POST /citizen/act-as, every
citizen page and action done for the holder, both fiscal codes in the audit
log, the holder's log of what was done for them, and a removed or expired
delegation that stops at the very next request."""
import datetime
import itertools
import os
import re

import pytest
import requests

from conftest import csrf_of, demo_login
from harness import CSV_HEADER, citizen_row, fiscal_code, module_instance, visible_text

_seq = itertools.count(1)
DEMO_MINOR, DEMO_PARENT = "CLMSFO15E70F704C", "CLMMRC80A01F205V"
DEMO_ADULT, DEMO_SUPPORT = "BNCGLI62L62F205N", "VRDPLA70M10H501G"


def holder(invqr, tmp_path, birth="1960-05-20", **kw):
    """A fresh citizen with a record (an adult unless birth says otherwise)."""
    n = next(_seq)
    year = birth[2:4]
    fc = fiscal_code("TSTDLG%sA01H%03d" % (year, n))
    row = citizen_row(fc, **kw).replace("1960-05-20", birth, 1)
    path = tmp_path / ("h%d.csv" % n)
    path.write_text(CSV_HEADER + "\n" + row + "\n", encoding="utf-8")
    invqr.admin("import", str(path), check=0)
    return fc


def person():
    """A fiscal code of an adult with no record (most delegates have none)."""
    return fiscal_code("DLGPRS80A01F%03d" % next(_seq))


def add(invqr, h, d, role, *extra, check=0):
    return invqr.admin("delegation", "add", "--holder", h, "--delegate", d, "--role", role,
                       *extra, check=check)


def signed_in(invqr, fc):
    s = requests.Session()
    demo_login(s, invqr, fc)
    return s


def act_as(invqr, s, who, expect=303):
    page = s.get(invqr.url + "/citizen")
    r = s.post(invqr.url + "/citizen/act-as", data={"csrf": csrf_of(page.text), "holder": who},
               allow_redirects=False)
    assert r.status_code == expect, r.text[:400]
    return r


def field(html, name):
    m = re.search(r'data-field="%s"[^>]*>([^<]*)<' % name, html)
    return m.group(1) if m else None


def acting_for(html):
    m = re.search(r'data-field="acting_for" data-value="([A-Z0-9]{16})"', html)
    return m.group(1) if m else None


def generate(invqr, s):
    page = s.get(invqr.url + "/citizen")
    return s.post(invqr.url + "/citizen/qr", data={"csrf": csrf_of(page.text), "notice": "yes"},
                  allow_redirects=False)


def audit_rows(invqr, fc):
    r = invqr.admin("audit", "--fiscal-code", fc, "--limit", "200", check=0)
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert all(len(x) == 12 for x in rows), r.stdout
    return rows


# ---- invqr-admin delegation ---------------------------------------------------------


def test_add_list_remove_and_every_change_is_audited_with_both_people(invqr, tmp_path):
    h, d = holder(invqr, tmp_path), person()
    r = add(invqr, h.lower(), d, "Support_Administrator", "--until", "2099-12-31")
    assert "new" in r.stdout
    listed = [x.split("\t") for x in invqr.admin("delegation", "list", "--holder", h,
                                                 check=0).stdout.splitlines()]
    assert listed == [[h, d, "support_administrator", datetime.date.today().isoformat(),
                       "2099-12-31", "delegation add", "yes"]]
    assert [x[0] for x in (y.split("\t") for y in invqr.admin(
        "delegation", "list", "--delegate", d, check=0).stdout.splitlines())] == [h]
    # the same again changes nothing; another role replaces it, history kept
    assert "unchanged" in add(invqr, h, d, "support_administrator", "--until", "2099-12-31").stdout
    assert "updated" in add(invqr, h, d, "curator").stdout
    assert invqr.sql("SELECT role, active IS NULL FROM delegation WHERE holder_fiscal_code = '%s'"
                     " ORDER BY id" % h) == [("support_administrator", "1"), ("curator", "0")]
    invqr.admin("delegation", "remove", "--holder", h, "--delegate", d, check=0)
    assert invqr.admin("delegation", "list", "--holder", h, check=0).stdout == ""
    assert invqr.admin("delegation", "remove", "--holder", h, "--delegate", d, check=1)
    rows = audit_rows(invqr, h)
    events = [(x[1], x[8], x[9], x[11]) for x in rows if x[8].startswith("delegation")]
    assert events == [("admin", "delegation_remove", "ok", d),
                      ("admin", "delegation_add", "updated", d),
                      ("admin", "delegation_add", "unchanged", d),
                      ("admin", "delegation_add", "new", d)]


def test_the_list_says_whether_each_delegation_is_in_effect_today(invqr, tmp_path):
    """The seventh field: in effect today, as sign-in decides it; the six
    before it are unchanged."""
    h = holder(invqr, tmp_path)
    now, later, over = person(), person(), person()
    add(invqr, h, now, "curator")
    add(invqr, h, later, "curator", "--from", "2099-01-01")
    add(invqr, h, over, "curator")
    # time passes for one of them: it ended last year
    invqr.sql("UPDATE delegation SET valid_from = '2020-01-01', valid_until = '2020-12-31'"
              " WHERE holder_fiscal_code = '%s' AND delegate_fiscal_code = '%s'" % (h, over))
    listed = {x.split("\t")[1]: x.split("\t") for x in invqr.admin(
        "delegation", "list", "--holder", h, check=0).stdout.splitlines()}
    assert {d: (x[3], x[4], x[6]) for d, x in listed.items()} == {
        now: (datetime.date.today().isoformat(), "-", "yes"),
        later: ("2099-01-01", "-", "no"),
        over: ("2020-01-01", "2020-12-31", "no")}
    assert all(len(x) == 7 for x in listed.values())
    # and the same words as the person acting for the holder meets
    for d, ok in ((now, True), (later, False), (over, False)):
        page = signed_in(invqr, d).get(invqr.url + "/citizen").text
        assert (h in page) == ok, d

    # a parent's ends when the child comes of age (the record says so here)
    child, parent = holder(invqr, tmp_path, birth="2012-03-03"), person()
    add(invqr, child, parent, "parent")

    def in_effect():
        out = invqr.admin("delegation", "list", "--delegate", parent, check=0).stdout
        return [x.split("\t")[6] for x in out.splitlines()]
    assert in_effect() == ["yes"]
    invqr.sql("UPDATE citizen SET birth_date = '2000-03-03' WHERE fiscal_code = '%s'" % child)
    assert in_effect() == ["no"]


@pytest.mark.parametrize("args,status,says", [
    (["--role", "friend"], 2, "role: not a role"),
    (["--role", "delegate", "--from", "2026-02-30"], 2, "valid_from: no such day"),
    (["--role", "delegate", "--from", "2030-01-02", "--until", "2030-01-01"], 2,
     "valid_until: valid_until is before valid_from"),
    (["--role", "delegate", "--until", "2020-01-01"], 1, "valid_until: valid_until is in the past"),
    (["--role", "parent"], 1, "role: a parent represents only a minor"),
])
def test_add_refuses_what_inps_does_not_allow(invqr, tmp_path, args, status, says):
    h, d = holder(invqr, tmp_path), person()
    r = invqr.admin("delegation", "add", "--holder", h, "--delegate", d, *args)
    assert r.returncode == status and says in r.stderr, (r.returncode, r.stderr)
    assert invqr.sql("SELECT COUNT(*) FROM delegation WHERE holder_fiscal_code = '%s'" % h) == [("0",)]


def test_a_minor_is_represented_only_by_a_parent_or_a_guardian(invqr, tmp_path):
    minor = holder(invqr, tmp_path, birth="2015-04-01")
    for role in ("delegate", "curator", "support_administrator"):
        r = add(invqr, minor, person(), role, check=1)
        assert "role: the holder is a minor" in r.stderr
    add(invqr, minor, person(), "parent")
    add(invqr, minor, person(), "guardian")
    # a minor with no record yet: the fiscal code's date (2015) decides
    nobody = fiscal_code("MNRNRC15A01H%03d" % next(_seq))
    assert "holder is a minor" in add(invqr, nobody, person(), "delegate", check=1).stderr
    # and a minor acts for nobody
    assert "the delegate is a minor" in add(invqr, holder(invqr, tmp_path), minor, "delegate",
                                            check=1).stderr


def test_a_plain_delegate_acts_for_at_most_five_people_the_legal_roles_for_any(invqr, tmp_path):
    d = person()
    for _ in range(5):
        add(invqr, holder(invqr, tmp_path), d, "delegate")
    sixth = holder(invqr, tmp_path)
    r = add(invqr, sixth, d, "delegate", check=1)
    assert "delegate_fiscal_code: this person is already the delegate of 5 people" in r.stderr
    add(invqr, sixth, d, "support_administrator")      # no limit for the legal roles
    add(invqr, holder(invqr, tmp_path), d, "guardian")
    # an expired delegation does not count
    gone = holder(invqr, tmp_path)
    invqr.sql("UPDATE delegation SET valid_until = '2020-01-01' WHERE delegate_fiscal_code = '%s'"
              " AND role = 'delegate' AND active = 1 LIMIT 1" % d)
    add(invqr, gone, d, "delegate")


def test_import_reports_each_bad_row_by_line_and_applies_the_good(invqr, tmp_path):
    a, b, c = holder(invqr, tmp_path), holder(invqr, tmp_path), holder(invqr, tmp_path)
    minor = holder(invqr, tmp_path, birth="2016-06-06")
    d1, d2 = person(), person()
    f = tmp_path / "deleghe.csv"
    f.write_text(
        "role, holder_fiscal_code,delegate_fiscal_code,valid_until,valid_from\n"   # any order
        "delegate,%s,%s,,2024-01-01\n"                 # 2 good
        "tutor,%s,%s,,\n"                              # 3 role
        "delegate,%s,%s,2024-13-01,\n"                 # 4 date
        "delegate,%s,XXXXXXXXXXXXXXXX,,\n"             # 5 fiscal code check
        "delegate,%s,%s,,\n"                           # 6 minor by a plain delegate
        "\"curator\",%s,%s,,\n"                        # 7 good, quoted
        "delegate,%s,%s,,\n"                           # 8 the same two people again
        "delegate,%s,%s,,\n"                           # 9 the holder as own delegate
        % (a, d1, b, d1, b, d1, b, minor, d1, c, d2, a, d1, c, c), encoding="utf-8")
    r = invqr.admin("delegation", "import", str(f))
    assert r.returncode == 1, (r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert [ln.split(": ")[0].rsplit(":", 1)[1] + ":" + ln.split(": ")[1] for ln in lines] == [
        "3:role", "4:valid_until", "5:delegate_fiscal_code", "6:role", "8:delegate_fiscal_code",
        "9:delegate_fiscal_code"], lines
    assert all(ln.startswith(str(f) + ":") for ln in lines)
    assert "8: delegate_fiscal_code: %s is %s's delegate already on line 2" % (d1, a) in r.stderr
    assert r.stdout.strip() == ("delegation import: %s: 8 rows read, 2 applied (2 new, 0 updated,"
                                " 0 unchanged), 6 rejected" % f)
    # again: nothing changes
    r = invqr.admin("delegation", "import", str(f))
    assert "2 applied (0 new, 0 updated, 2 unchanged)" in r.stdout
    assert invqr.sql("SELECT COUNT(*) FROM delegation WHERE holder_fiscal_code IN ('%s','%s')"
                     % (a, c)) == [("2",)]


def test_import_strict_every_row_bad_or_a_bad_header_applies_nothing(invqr, tmp_path):
    a, d = holder(invqr, tmp_path), person()
    f = tmp_path / "strict.csv"
    f.write_text("holder_fiscal_code,delegate_fiscal_code,role,valid_from,valid_until\n"
                 "%s,%s,delegate,,\n%s,%s,nope,,\n" % (a, d, a, person()))
    r = invqr.admin("delegation", "import", "--strict", str(f))
    assert r.returncode == 2 and r.stdout.rstrip().endswith("; nothing was applied")
    assert invqr.sql("SELECT COUNT(*) FROM delegation WHERE holder_fiscal_code = '%s'" % a) == [("0",)]
    f.write_text("holder_fiscal_code,delegate_fiscal_code,role,valid_from,valid_until\n"
                 "%s,%s,nope,,\n" % (a, d))
    assert invqr.admin("delegation", "import", str(f)).returncode == 2
    f.write_text("holder_fiscal_code,delegate_fiscal_code,role,valid_from\n%s,%s,delegate,\n" % (a, d))
    r = invqr.admin("delegation", "import", str(f))
    assert r.returncode == 2 and "%s:1: header: valid_until: column missing" % f in r.stderr


# ---- acting for the holder on the web --------------------------------------------------


def test_a_parent_does_everything_for_the_child_and_both_are_recorded(invqr, tmp_path):
    minor = holder(invqr, tmp_path, birth="2014-02-02", mobile="+393339990987")
    parent = person()
    add(invqr, minor, parent, "parent")
    s = signed_in(invqr, parent)
    page = s.get(invqr.url + "/citizen").text
    # the parent has no record: their own area, and the choice
    assert 'data-eligibility="no-record"' in page and acting_for(page) is None
    assert 'action="/citizen/act-as"' in page and 'value="%s"' % minor in page
    act_as(invqr, s, minor)
    page = s.get(invqr.url + "/citizen").text
    assert acting_for(page) == minor and field(page, "fiscal_code") == minor
    assert 'data-eligibility="eligible"' in page
    # the consent SMS still goes to the holder's record, and the page says so
    assert "al cellulare registrato nella scheda del titolare" in page
    assert field(page, "masked_mobile").endswith(" 987")
    assert generate(invqr, s).status_code == 303
    page = s.get(invqr.url + "/citizen").text
    code = field(page, "code").replace("-", "")
    pdf = s.get(invqr.url + "/citizen/qr.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # the module's copy, too, is the holder's while the delegation holds
    link = re.search(r'href="(/citizen/qr/[^"]+\.pdf)"', page).group(1)
    copy = s.get(invqr.url + link)
    assert copy.status_code == 200 and copy.content == pdf.content
    # every page says for whom
    for path in ("/", "/verify", "/benefits", "/operator/help"):
        assert acting_for(s.get(invqr.url + path).text) == minor, path
    # replace, then revoke
    assert generate(invqr, s).status_code == 303
    page = s.get(invqr.url + "/citizen").text
    r = s.post(invqr.url + "/citizen/qr/revoke", data={"csrf": csrf_of(page)},
               allow_redirects=False)
    assert r.status_code == 303
    rows = audit_rows(invqr, minor)
    done = [(x[1], x[8], x[9], x[6], x[11]) for x in rows if x[1] == "citizen"]
    assert done[:6] == [("citizen", "code_revoke", "ok", minor, parent),
                        ("citizen", "code_replace", "ok", minor, parent),
                        ("citizen", "pdf_download", "ok", minor, parent),
                        ("citizen", "pdf_download", "ok", minor, parent),
                        ("citizen", "code_issue", "ok", minor, parent),
                        ("citizen", "act_as", "start", minor, parent)], done
    assert [x[10] for x in rows if x[8] == "pdf_download"][0] == "copy"   # the module's
    assert all(x[5] == code for x in rows if x[8] in ("code_issue", "pdf_download"))
    # back to acting for oneself
    act_as(invqr, s, "")
    page = s.get(invqr.url + "/citizen").text
    assert acting_for(page) is None and field(page, "fiscal_code") == parent
    assert [x[9] for x in audit_rows(invqr, minor) if x[8] == "act_as"][:1] == ["stop"]


def test_the_holder_sees_who_acts_for_them_and_what_they_did(invqr, tmp_path):
    h, d = holder(invqr, tmp_path), person()
    add(invqr, h, d, "support_administrator")
    s = signed_in(invqr, d)
    act_as(invqr, s, h)
    assert generate(invqr, s).status_code == 303
    own = signed_in(invqr, h)
    page = own.get(invqr.url + "/citizen").text
    assert acting_for(page) is None
    who = re.search(r'<table[^>]*data-table="delegates".*?</table>', page, re.S).group(0)
    assert 'data-delegate="%s"' % d in who and "Amministratore di sostegno" in who
    log = re.search(r'<table[^>]*data-table="delegate-log".*?</table>', page, re.S).group(0)
    events = re.findall(r'<tr data-event="([a-z_]+)" data-delegate="([A-Z0-9]{16})"', log)
    assert events == [("code_issue", d), ("act_as", d)]
    assert "Ha generato l'attestazione" in visible_text(log)
    # someone of age with a support administrator still acts for themselves
    assert 'data-field="represented"' not in page
    assert generate(invqr, own).status_code == 303


def test_act_as_needs_a_delegation_in_effect_and_a_token(invqr, tmp_path):
    h, d, stranger = holder(invqr, tmp_path), person(), person()
    add(invqr, h, d, "delegate", "--from", "2099-01-01")    # not yet in effect
    s = signed_in(invqr, d)
    assert 'action="/citizen/act-as"' not in s.get(invqr.url + "/citizen").text
    r = act_as(invqr, s, h, expect=403)
    assert 'data-status="403"' in r.text and "delega valida" in r.text
    r = act_as(invqr, signed_in(invqr, stranger), h, expect=403)
    r = act_as(invqr, s, "NOT-A-CODE", expect=400)
    page = s.get(invqr.url + "/citizen")
    r = s.post(invqr.url + "/citizen/act-as", data={"holder": h}, allow_redirects=False)
    assert r.status_code == 403
    assert [(x[9], x[11]) for x in audit_rows(invqr, h) if x[8] == "act_as"][:2] == [
        ("refused", stranger), ("refused", d)]
    # and nobody signed in cannot ask at all
    anon = requests.Session()
    page = anon.get(invqr.url + "/verify")
    r = anon.post(invqr.url + "/citizen/act-as", data={"csrf": csrf_of(page.text), "holder": h},
                  allow_redirects=False)
    assert r.status_code == 401


@pytest.mark.allow_log(r"INVQR0181")
def test_a_removed_delegation_stops_at_the_very_next_request(invqr, tmp_path):
    h, d = holder(invqr, tmp_path), person()
    add(invqr, h, d, "delegate")
    s = signed_in(invqr, d)
    act_as(invqr, s, h)
    assert generate(invqr, s).status_code == 303
    page = s.get(invqr.url + "/citizen").text
    assert acting_for(page) == h
    link = re.search(r'href="(/citizen/qr/[^"]+\.pdf)"', page).group(1)
    s.get(invqr.url + "/citizen/qr.pdf")                 # the copy exists now
    assert s.get(invqr.url + link, allow_redirects=False).status_code == 200
    invqr.admin("delegation", "remove", "--holder", h, "--delegate", d, check=0)
    # the very next request: the module's copy is not the holder's any more
    r = s.get(invqr.url + link, allow_redirects=False)
    assert r.status_code == 303
    page = s.get(invqr.url + "/citizen").text
    assert acting_for(page) is None and field(page, "fiscal_code") == d
    assert 'data-eligibility="no-record"' in page
    assert s.get(invqr.url + "/citizen/qr.pdf").status_code == 404
    assert generate(invqr, s).status_code == 403            # no record of their own
    assert invqr.sql("SELECT COUNT(*) FROM qr_code WHERE fiscal_code = '%s' AND active = 1"
                     % h) == [("1",)]


@pytest.mark.allow_log(r"INVQR0181")
def test_an_expired_delegation_and_a_child_come_of_age_stop_at_once(invqr, tmp_path):
    h, d = holder(invqr, tmp_path), person()
    add(invqr, h, d, "delegate")
    s = signed_in(invqr, d)
    act_as(invqr, s, h)
    assert acting_for(s.get(invqr.url + "/citizen").text) == h
    invqr.sql("UPDATE delegation SET valid_until = CURDATE() - INTERVAL 2 DAY"
              " WHERE holder_fiscal_code = '%s'" % h)
    page = s.get(invqr.url + "/citizen").text
    assert acting_for(page) is None and "non è più valida" in page
    assert "non è più valida" not in s.get(invqr.url + "/citizen").text   # said once

    child, parent = holder(invqr, tmp_path, birth="2012-03-03"), person()
    add(invqr, child, parent, "parent")
    p = signed_in(invqr, parent)
    act_as(invqr, p, child)
    assert acting_for(p.get(invqr.url + "/citizen").text) == child
    invqr.sql("UPDATE citizen SET birth_date = '2000-03-03' WHERE fiscal_code = '%s'" % child)
    assert acting_for(p.get(invqr.url + "/citizen").text) is None


def test_a_represented_holder_sees_but_does_not_change_their_attestation(invqr, tmp_path):
    minor = holder(invqr, tmp_path, birth="2013-05-05")
    parent = person()
    add(invqr, minor, parent, "parent")
    p = signed_in(invqr, parent)
    act_as(invqr, p, minor)
    assert generate(invqr, p).status_code == 303
    own = signed_in(invqr, minor)
    page = own.get(invqr.url + "/citizen").text
    assert 'data-field="represented"' in page and field(page, "code") is not None
    assert 'action="/citizen/qr/revoke"' not in page
    assert own.get(invqr.url + "/citizen/qr.pdf").status_code == 200   # theirs to show
    assert generate(invqr, own).status_code == 403
    r = own.post(invqr.url + "/citizen/qr/revoke", data={"csrf": csrf_of(page)},
                 allow_redirects=False)
    assert r.status_code == 403
    # nor do the pages that ask before replacing or revoking offer it
    assert 'href="/citizen/qr/replace"' not in page and 'href="/citizen/qr/revoke"' not in page
    for what in ("replace", "revoke"):
        assert own.get(invqr.url + "/citizen/qr/" + what).status_code == 403
        assert p.get(invqr.url + "/citizen/qr/" + what).status_code == 200
    # an adult under guardianship likewise; with a curator they act themselves
    ward, guardian = holder(invqr, tmp_path), person()
    add(invqr, ward, guardian, "guardian")
    assert generate(invqr, signed_in(invqr, ward)).status_code == 403
    helped = holder(invqr, tmp_path)
    add(invqr, helped, person(), "curator")
    assert generate(invqr, signed_in(invqr, helped)).status_code == 303


def test_the_demo_has_a_parent_and_a_support_administrator(invqr):
    s = requests.Session()
    page = s.get(invqr.url + "/citizen").text
    assert 'data-fiscal-code="%s"' % DEMO_PARENT in page
    assert 'data-fiscal-code="%s"' % DEMO_SUPPORT in page
    assert "Genitore - Sofia Colombo" in visible_text(page)
    assert "Amministratore di sostegno - Giulia Bianchi" in visible_text(page)
    for delegate, h in ((DEMO_PARENT, DEMO_MINOR), (DEMO_SUPPORT, DEMO_ADULT)):
        s = signed_in(invqr, delegate)
        assert 'value="%s"' % h in s.get(invqr.url + "/citizen").text
        act_as(invqr, s, h)
        page = s.get(invqr.url + "/citizen").text
        assert acting_for(page) == h and 'data-eligibility="eligible"' in page
        act_as(invqr, s, "")


def test_an_operator_s_consent_sms_for_a_child_goes_to_the_family_number(invqr, tmp_path):
    from test_050_operator import first_level, login, new_operator, new_sms, request_otp, spool_names
    minor = holder(invqr, tmp_path, birth="2015-01-01", mobile="+393331230099")
    parent = person()
    add(invqr, minor, parent, "parent")
    p = signed_in(invqr, parent)
    act_as(invqr, p, minor)
    generate(invqr, p)
    code = field(p.get(invqr.url + "/citizen").text, "code").replace("-", "")
    op, r = login(invqr, new_operator(invqr))
    assert first_level(invqr, op, code, minor).status_code == 200
    before = spool_names(invqr)
    page = op.get(invqr.url + "/v/" + code)
    assert request_otp(invqr, op, code, page).status_code == 200
    assert new_sms(invqr, before).startswith("To: 393331230099\n")
    # and the operator's guide says where the code goes for a represented holder
    guide = requests.get(invqr.url + "/operator/help").text
    assert 'id="help-represented"' in guide and "scheda del titolare" in guide


# ---- behind an identity provider ---------------------------------------------------------

IDP_CONF = """
LoadModule setenvif_module %s/mod_setenvif.so
SetEnvIf X-Test-Fiscal-Number "^(.+)$" OIDC_CLAIM_fiscalNumber=$1
InvQRCitizenVariable OIDC_CLAIM_fiscalNumber
"""


@pytest.fixture(scope="module")
def idp():
    import subprocess
    moddir = subprocess.run(["apxs", "-q", "LIBEXECDIR"], capture_output=True,
                            text=True).stdout.strip()
    # (no InvQRCitizenSignOut here: httpd says so, INVQR0165)
    yield from module_instance("deleg-idp", {"INVQR_DEMO_LOGIN": "Off"},
                               extra_conf=IDP_CONF % moddir, allowed=[r"INVQR0165"])


def test_behind_the_identity_provider_the_choice_holds_only_for_the_same_person(idp, tmp_path):
    h, d, other = holder(idp, tmp_path), person(), person()
    add(idp, h, d, "delegate")
    s = requests.Session()
    as_d = {"X-Test-Fiscal-Number": "TINIT-" + d}
    page = s.get(idp.url + "/citizen", headers=as_d)
    assert 'value="%s"' % h in page.text
    r = s.post(idp.url + "/citizen/act-as", headers=as_d,
               data={"csrf": csrf_of(page.text), "holder": h}, allow_redirects=False)
    assert r.status_code == 303 and "invqr_session=" in r.headers.get("Set-Cookie", "")
    assert acting_for(s.get(idp.url + "/citizen", headers=as_d).text) == h
    # the same browser, another person signed in at the provider: their own area
    page = s.get(idp.url + "/citizen", headers={"X-Test-Fiscal-Number": other}).text
    assert acting_for(page) is None and field(page, "fiscal_code") == other
    # signed out at the provider: nobody, whatever the session
    assert s.get(idp.url + "/citizen").status_code == 401
    assert s.get(idp.url + "/citizen/qr.pdf").status_code == 401
    assert acting_for(s.get(idp.url + "/citizen", headers=as_d).text) == h
    # the other person, at the same browser, chooses whom they act for: their
    # own session, and the first person's choice is gone with the old one
    h2 = holder(idp, tmp_path)
    add(idp, h2, other, "curator")
    as_other = {"X-Test-Fiscal-Number": other}
    page = s.get(idp.url + "/citizen", headers=as_other)
    r = s.post(idp.url + "/citizen/act-as", headers=as_other,
               data={"csrf": csrf_of(page.text), "holder": h2}, allow_redirects=False)
    assert r.status_code == 303
    assert acting_for(s.get(idp.url + "/citizen", headers=as_other).text) == h2
    assert acting_for(s.get(idp.url + "/citizen", headers=as_d).text) is None
    assert [(x[9], x[11]) for x in audit_rows(idp, h2) if x[8] == "act_as"] == [("start", other)]
