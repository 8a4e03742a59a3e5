# SPDX-License-Identifier: Apache-2.0
"""invqr-admin (docs/contract.md, "Running it": script/admin): organisations, operators,
revocation and migrations through the real binary and the real MariaDB; every
change leaves an audit_log row with actor 'admin', and the application's
database user can only add to the audit log, never change or remove from it.
"""
import itertools
import datetime
import re
import shutil
import subprocess

import pytest

_serial = itertools.count(1)

ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22,
       25, 24, 23]
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PASSWORD = "una-password-lunga-abbastanza"


def unique(prefix):
    return "%s%d" % (prefix, next(_serial))


def new_fc():
    """A valid fiscal code of this file's own (place code Z405)."""
    n = next(_serial)
    letters = ""
    for _ in range(6):
        letters += chr(65 + n % 26)
        n //= 26
    code = "W%s80A01Z405" % letters[:5]
    total = 0
    for i, c in enumerate(code):
        idx = ord(c) - 48 if c <= "9" else ord(c) - 65
        total += ODD[idx] if i % 2 == 0 else idx
    return code + chr(65 + total % 26)


def new_code():
    n = next(_serial)
    return "".join(CROCKFORD[(n * 7919 + i * 31) % 32] for i in range(16)) + "%04d" % (n % 10000)


def audit_mark(invqr):
    return int(invqr.sql("SELECT IFNULL(MAX(id), 0) FROM audit_log")[0][0])


def audit_since(invqr, mark):
    return invqr.sql("SELECT actor, event, outcome, IFNULL(fiscal_code, '-'), IFNULL(detail, '-')"
                     " FROM audit_log WHERE id > %d ORDER BY id" % mark)


def add_org(invqr, name=None):
    name = name or unique("Museo civico ")
    invqr.admin("org", "add", name, check=0)
    return name


def add_operator(invqr, org=None, username=None, password=PASSWORD):
    org = org or add_org(invqr)
    username = username or unique("operatore.")
    invqr.admin("operator", "add", "--org", org, username, stdin=password + "\n", check=0)
    return org, username


def operator_row(invqr, username):
    rows = invqr.sql("SELECT id, status, password_hash FROM operator WHERE username = '%s'"
                     % username)
    assert len(rows) <= 1
    return rows[0] if rows else None


def php_password_verify(password, hashed):
    """PHP's password_verify (libargon2) as an independent check of the hash."""
    if shutil.which("php") is None:
        pytest.skip("php-cli is not installed (it is among the test packages)")
    r = subprocess.run(["php", "-r", "exit(password_verify(stream_get_contents(STDIN), "
                        "$argv[1]) ? 0 : 1);", "--", hashed],
                       input=password.encode(), capture_output=True, timeout=60)
    assert r.returncode in (0, 1), r.stderr
    return r.returncode == 0


def add_session(invqr, operator_id, token):
    invqr.sql("INSERT INTO session (id_hash, kind, operator_id, expires_at) VALUES "
              "(UNHEX(SHA2('%s', 256)), 'operator', %s, NOW() + INTERVAL 1 HOUR)"
              % (token, operator_id))


def sessions_of(invqr, operator_id):
    return int(invqr.sql("SELECT COUNT(*) FROM session WHERE operator_id = %s"
                         % operator_id)[0][0])


# -- organisations ------------------------------------------------------------------------

def test_org_add_list_and_duplicate(invqr):
    name = unique("Comune di Sant'Agata, Ufficio Ș ")
    mark = audit_mark(invqr)
    r = invqr.admin("org", "add", name)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "org: added '%s'\n" % name
    assert audit_since(invqr, mark) == [("admin", "org_add", "ok", "-", name)]
    assert invqr.sql("SELECT COUNT(*) FROM organisation WHERE name = '%s'"
                     % name.replace("'", "''")) == [("1",)]

    mark = audit_mark(invqr)
    r = invqr.admin("org", "add", name)
    assert r.returncode == 1
    assert "exists already" in r.stderr and r.stdout == ""
    assert audit_since(invqr, mark) == []
    assert invqr.sql("SELECT COUNT(*) FROM organisation WHERE name = '%s'"
                     % name.replace("'", "''")) == [("1",)]

    add_operator(invqr, name)
    add_operator(invqr, name)
    r = invqr.admin("org", "list")
    assert r.returncode == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert all(len(x) == 3 and x[0].isdigit() and x[2].isdigit() for x in rows), r.stdout
    mine = [x for x in rows if x[1] == name]
    assert len(mine) == 1 and mine[0][2] == "2"
    assert any(x[1] == "Comune di Esempio" for x in rows)     # the demo organisation


@pytest.mark.parametrize("name", ["", "x" * 201, "bell\x07"])
def test_org_add_refuses_a_bad_name(invqr, name):
    before = invqr.sql("SELECT COUNT(*) FROM organisation")
    assert invqr.admin("org", "add", name).returncode == 2
    assert invqr.sql("SELECT COUNT(*) FROM organisation") == before


# -- operators ------------------------------------------------------------------------------

def test_operator_add_stores_an_argon2id_hash_of_the_password_from_stdin(invqr):
    org = add_org(invqr)
    username = unique("mario.rossi")
    mark = audit_mark(invqr)
    r = invqr.admin("operator", "add", "--org", org, username, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "operator: added %s to '%s'\n" % (username, org)
    assert PASSWORD not in r.stdout + r.stderr
    assert audit_since(invqr, mark) == [("admin", "operator_add", "ok", "-", username)]
    op_id, status, hashed = operator_row(invqr, username)
    assert status == "active"
    assert re.fullmatch(r"\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{16,}\$"
                        r"[A-Za-z0-9+/]{32,}", hashed), hashed
    assert PASSWORD not in hashed
    # it belongs to the organisation named
    assert invqr.sql("SELECT g.name FROM operator o JOIN organisation g ON g.id = o.org_id "
                     "WHERE o.id = %s" % op_id) == [(org,)]
    # the same password twice gives two different hashes (a random salt)
    _, other = add_operator(invqr, org)
    assert operator_row(invqr, other)[2] != hashed
    assert php_password_verify(PASSWORD, hashed)
    assert not php_password_verify(PASSWORD + "x", hashed)
    assert not php_password_verify(PASSWORD + "\n", hashed)   # the line end is not in it


def test_operator_add_refusals(invqr):
    org = add_org(invqr)
    count = lambda: invqr.sql("SELECT COUNT(*) FROM operator")[0][0]  # noqa: E731
    before = count()
    mark = audit_mark(invqr)
    # too short (11 characters, 12 bytes: characters count, not bytes)
    r = invqr.admin("operator", "add", "--org", org, unique("corto."), stdin="àbcdefghijk\n")
    assert r.returncode == 2 and "at least 12" in r.stderr
    r = invqr.admin("operator", "add", "--org", org, unique("vuoto."), stdin="")
    assert r.returncode == 2
    # unknown organisation
    r = invqr.admin("operator", "add", "--org", unique("Nessuna org "), unique("orfano."),
                    stdin=PASSWORD + "\n")
    assert r.returncode == 2 and "no organisation" in r.stderr
    # a username outside a-z 0-9 . _ - @
    for bad in ["Mario.Rossi", "ab", "x" * 65, "mario rossi", "mario'--"]:
        assert invqr.admin("operator", "add", "--org", org, bad,
                           stdin=PASSWORD + "\n").returncode == 2, bad
    assert count() == before
    assert audit_since(invqr, mark) == []
    # a duplicate
    _, username = add_operator(invqr, org)
    hashed = operator_row(invqr, username)[2]
    mark = audit_mark(invqr)
    r = invqr.admin("operator", "add", "--org", add_org(invqr), username,
                    stdin="un'altra-password-ancora\n")
    assert r.returncode == 1 and "exists already" in r.stderr
    assert operator_row(invqr, username)[2] == hashed
    assert [x[1] for x in audit_since(invqr, mark)] == ["org_add"]


def test_an_11_character_password_is_refused_and_12_accepted(invqr):
    org = add_org(invqr)
    u1, u2 = unique("undici."), unique("dodici.")
    assert invqr.admin("operator", "add", "--org", org, u1, stdin="x" * 11 + "\n").returncode == 2
    assert operator_row(invqr, u1) is None
    assert invqr.admin("operator", "add", "--org", org, u2, stdin="x" * 12 + "\n").returncode == 0
    assert operator_row(invqr, u2) is not None


def test_operator_lock_ends_their_sessions_and_unlock_restores(invqr):
    _, username = add_operator(invqr)
    _, bystander = add_operator(invqr)
    op_id = operator_row(invqr, username)[0]
    other_id = operator_row(invqr, bystander)[0]
    add_session(invqr, op_id, unique("tok-a"))
    add_session(invqr, op_id, unique("tok-b"))
    add_session(invqr, other_id, unique("tok-c"))
    assert sessions_of(invqr, op_id) == 2

    mark = audit_mark(invqr)
    r = invqr.admin("operator", "lock", username)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "operator: %s is now locked\n" % username
    assert operator_row(invqr, username)[1] == "locked"
    assert sessions_of(invqr, op_id) == 0
    assert sessions_of(invqr, other_id) == 1           # only theirs
    assert operator_row(invqr, bystander)[1] == "active"
    assert audit_since(invqr, mark) == [("admin", "operator_lock", "ok", "-", username)]
    listed = [line.split("\t") for line in invqr.admin("operator", "list", check=0)
              .stdout.splitlines()]
    assert [x[2] for x in listed if x[0] == username] == ["locked"]

    mark = audit_mark(invqr)
    r = invqr.admin("operator", "unlock", username)
    assert r.returncode == 0, r.stderr
    assert operator_row(invqr, username)[1] == "active"
    assert audit_since(invqr, mark) == [("admin", "operator_unlock", "ok", "-", username)]


def test_operator_remove(invqr):
    org, username = add_operator(invqr)
    op_id = operator_row(invqr, username)[0]
    add_session(invqr, op_id, unique("tok-r"))
    mark = audit_mark(invqr)
    r = invqr.admin("operator", "remove", username)
    assert r.returncode == 0, r.stderr
    assert operator_row(invqr, username)[1] == "removed"
    assert sessions_of(invqr, op_id) == 0
    assert audit_since(invqr, mark) == [("admin", "operator_remove", "ok", "-", username)]
    # gone from the lists, and no longer something one can lock or unlock
    assert username not in invqr.admin("operator", "list", check=0).stdout
    org_row = [line.split("\t") for line in invqr.admin("org", "list", check=0).stdout
               .splitlines() if line.split("\t")[1] == org]
    assert org_row[0][2] == "0"
    mark = audit_mark(invqr)
    for verb in ("lock", "unlock", "remove"):
        r = invqr.admin("operator", verb, username)
        assert r.returncode == 1 and "no operator" in r.stderr, verb
    assert operator_row(invqr, username)[1] == "removed"
    assert audit_since(invqr, mark) == []


def test_unknown_operator_is_exit_1(invqr):
    for verb in ("lock", "unlock", "remove", "passwd"):
        r = invqr.admin("operator", verb, unique("nessuno."), stdin=PASSWORD + "\n")
        assert r.returncode == 1 and "no operator" in r.stderr, verb


def test_operator_passwd(invqr):
    _, username = add_operator(invqr)
    old = operator_row(invqr, username)[2]
    new_password = "una nuova frase segreta"
    mark = audit_mark(invqr)
    r = invqr.admin("operator", "passwd", username, stdin=new_password + "\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "operator: new password set for %s\n" % username
    hashed = operator_row(invqr, username)[2]
    assert hashed != old and hashed.startswith("$argon2id$") and new_password not in hashed
    assert audit_since(invqr, mark) == [("admin", "operator_passwd", "ok", "-", username)]
    # too short: refused, the hash stays
    mark = audit_mark(invqr)
    r = invqr.admin("operator", "passwd", username, stdin="corta\n")
    assert r.returncode == 2 and "at least 12" in r.stderr
    assert operator_row(invqr, username)[2] == hashed
    assert audit_since(invqr, mark) == []
    assert php_password_verify(new_password, hashed)
    assert not php_password_verify(PASSWORD, hashed)


def test_operator_list(invqr):
    org = add_org(invqr)
    names = sorted([unique("zeta."), unique("alfa.")])
    for n in names:
        add_operator(invqr, org, n)
    r = invqr.admin("operator", "list")
    assert r.returncode == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert all(len(x) == 4 for x in rows), r.stdout
    mine = [x for x in rows if x[1] == org]
    assert [x[0] for x in mine] == names
    for x in mine:
        # when the account was made, in UTC (ISO 8601), whatever the server's zone
        assert x[2] == "active" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\dZ", x[3])
    made = datetime.datetime.strptime(mine[0][3], "%Y-%m-%dT%H:%MZ").replace(
        tzinfo=datetime.timezone.utc)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - made).total_seconds()) < 600
    assert ["demo.operatore", "Comune di Esempio", "active"] in [x[:3] for x in rows]
    assert "argon2" not in r.stdout


# -- revoke -----------------------------------------------------------------------------------

def test_revoke_without_an_active_code_is_exit_1(invqr):
    fc = new_fc()
    mark = audit_mark(invqr)
    r = invqr.admin("revoke", fc)
    assert r.returncode == 1
    assert r.stdout == "revoke: %s has no active code\n" % fc
    assert audit_since(invqr, mark) == [("admin", "revoke", "none", fc, "-")]


def test_revoke_an_active_code(invqr):
    fc = new_fc()
    old, active = new_code(), new_code()
    other_fc, other_code = new_fc(), new_code()
    invqr.sql("INSERT INTO qr_code (code, fiscal_code, created_at, revoked_at, revoke_reason,"
              " active) VALUES ('%s', '%s', NOW(6) - INTERVAL 2 DAY, NOW(6) - INTERVAL 1 DAY,"
              " 'replaced', NULL)" % (old, fc))
    invqr.sql("INSERT INTO qr_code (code, fiscal_code) VALUES ('%s', '%s'), ('%s', '%s')"
              % (active, fc, other_code, other_fc))
    before_old = invqr.sql("SELECT revoked_at, revoke_reason FROM qr_code WHERE code = '%s'"
                           % old)
    mark = audit_mark(invqr)
    r = invqr.admin("revoke", fc.lower())               # case-insensitive on input
    assert r.returncode == 0, r.stderr
    assert r.stdout == "revoke: the active code of %s is revoked\n" % fc
    assert invqr.sql("SELECT revoke_reason, revoked_at IS NOT NULL, IFNULL(active, '-')"
                     " FROM qr_code WHERE code = '%s'" % active) == [("admin", "1", "-")]
    # the older code and another citizen's code are untouched
    assert invqr.sql("SELECT revoked_at, revoke_reason FROM qr_code WHERE code = '%s'"
                     % old) == before_old
    assert invqr.sql("SELECT IFNULL(revoke_reason, '-'), active FROM qr_code WHERE code = '%s'"
                     % other_code) == [("-", "1")]
    assert audit_since(invqr, mark) == [("admin", "revoke", "ok", fc, "-")]
    # nothing active any more
    r = invqr.admin("revoke", fc)
    assert r.returncode == 1
    assert invqr.sql("SELECT COUNT(*) FROM qr_code WHERE fiscal_code = '%s' AND active = 1"
                     % fc) == [("0",)]


@pytest.mark.parametrize("arg", ["RSSMRA75C14H501X", "NOTACODE", ""])
def test_revoke_refuses_an_invalid_fiscal_code(invqr, arg):
    mark = audit_mark(invqr)
    r = invqr.admin("revoke", arg)
    assert r.returncode == 2 and r.stderr
    assert audit_since(invqr, mark) == []


# -- the audit log is append-only for the application -------------------------------------------

def test_the_application_user_can_only_insert_and_select_the_audit_log(invqr):
    add_org(invqr)
    mark = audit_mark(invqr)
    row = invqr.sql("SELECT * FROM audit_log WHERE id = %d" % mark)
    assert row
    for q in ["UPDATE audit_log SET outcome = 'forged' WHERE id = %d" % mark,
              "UPDATE audit_log SET detail = NULL",
              "DELETE FROM audit_log WHERE id = %d" % mark,
              "DELETE FROM audit_log",
              "TRUNCATE TABLE audit_log",
              "DROP TABLE audit_log",
              "ALTER TABLE audit_log ADD COLUMN x INT",
              "REPLACE INTO audit_log (id, actor, event, outcome) VALUES (%d, 'system', 'x', 'y')"
              % mark]:
        r = invqr.sql_as_app(q)
        assert r.returncode != 0, q
        assert "denied" in r.stderr, (q, r.stderr)
    assert invqr.sql("SELECT * FROM audit_log WHERE id = %d" % mark) == row
    assert audit_mark(invqr) == mark
    # it can add and read
    r = invqr.sql_as_app("INSERT INTO audit_log (actor, event, outcome, detail) "
                         "VALUES ('system', 'test_append', 'ok', 'from the app user')")
    assert r.returncode == 0, r.stderr
    r = invqr.sql_as_app("SELECT actor, event, outcome, detail FROM audit_log "
                         "WHERE id > %d" % mark)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "system\ttest_append\tok\tfrom the app user\n"


def test_the_application_user_cannot_change_the_status_store(invqr):
    # the citizens are the administrator's (import) to change
    for q in ["UPDATE citizen SET surname = 'x'", "DELETE FROM citizen",
              "INSERT INTO organisation (name) VALUES ('forged')",
              "DELETE FROM operator", "UPDATE schema_migration SET name = 'x'"]:
        r = invqr.sql_as_app(q)
        assert r.returncode != 0 and "denied" in r.stderr, (q, r.stderr)
    assert invqr.sql_as_app("SELECT COUNT(*) FROM citizen").returncode == 0


# -- migrate --------------------------------------------------------------------------------

def test_migrate_again_applies_nothing(invqr):
    applied = invqr.sql("SELECT version, name, applied_at FROM schema_migration ORDER BY version")
    assert applied and applied[0][:2] == ("1", "0001_initial.sql")
    tables = invqr.sql("SHOW TABLES")
    mark = audit_mark(invqr)
    for _ in range(2):
        r = invqr.admin("migrate")
        assert r.returncode == 0, r.stderr
        assert r.stdout == "migrate: 0 migrations applied, schema up to date\n"
    assert invqr.sql("SELECT version, name, applied_at FROM schema_migration "
                     "ORDER BY version") == applied
    assert invqr.sql("SHOW TABLES") == tables
    assert audit_since(invqr, mark) == []
    # the grants are re-applied each time and stay as narrow as they were
    r = invqr.sql_as_app("DELETE FROM audit_log WHERE id = %d" % mark)
    assert r.returncode != 0 and "denied" in r.stderr


# -- usage ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [(), ("nosuchcommand",), ("org",), ("org", "remove", "x"),
                                  ("operator",), ("operator", "add", "x"), ("revoke",)])
def test_usage_errors_are_exit_2(invqr, args):
    r = invqr.admin(*args)
    assert r.returncode == 2 and "usage" in r.stderr, (args, r.stderr)


def test_org_names_of_blanks_or_with_tabs_are_refused(invqr):
    for name in ["   ", "Comune\tdi Tab"]:
        r = invqr.admin("org", "add", name)
        assert r.returncode == 2, (name, r.stdout, r.stderr)
        assert not invqr.sql("SELECT id FROM organisation WHERE name = '%s'" % name.replace("\t", "\\t"))
