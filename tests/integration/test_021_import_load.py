# SPDX-License-Identifier: Apache-2.0
"""The import's bulk path: rows found new are streamed to the store with
LOAD DATA LOCAL INFILE from memory, and with prepared INSERTs when the server
refuses LOCAL INFILE. Whichever way they go, the stored bytes must be exactly
what the CSV said (tabs, line breaks, backslashes, the words NULL and \\N,
4-byte UTF-8, NULL dates and percents), and the summary's counts right.

The files are made at least half the size of the store, so the import
compares them with the store (the path that uses LOAD DATA) rather than
upserting every row; the tests check that a LOAD DATA did run.
"""
import pytest

from test_020_import import (HEADER, do_import, good_row, new_fc, rejects, summary,
                             varied_rows, write)
from test_020_import import stored as stored_one_query
from test_020_import import expected as expected_as_written

FLAGS_AND_ENUMS = set(HEADER[5:15]) - {"judgment_date", "review_date", "invalidity_percent"}


def expected(row):
    """What the store must hold for a valid row: flags and enumerations, which
    the import takes in any case, are stored upper-case."""
    e = expected_as_written(row)
    for k in FLAGS_AND_ENUMS:
        e[k] = e[k].upper()
    return e


def tricky_rows():
    """Values that a tab-separated stream with backslash escapes must carry."""
    judgments = [
        "tab\there\tand a trailing tab\t",
        "back\\slash \\N \\t \\n \\\\ and one at the end\\",
        "\\",
        "\\N",
        "NULL",
        "line 1\nline 2\r\nline 3\rline 4\n",
        "\t",
        "",
        "  spaces around  ",
        'quotes "inside", commas, ' + "x" * 3000,
        "\u00a0nbsp \u2028 line separator \u2029 paragraph separator",
        "è" * 2000,
    ]
    rows = [good_row(medical_judgment=j) for j in judgments]
    rows += [
        good_row(surname="O\\Brien", given_name="\\N"),
        good_row(surname="NULL", given_name="null"),
        good_row(surname="Dell'Àcqua-Ñúñez Ştefănescu Łucja", given_name="Zoë 😀 𠮷"),
        good_row(surname="A" * 100, given_name="é" * 100),
        good_row(mobile="", review_date="", invalidity_percent=""),
        good_row(civil_invalidity="Y", invalidity_percent="100"),
        good_row(civil_invalidity="N", invalidity_percent="0"),
        good_row(new_fc(omocodic=3).lower(), surname="  trimmed  "),
        good_row(definitive="n", civil_blindness="partial", handicap="art3_c3", deafness="y",
                 minor_invalidity="Y", attendance_allowance="Y"),
    ]
    return rows


def stored(invqr, fcs):
    """As test_020's, a thousand codes per query (a command line has a limit)."""
    fcs = list(fcs)
    got = {}
    for i in range(0, len(fcs), 1000):
        got.update(stored_one_query(invqr, fcs[i:i + 1000]))
    return got


def store_size(invqr):
    return int(invqr.sql("SELECT COUNT(*) FROM citizen")[0][0])


def loads(invqr):
    """LOAD DATA statements the server has run so far."""
    return int(invqr.sql("SHOW GLOBAL STATUS LIKE 'Com_load'")[0][1])


def big_file_rows(invqr, rows):
    """rows, padded with varied ones to half the store: a file that large is
    compared with the store (the import upserts smaller ones)."""
    return rows + varied_rows(max(100, store_size(invqr) // 2 + 50 - len(rows)))


def test_new_rows_are_loaded_and_stored_byte_exact(invqr, tmp_path):
    rows = big_file_rows(invqr, tricky_rows())
    path = write(tmp_path, rows)
    before = loads(invqr)
    r = do_import(invqr, path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    s = summary(r, path)
    assert (s["rows"], s["new"], s["updated"], s["unchanged"]) == (len(rows), len(rows), 0, 0)
    assert loads(invqr) == before + 1
    got = stored(invqr, [expected(x)["fiscal_code"] for x in rows])
    want = {expected(x)["fiscal_code"]: expected(x) for x in rows}
    assert got == want


def test_new_changed_and_unchanged_rows_together(invqr, tmp_path):
    """New rows go in with one LOAD DATA, changed ones as upserts, unchanged
    ones not at all; a re-import with nothing new runs no LOAD DATA."""
    base = big_file_rows(invqr, tricky_rows())
    first = write(tmp_path, base, name="first.csv")
    assert do_import(invqr, first).returncode == 0
    changed = [dict(x, medical_judgment=x["medical_judgment"] + "\tRivisto.\\")
               for x in base[:7]]
    changed += [dict(x, mobile="" if x["mobile"] else "+393330000000") for x in base[7:10]]
    same = base[len(changed):]
    new = tricky_rows()
    second_rows = changed + same + new
    second = write(tmp_path, second_rows, name="second.csv")
    before = loads(invqr)
    r = do_import(invqr, second)
    assert r.returncode == 0, r.stderr
    s = summary(r, second)
    assert (s["rows"], s["new"], s["updated"], s["unchanged"]) == \
        (len(second_rows), len(new), len(changed), len(same))
    assert loads(invqr) == before + 1
    got = stored(invqr, [expected(x)["fiscal_code"] for x in second_rows])
    assert got == {expected(x)["fiscal_code"]: expected(x) for x in second_rows}

    before = loads(invqr)
    r = do_import(invqr, second)
    s = summary(r, second)
    assert (s["new"], s["updated"], s["unchanged"]) == (0, 0, len(second_rows))
    assert loads(invqr) == before


def test_rejects_and_duplicates_do_not_reach_the_stream(invqr, tmp_path):
    rows = big_file_rows(invqr, tricky_rows())
    dup = dict(rows[3], surname="Altro")
    bad = good_row(invalidity_percent="101")
    path = write(tmp_path, rows[:5] + [dup, bad] + rows[5:])
    r = do_import(invqr, path)
    assert r.returncode == 1
    assert [(line, col) for line, col, _ in rejects(r, path)] == \
        [(7, "fiscal_code"), (8, "invalidity_percent")]
    s = summary(r, path)
    assert (s["new"], s["rejected"]) == (len(rows), 2)
    got = stored(invqr, [expected(x)["fiscal_code"] for x in rows + [bad]])
    assert got == {expected(x)["fiscal_code"]: expected(x) for x in rows}


@pytest.fixture
def local_infile_off(invqr):
    """The server as some deployments run it: local_infile=OFF."""
    invqr.sql("SET GLOBAL local_infile = 0")
    try:
        yield
    finally:
        invqr.sql("SET GLOBAL local_infile = 1")


def test_without_local_infile_new_rows_go_as_prepared_inserts(invqr, tmp_path,
                                                              local_infile_off):
    rows = big_file_rows(invqr, tricky_rows())
    path = write(tmp_path, rows)
    r = do_import(invqr, path)
    assert r.returncode == 0, r.stderr
    # said once, not failed
    assert r.stderr.splitlines() == [
        "invqr-admin: INVQR0404: the status store does not allow LOAD DATA LOCAL INFILE"
        " (local_infile is OFF): new rows go as prepared INSERTs, which is slower"]
    s = summary(r, path)
    assert (s["new"], s["updated"], s["unchanged"]) == (len(rows), 0, 0)
    got = stored(invqr, [expected(x)["fiscal_code"] for x in rows])
    assert got == {expected(x)["fiscal_code"]: expected(x) for x in rows}

    # and the counts of a mixed re-import are the same as with LOAD DATA
    changed = [dict(x, deafness="Y" if x["deafness"] == "N" else "N") for x in rows[:4]]
    new = [good_row() for _ in range(3)]
    again = write(tmp_path, changed + rows[4:] + new, name="again.csv")
    r = do_import(invqr, again)
    assert r.returncode == 0, r.stderr
    s = summary(r, again)
    assert (s["new"], s["updated"], s["unchanged"]) == (3, 4, len(rows) - 4)


def test_strict_loads_nothing_when_a_row_is_bad(invqr, tmp_path):
    rows = big_file_rows(invqr, tricky_rows())
    path = write(tmp_path, rows + [good_row(birth_date="1980-02-30")])
    before = loads(invqr)
    r = do_import(invqr, path, "--strict")
    assert r.returncode == 2
    assert summary(r, path)["nothing"]
    assert loads(invqr) == before
    assert stored(invqr, [expected(x)["fiscal_code"] for x in rows]) == {}
