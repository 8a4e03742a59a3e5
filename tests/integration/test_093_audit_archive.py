# SPDX-License-Identifier: Apache-2.0
"""Audit-log retention (docs/operations.md, Audit-log retention): the log is
append-only for the application (its database user cannot delete a row),
and `invqr-admin audit archive --before DAY --out FILE` moves older rows
into a file with its SHA-256 beside it, removing them only once the file is
complete. An export that fails removes nothing."""
import hashlib
import resource
import signal
import subprocess

from harness import BUILD

# rows of a year nobody else's test writes, with what a line format can trip on
ROWS = [
    ("2001-03-04 05:06:07.123456", "verifier", "NULL", "NULL", "'10.0.0.1'",
     "'ABCDEFGHJKLMNPQRSTUV'", "'RSSMRA75C14H501L'", "1", "'verify'", "'match'", "NULL"),
    ("2001-06-30 23:59:59.999999", "admin", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
     "'import'", "'ok'", "'tab\\there, line\\nbreak, back\\\\slash, città'"),
    ("2001-12-31 23:59:59.000000", "operator", "7", "3", "'::1'", "NULL", "NULL", "2",
     "'level2'", "'shown'", "'\\\\N is not NULL'"),
]


def seed(invqr, n=1):
    """Old rows (as MariaDB root: history the application wrote long ago)."""
    values = []
    for _ in range(n):
        for at, actor, op, org, client, code, fc, level, event, outcome, detail in ROWS:
            values.append("('%s', '%s', %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                          % (at, actor, op, org, client, code, fc, level, event, outcome, detail))
    invqr.sql("SET time_zone = '+00:00'; INSERT INTO audit_log (at, actor, operator_id, org_id,"
              " client_addr, code, fiscal_code, level, event, outcome, detail) VALUES "
              + ", ".join(values))


def old_rows(invqr):
    return invqr.sql("SET time_zone = '+00:00'; SELECT id, at, detail FROM audit_log"
                     " WHERE at < '2002-01-01' ORDER BY id")


def unescape(field):
    if field == "\\N":
        return None
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\":
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[field[i + 1]])
            i += 2
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def test_the_application_cannot_remove_audit_rows(invqr):
    r = invqr.sql_as_app("DELETE FROM audit_log WHERE id = 1")
    assert r.returncode != 0 and "denied" in r.stderr


def test_archive_exports_checksums_then_removes(invqr, tmp_path):
    invqr.admin("audit", "--limit", "1", check=0)       # a row of today, at least
    seed(invqr)
    before = old_rows(invqr)
    assert len(before) == len(ROWS)
    today = invqr.sql("SELECT COUNT(*) FROM audit_log WHERE at >= '2002-01-01'")
    out = tmp_path / "audit-2001.tsv"
    r = invqr.admin("audit", "archive", "--before", "2002-01-01", "--out", str(out), check=0)
    assert "archived 3 audit rows" in r.stdout
    data = out.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    # the checksum beside it, as sha256sum -c reads it
    assert (tmp_path / "audit-2001.tsv.sha256").read_text() == "%s  audit-2001.tsv\n" % digest
    assert subprocess.run(["sha256sum", "-c", "audit-2001.tsv.sha256"], cwd=tmp_path,
                          capture_output=True).returncode == 0
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    # every row, whole, in id order: its fields come back exactly
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 4
    fields = [line.split("\t") for line in lines[:-1]]
    assert all(len(f) == 13 for f in fields)    # every column, in the table's order
    assert [(f[0], f[1]) for f in fields] == [(i, at) for i, at, _ in before]
    assert unescape(fields[0][11]) is None and unescape(fields[0][3]) is None
    assert unescape(fields[0][12]) is None
    assert unescape(fields[1][11]) == "tab\there, line\nbreak, back\\slash, città"
    assert unescape(fields[2][11]) == "\\N is not NULL"
    assert fields[2][3:5] == ["7", "3"] and fields[0][6:8] == ["ABCDEFGHJKLMNPQRSTUV",
                                                               "RSSMRA75C14H501L"]
    # gone from the store; everything newer stays, and the archival is on record
    assert old_rows(invqr) == []
    assert invqr.sql("SELECT COUNT(*) - 1 FROM audit_log WHERE at >= '2002-01-01'") == today
    assert invqr.sql("SELECT actor, outcome, detail FROM audit_log WHERE event = 'audit_archive'"
                     " ORDER BY id DESC LIMIT 1") == [
        ("admin", "ok", "3 rows before 2002-01-01, sha256 %s" % digest)]
    # nothing more to archive
    again = invqr.admin("audit", "archive", "--before", "2002-01-01",
                        "--out", str(tmp_path / "again.tsv"), check=0)
    assert "nothing archived" in again.stdout and not (tmp_path / "again.tsv").exists()


def test_a_failed_export_removes_nothing(invqr, tmp_path):
    seed(invqr, 200)                      # 600 rows, about 60 kB of lines
    before = old_rows(invqr)

    # the file system refuses the export half-way (a file size limit here)
    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))
    out = tmp_path / "full.tsv"
    r = subprocess.run([str(BUILD / "invqr-admin"), "--config", str(invqr.conf), "audit",
                        "archive", "--before", "2002-01-01", "--out", str(out)],
                       capture_output=True, text=True, timeout=120, preexec_fn=small_files)
    assert r.returncode == 2 and "nothing was removed" in r.stderr, r.stderr
    assert not out.exists() and not (tmp_path / "full.tsv.sha256").exists()
    assert old_rows(invqr) == before

    # a file that exists already is never overwritten; nor a directory that is not there
    out.write_text("keep me\n")
    for target in (out, tmp_path / "no-such-dir" / "a.tsv"):
        r = invqr.admin("audit", "archive", "--before", "2002-01-01", "--out", str(target),
                        check=2)
        assert "nothing was removed" in r.stderr
    assert out.read_text() == "keep me\n"
    assert old_rows(invqr) == before
    for bad in ("2002-02-30", "2002-1-01", "yesterday"):
        invqr.admin("audit", "archive", "--before", bad, "--out", str(tmp_path / "x"), check=2)
    assert old_rows(invqr) == before

    # then it works, and takes them all
    r = invqr.admin("audit", "archive", "--before", "2002-01-01",
                    "--out", str(tmp_path / "ok.tsv"), check=0)
    assert "archived 600 audit rows" in r.stdout and "removed 600" in r.stdout
    assert len((tmp_path / "ok.tsv").read_bytes().split(b"\n")) == 601
    assert old_rows(invqr) == []
