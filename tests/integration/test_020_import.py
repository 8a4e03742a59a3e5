# SPDX-License-Identifier: Apache-2.0
"""The import contract (docs/contract.md, "The status record and the import")
through the real invqr-admin binary into the real MariaDB: column order,
RFC 4180 quoting, UTF-8, the validation of every column with line-numbered
rejects, strict mode, idempotence, exit statuses and the summary line.

Every test makes its own fiscal codes (place code Z404, which neither the demo
data nor script/gen-citizens use), so tests never touch each other's rows.
"""
import csv
import io
import itertools
import random
import re
import subprocess
import time
from pathlib import Path

import pytest

from harness import BUILD

ROOT = Path(__file__).resolve().parents[2]

HEADER = [
    "fiscal_code", "surname", "given_name", "birth_date", "mobile", "definitive",
    "judgment_date", "review_date", "civil_invalidity", "invalidity_percent",
    "minor_invalidity", "attendance_allowance", "civil_blindness", "deafness", "handicap",
    "medical_judgment",
]

# -- fiscal codes ----------------------------------------------------------------

ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22,
       25, 24, 23]
MONTHS = "ABCDEHLMPRST"
OMOCODIA = "LMNPQRSTUV"
OMO_POS = [14, 13, 12, 10, 9, 7, 6]     # digit positions, in the official order
_serial = itertools.count(1)


def check_char(first15):
    total = 0
    for i, c in enumerate(first15):
        idx = ord(c) - 48 if c <= "9" else ord(c) - 65
        total += ODD[idx] if i % 2 == 0 else idx
    return chr(65 + total % 26)


def new_fc(omocodic=0):
    """A fresh, valid fiscal code; with omocodic=k its last k digits are
    omocodia letters (and the check character is computed over them)."""
    n = next(_serial)
    letters = ""
    for _ in range(6):
        letters += chr(65 + n % 26)
        n //= 26
    code = "%s%02d%s%02dZ404" % (letters[::-1], 40 + n % 60, MONTHS[n % 12], 1 + n % 28)
    chars = list(code)
    for pos in OMO_POS[:omocodic]:
        chars[pos] = OMOCODIA[int(chars[pos])]
    code = "".join(chars)
    return code + check_char(code)


def test_fiscal_code_helper_agrees_with_the_demo_data():
    # the helper's check character is the real one (codes of the demo file)
    assert check_char("RSSMRA75C14H501") == "L"
    assert check_char("BNCGLI62L62F205") == "N"


# -- CSV files ---------------------------------------------------------------------

def good_row(fc=None, **over):
    row = {
        "fiscal_code": fc or new_fc(), "surname": "Rossi", "given_name": "Mario",
        "birth_date": "1980-01-31", "mobile": "+393331234567", "definitive": "Y",
        "judgment_date": "2020-05-04", "review_date": "2025-05-04", "civil_invalidity": "Y",
        "invalidity_percent": "75", "minor_invalidity": "N", "attendance_allowance": "N",
        "civil_blindness": "NONE", "deafness": "N", "handicap": "ART3_C1",
        "medical_judgment": "Invalido con riduzione permanente della capacità lavorativa.",
    }
    row.update(over)
    return row


def field(v):
    b = v if isinstance(v, bytes) else v.encode("utf-8")
    if any(c in b for c in (b",", b'"', b"\r", b"\n")):
        b = b'"' + b.replace(b'"', b'""') + b'"'
    return b


def record(row, header=HEADER):
    """One CSV record (no line end) of a dict of str or bytes values."""
    return b",".join(field(row[h]) for h in header)


def csv_bytes(rows, header=HEADER, eol=b"\n"):
    """The header and rows: dicts (written in header order) or raw records."""
    out = [record({h: h for h in header}, header) + eol]
    for r in rows:
        out.append((r if isinstance(r, bytes) else record(r, header)) + eol)
    return b"".join(out)


def write(tmp_path, rows, name="import.csv", **kw):
    p = tmp_path / name
    p.write_bytes(csv_bytes(rows, **kw))
    return p


SUMMARY = re.compile(
    r"import: (?P<file>.+): (?P<rows>\d+) rows read, (?P<applied>\d+) applied "
    r"\((?P<new>\d+) new, (?P<updated>\d+) updated, (?P<unchanged>\d+) unchanged\), "
    r"(?P<rejected>\d+) rejected(?P<nothing>; nothing was applied)?")


def summary(r, path):
    """The one line invqr-admin import writes on stdout, parsed."""
    lines = r.stdout.splitlines()
    assert len(lines) == 1, r.stdout
    m = SUMMARY.fullmatch(lines[0])
    assert m, lines[0]
    assert m["file"] == str(path)
    d = {k: int(v) for k, v in m.groupdict().items() if k not in ("file", "nothing")}
    d["nothing"] = m["nothing"] is not None
    return d


def rejects(r, path):
    """stderr as [(line, column, reason)]; every line must be a reject."""
    out = []
    for line in r.stderr.splitlines():
        m = re.fullmatch(re.escape(str(path)) + r":(\d+): ([a-z_]+): (.+)", line)
        assert m, "not a reject line: %r" % line
        out.append((int(m[1]), m[2], m[3]))
    return out


def do_import(invqr, path, *opts):
    return invqr.admin("import", *opts, str(path))


# -- the store -------------------------------------------------------------------------

SELECT = ("SELECT fiscal_code, HEX(surname), HEX(given_name), birth_date, IFNULL(mobile, '-'),"
          " definitive, judgment_date, IFNULL(review_date, '-'), civil_invalidity,"
          " IFNULL(invalidity_percent, '-'), minor_invalidity, attendance_allowance,"
          " civil_blindness, deafness, handicap, HEX(medical_judgment) FROM citizen")


def quoted(fcs):
    fcs = list(fcs)
    assert all(re.fullmatch(r"[A-Z0-9]{16}", fc) for fc in fcs), fcs
    return ", ".join("'%s'" % fc for fc in fcs)


def stored(invqr, fcs):
    """{fiscal_code: row as the CSV would write it} for those of fcs in the store;
    text columns are read as hex, so the comparison is byte-exact."""
    fcs = list(fcs)
    if not fcs:
        return {}
    out = {}
    for t in invqr.sql(SELECT + " WHERE fiscal_code IN (%s)" % quoted(fcs)):
        v = list(t)
        for i in (1, 2, 15):
            v[i] = bytes.fromhex(v[i]).decode("utf-8")
        for i in (4, 7, 9):
            v[i] = "" if v[i] == "-" else v[i]
        for i in (5, 8, 10, 11, 13):
            v[i] = {"1": "Y", "0": "N"}[v[i]]
        out[v[0]] = dict(zip(HEADER, v))
    return out


def expected(row):
    """What the store must hold for a valid input row."""
    e = dict(row)
    e["fiscal_code"] = row["fiscal_code"].strip().upper()
    e["surname"] = row["surname"].strip(" ")
    e["given_name"] = row["given_name"].strip(" ")
    return e


def updated_at(invqr, fcs):
    return dict(invqr.sql("SELECT fiscal_code, updated_at FROM citizen WHERE fiscal_code IN (%s)"
                          % quoted(fcs)))


def store_state(invqr):
    """Row count and checksum of the whole citizen table (updated_at included)."""
    n = invqr.sql("SELECT COUNT(*) FROM citizen")[0][0]
    return n, invqr.sql("CHECKSUM TABLE citizen EXTENDED")[0][1]


def last_audit_id(invqr):
    return int(invqr.sql("SELECT IFNULL(MAX(id), 0) FROM audit_log")[0][0])


# -- column order and quoting ---------------------------------------------------------------

@pytest.mark.parametrize("order", ["reversed", "shuffled", "judgment_first"])
def test_any_column_order(invqr, tmp_path, order):
    header = list(HEADER)
    if order == "reversed":
        header.reverse()
    elif order == "shuffled":
        random.Random(20).shuffle(header)
        assert header != HEADER
    else:
        header = ["medical_judgment", "handicap"] + HEADER[:-2]
    rows = [good_row(), good_row(surname="Bianchi", given_name="Giulia", mobile="",
                                 review_date="", invalidity_percent="",
                                 civil_blindness="PARTIAL", handicap="ART3_C3",
                                 deafness="Y", attendance_allowance="Y",
                                 medical_judgment="Cieca parziale, \"ventesimista\".")]
    path = write(tmp_path, rows, header=header)
    r = do_import(invqr, path)
    assert r.returncode == 0, r.stderr
    s = summary(r, path)
    assert (s["rows"], s["applied"], s["new"], s["rejected"]) == (2, 2, 2, 0)
    got = stored(invqr, [x["fiscal_code"] for x in rows])
    assert got == {x["fiscal_code"]: expected(x) for x in rows}


def test_rfc4180_quoting_is_stored_byte_exact(invqr, tmp_path):
    judgments = [
        "Uno, due, tre",                                         # commas
        'Diagnosi "riservata", prognosi ""aperta""',             # quotes, doubled
        "Prima riga.\nSeconda riga.\nTerza, con virgola.",       # LF inside
        "Patologia cronica.\r\nNon rivedibile.\r\n",             # CRLF inside, at the end
        "  spazi attorno e\ttabulazione  ",                      # verbatim, TAB allowed
        '"',                                                     # just a quote
        "",                                                      # empty judgment
        "\n",                                                    # only a line break
        "x" * 4000,                                              # the longest allowed
        "è" * 2000,                                              # 4000 bytes of UTF-8
    ]
    rows = [good_row(medical_judgment=j) for j in judgments]
    rows.append(good_row(surname='D\'Angelo "Nino"', given_name="Anna, Maria"))
    path = write(tmp_path, rows)
    r = do_import(invqr, path)
    assert r.returncode == 0, r.stderr
    assert summary(r, path)["new"] == len(rows)
    got = stored(invqr, [x["fiscal_code"] for x in rows])
    for x in rows:
        assert got[x["fiscal_code"]] == expected(x), x["medical_judgment"][:40]


def test_crlf_records_and_a_byte_order_mark(invqr, tmp_path):
    rows = [good_row(medical_judgment="a\r\nb"), good_row(medical_judgment="c\nd")]
    path = tmp_path / "crlf.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_bytes(rows, eol=b"\r\n"))
    r = do_import(invqr, path)
    assert r.returncode == 0, r.stderr
    assert summary(r, path)["new"] == 2
    got = stored(invqr, [x["fiscal_code"] for x in rows])
    # the record separators are not part of the last field, the quoted ones are
    assert got == {x["fiscal_code"]: expected(x) for x in rows}


def test_utf8_names_are_stored_exactly(invqr, tmp_path):
    names = [("Ștefănescu", "Ioana"), ("Łukasiewicz", "Łucja"), ("Niccolò", "Adèle"),
             ("Dell'Acqua", "José María"), ("Müller-Lüdenscheidt", "Zoë"),
             ("Žižek", "Ørsted"), ("Παπαδόπουλος", "Ελένη"), ("𠮷田", "太郎"),
             ("Ł" * 100, "Ș" * 100), ("𠮷" * 100, "x")]
    rows = [good_row(surname=s, given_name=g) for s, g in names]
    rows.append(good_row(surname="  Rossi  ", given_name=" Maria Luisa "))   # trimmed
    path = write(tmp_path, rows)
    r = do_import(invqr, path)
    assert r.returncode == 0, r.stderr
    assert summary(r, path)["new"] == len(rows)
    got = stored(invqr, [x["fiscal_code"] for x in rows])
    for x in rows:
        assert got[x["fiscal_code"]]["surname"] == x["surname"].strip(" ")
        assert got[x["fiscal_code"]]["given_name"] == x["given_name"].strip(" ")
    last = got[rows[-1]["fiscal_code"]]
    assert (last["surname"], last["given_name"]) == ("Rossi", "Maria Luisa")
    # and the database agrees on the characters, not just the bytes
    fc = rows[0]["fiscal_code"]
    assert invqr.sql("SELECT CHAR_LENGTH(surname), LENGTH(surname) FROM citizen "
                     "WHERE fiscal_code = '%s'" % fc) == [("10", "12")]


@pytest.mark.parametrize("column,value", [
    ("surname", b"Ros\xffsi"),                  # a byte that is never UTF-8
    ("surname", b"Caf\xc3"),                    # a sequence cut short
    ("given_name", b"\xc0\xafMario"),           # overlong encoding of '/'
    ("given_name", b"Ma\xed\xa0\x80rio"),       # a UTF-16 surrogate
    ("medical_judgment", b"Invalido \xe0\x80 al 100%"),
    ("medical_judgment", b"ok\n\xf4\x90\x80\x80"),  # beyond U+10FFFF, after a newline
])
def test_invalid_utf8_is_rejected_with_line_and_column(invqr, tmp_path, column, value):
    before, bad, after = good_row(medical_judgment="due\nrighe"), good_row(), good_row()
    path = tmp_path / "utf8.csv"
    path.write_bytes(csv_bytes([before, record(dict(bad, **{column: value})), after]))
    r = do_import(invqr, path)
    assert r.returncode == 1, (r.stdout, r.stderr)
    # the first data row spans lines 2-3, so the bad one starts on line 4
    rej = rejects(r, path)
    assert [(line, col) for line, col, _ in rej] == [(4, column)]
    assert "UTF-8" in rej[0][2]
    s = summary(r, path)
    assert (s["rows"], s["applied"], s["new"], s["rejected"]) == (3, 2, 2, 1)
    got = stored(invqr, [before["fiscal_code"], bad["fiscal_code"], after["fiscal_code"]])
    assert got == {x["fiscal_code"]: expected(x) for x in (before, after)}


# -- fiscal codes --------------------------------------------------------------------------

def test_omocodic_and_lower_case_fiscal_codes_are_stored_upper_case(invqr, tmp_path):
    omo = [new_fc(omocodic=k) for k in range(1, 8)]
    # with all seven digits replaced there is no digit left in the code
    assert not any(ch.isdigit() for ch in omo[6])
    lower = new_fc()
    mixed = new_fc(omocodic=3)
    rows = [good_row(fc) for fc in omo]
    rows += [good_row(lower.lower()), good_row(mixed[:8].lower() + mixed[8:]),
             good_row("  " + new_fc() + " ")]
    path = write(tmp_path, rows)
    r = do_import(invqr, path)
    assert r.returncode == 0, r.stderr
    assert summary(r, path)["new"] == len(rows)
    ups = [x["fiscal_code"].strip().upper() for x in rows]
    got = stored(invqr, ups)
    assert sorted(got) == sorted(ups)
    assert got == {expected(x)["fiscal_code"]: expected(x) for x in rows}
    # the same citizen written upper-case later is the same row, unchanged
    again = write(tmp_path, [good_row(lower)], name="upper.csv")
    r = do_import(invqr, again)
    s = summary(r, again)
    assert (s["new"], s["updated"], s["unchanged"]) == (0, 0, 1), r.stdout
    assert int(invqr.sql("SELECT COUNT(*) FROM citizen WHERE fiscal_code = '%s'"
                         % lower)[0][0]) == 1


def wrong_check(fc):
    return fc[:15] + ("A" if fc[15] != "A" else "B")


def test_a_wrong_check_character_is_rejected(invqr, tmp_path):
    good = good_row()
    bad_plain = wrong_check(new_fc())
    bad_omo = wrong_check(new_fc(omocodic=2))
    # an omocodic code whose check character was computed on the plain digits
    plain = new_fc()
    chars = list(plain[:15])
    chars[14] = OMOCODIA[int(chars[14])]
    stale = "".join(chars) + plain[15]
    assert check_char("".join(chars)) != plain[15]
    rows = [good, good_row(bad_plain), good_row(bad_omo), good_row(stale)]
    path = write(tmp_path, rows)
    r = do_import(invqr, path)
    assert r.returncode == 1
    rej = rejects(r, path)
    assert [(line, col) for line, col, _ in rej] == [(3, "fiscal_code"), (4, "fiscal_code"),
                                                     (5, "fiscal_code")]
    assert all("check character" in reason for _, _, reason in rej)
    assert set(stored(invqr, [good["fiscal_code"], bad_plain, bad_omo, stale])) \
        == {good["fiscal_code"]}


def test_a_fiscal_code_twice_in_one_file_is_rejected_naming_the_first_line(invqr, tmp_path):
    fc = new_fc()
    rows = [good_row(fc, medical_judgment="prima\nversione"), good_row(),
            good_row(fc.lower(), surname="Altro"), good_row(),
            good_row(fc, surname="Terzo")]
    path = write(tmp_path, rows)
    r = do_import(invqr, path)
    assert r.returncode == 1
    rej = rejects(r, path)
    # row 1 spans lines 2-3; the repeats start on lines 5 and 7
    assert [(line, col) for line, col, _ in rej] == [(5, "fiscal_code"), (7, "fiscal_code")]
    for _, _, reason in rej:
        assert fc in reason and re.search(r"\bline 2\b", reason), reason
    got = stored(invqr, [x["fiscal_code"].upper() for x in rows])
    assert got[fc] == expected(rows[0])     # the first one, untouched by the others
    assert len(got) == 3
    assert summary(r, path)["rejected"] == 2


# -- validation of every column --------------------------------------------------------

LONG = "A" * 101
BAD_CASES = [
    # column, overrides that make the row invalid
    ("fiscal_code", {"fiscal_code": ""}),
    ("fiscal_code", {"fiscal_code": "RSSMRA80A01H50"}),
    ("fiscal_code", {"fiscal_code": "RSSMRA80A01H501LX"}),
    ("fiscal_code", {"fiscal_code": "RSSMRA80A01H5-1L"}),
    ("fiscal_code", {"fiscal_code": "RSSMRA8XA01H501L"}),
    ("fiscal_code", {"fiscal_code": "RSSMRA80Z01H501L"}),      # no month Z
    ("fiscal_code", {"fiscal_code": "RSSMRA80A32H501L"}),      # no day 32
    ("surname", {"surname": ""}),
    ("surname", {"surname": "   "}),
    ("surname", {"surname": LONG}),
    ("surname", {"surname": "Ł" * 101}),
    ("surname", {"surname": "Ros\tsi"}),
    ("surname", {"surname": "Ros\nsi"}),
    ("given_name", {"given_name": ""}),
    ("given_name", {"given_name": LONG}),
    ("given_name", {"given_name": "Ma\x01rio"}),
    ("birth_date", {"birth_date": ""}),
    ("birth_date", {"birth_date": "1980-1-31"}),
    ("birth_date", {"birth_date": "31/01/1980"}),
    ("birth_date", {"birth_date": "1980-13-01"}),
    ("birth_date", {"birth_date": "1981-02-29"}),
    ("birth_date", {"birth_date": "1900-02-29"}),
    ("birth_date", {"birth_date": "1899-12-31"}),
    ("mobile", {"mobile": "3331234567"}),
    ("mobile", {"mobile": "+39 333 1234567"}),
    ("mobile", {"mobile": "+0393331234567"}),
    ("mobile", {"mobile": "+3933"}),
    ("mobile", {"mobile": "+3933312345678901"}),
    ("mobile", {"mobile": "+39333123456a"}),
    ("definitive", {"definitive": ""}),
    ("definitive", {"definitive": "X"}),
    ("definitive", {"definitive": "YES"}),
    ("judgment_date", {"judgment_date": ""}),
    ("judgment_date", {"judgment_date": "2020-04-31"}),
    ("judgment_date", {"judgment_date": "1979-12-31"}),        # before birth
    ("review_date", {"review_date": "2025-5-4"}),
    ("review_date", {"review_date": "2020-05-03"}),            # before judgment
    ("civil_invalidity", {"civil_invalidity": ""}),
    ("civil_invalidity", {"civil_invalidity": "1"}),
    ("invalidity_percent", {"invalidity_percent": "101"}),
    ("invalidity_percent", {"invalidity_percent": "-1"}),
    ("invalidity_percent", {"invalidity_percent": "75%"}),
    ("invalidity_percent", {"invalidity_percent": "7.5"}),
    ("invalidity_percent", {"invalidity_percent": "33"}),      # Y needs >= 34
    ("invalidity_percent", {"civil_invalidity": "N", "invalidity_percent": "34"}),
    ("minor_invalidity", {"minor_invalidity": "T"}),
    ("attendance_allowance", {"attendance_allowance": ""}),
    ("civil_blindness", {"civil_blindness": "TOTAL"}),
    ("civil_blindness", {"civil_blindness": ""}),
    ("deafness", {"deafness": "?"}),
    ("handicap", {"handicap": "ART3_C2"}),
    ("handicap", {"handicap": "Y"}),
    ("medical_judgment", {"medical_judgment": "x" * 4001}),
    ("medical_judgment", {"medical_judgment": "Invalido\x07."}),
    ("medical_judgment", {"medical_judgment": "Invalido\x7f."}),
]


@pytest.mark.parametrize("column,over", BAD_CASES,
                         ids=["%s-%d" % (c, i) for i, (c, _) in enumerate(BAD_CASES)])
def test_each_column_is_validated_with_a_line_numbered_reject(invqr, tmp_path, column, over):
    first = good_row(medical_judgment="una\ndue\ntre")        # lines 2-4
    bad = good_row(**over)                                    # line 5
    last = good_row()                                         # line 6
    path = write(tmp_path, [first, bad, last])
    audit_before = last_audit_id(invqr)
    r = do_import(invqr, path)
    assert r.returncode == 1, (r.stdout, r.stderr)
    rej = rejects(r, path)
    assert len(rej) == 1 and rej[0][:2] == (5, column), r.stderr
    s = summary(r, path)
    assert (s["rows"], s["applied"], s["new"], s["rejected"], s["nothing"]) \
        == (3, 2, 2, 1, False)
    fcs = [first["fiscal_code"], last["fiscal_code"]]
    got = stored(invqr, fcs + ([bad["fiscal_code"]] if "fiscal_code" not in over else []))
    assert got == {x["fiscal_code"]: expected(x) for x in (first, last)}
    audit = invqr.sql("SELECT actor, event, outcome, detail FROM audit_log WHERE id > %d"
                      % audit_before)
    assert audit == [("admin", "import", "partial", "3 rows, 2 new, 0 updated, 1 rejected")]


def test_valid_edge_values_are_accepted(invqr, tmp_path):
    rows = [
        good_row(mobile="", review_date="", invalidity_percent=""),
        good_row(civil_invalidity="Y", invalidity_percent="34"),
        good_row(civil_invalidity="Y", invalidity_percent="100"),
        good_row(civil_invalidity="N", invalidity_percent="33"),
        good_row(civil_invalidity="N", invalidity_percent="0"),
        good_row(birth_date="2000-02-29", judgment_date="2000-02-29",
                 review_date="2000-02-29"),
        good_row(birth_date="1900-01-01", judgment_date="2100-12-31", review_date=""),
        good_row(mobile="+12025550123"), good_row(mobile="+393331234567890"),
        good_row(civil_blindness="ABSOLUTE", handicap="NONE", definitive="N",
                 minor_invalidity="Y", civil_invalidity="N", invalidity_percent="",
                 attendance_allowance="Y", deafness="Y"),
    ]
    path = write(tmp_path, rows)
    r = do_import(invqr, path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert summary(r, path)["new"] == len(rows)
    got = stored(invqr, [x["fiscal_code"] for x in rows])
    assert got == {x["fiscal_code"]: expected(x) for x in rows}


# -- bad rows and good rows --------------------------------------------------------------

def test_bad_rows_never_stop_or_corrupt_the_good_rows(invqr, tmp_path):
    good = [good_row(medical_judgment="riga %d,\n\"citata\"" % i) for i in range(6)]
    enc = record
    stray = enc(good_row()).replace(b",Rossi,", b',Ro"ssi,')           # quote mid-field
    after_quote = enc(good_row()).replace(b",NONE,", b',"NONE"x,')     # text after a quote
    short = record(good_row(), HEADER[:-1])                          # 15 fields
    extra = enc(good_row()) + b",extra"                                # 17 fields
    lines = [enc(good[0]), stray, enc(good[1]), after_quote, enc(good[2]), short,
             enc(good[3]), extra, enc(good[4]), b"", enc(good[5])]
    path = tmp_path / "mixed.csv"
    path.write_bytes(csv_bytes(lines))
    r = do_import(invqr, path)
    assert r.returncode == 1
    # every good row takes two physical lines: 2-3 good, 4 stray, 5-6 good,
    # 7 after_quote, 8-9 good, 10 short, 11-12 good, 13 extra, 14-15 good,
    # 16 empty (skipped), 17-18 good
    rej = rejects(r, path)
    assert [(line, col) for line, col, _ in rej] == [(4, "row"), (7, "row"), (10, "row"),
                                                     (13, "row")], r.stderr
    s = summary(r, path)
    assert (s["rows"], s["applied"], s["new"], s["rejected"]) == (10, 6, 6, 4)
    got = stored(invqr, [x["fiscal_code"] for x in good])
    assert got == {x["fiscal_code"]: expected(x) for x in good}


def test_an_unterminated_quote_at_the_end_is_rejected_and_the_rows_before_applied(
        invqr, tmp_path):
    good = [good_row(), good_row()]
    tail = record(good_row(), HEADER[:-1]) + b',"no end\nof the judgment'
    path = tmp_path / "unterminated.csv"
    path.write_bytes(csv_bytes(good) + tail)
    r = do_import(invqr, path)
    assert r.returncode == 1
    assert [(line, col) for line, col, _ in rejects(r, path)] == [(4, "row")]
    assert set(stored(invqr, [x["fiscal_code"] for x in good])) == {x["fiscal_code"] for x in good}


def test_generated_archive_with_bad_rows(invqr, tmp_path):
    """script/gen-citizens spreads known bad rows (listed on its stderr) among
    valid ones; the importer must reject exactly those, at those lines and
    columns, and store every valid row exactly as Python's csv module reads it."""
    n, k = 3000, 24
    gen = subprocess.run([str(ROOT / "script" / "gen-citizens"), str(n), "77", "--bad", str(k)],
                         capture_output=True, timeout=120)
    assert gen.returncode == 0, gen.stderr
    path = tmp_path / "gen.csv"
    path.write_bytes(gen.stdout)
    want = []
    for line in gen.stderr.decode().splitlines():
        ln, col, _kind = line.split("\t")
        want.append((int(ln), "row" if col == "-" else col))
    assert len(want) == k
    parsed = list(csv.reader(io.StringIO(gen.stdout.decode("utf-8"), newline="")))
    assert parsed[0] == HEADER
    bad_fc = set()
    r = do_import(invqr, path)
    assert r.returncode == 1
    rej = rejects(r, path)
    assert [(line, col) for line, col, _ in rej] == want
    s = summary(r, path)
    assert (s["rows"], s["applied"], s["new"], s["updated"], s["rejected"]) \
        == (n + k, n, n, 0, k)
    # the good rows, byte for byte: rebuild them from the parsed file, minus
    # the k rows whose fiscal code is not in the store
    rows = [dict(zip(HEADER, v)) for v in parsed[1:] if len(v) == 16]
    got = stored(invqr, [x["fiscal_code"].upper() for x in rows if len(x["fiscal_code"]) == 16])
    assert len(got) == n
    for x in rows:
        fc = x["fiscal_code"].upper()
        if fc in got:
            assert got[fc] == expected(x)
        else:
            bad_fc.add(fc)
    # the rows with a wrong field count were left out above
    assert len(bad_fc) == k - sum(1 for _, col in want if col == "row")


# -- strict mode ---------------------------------------------------------------------------

def test_strict_applies_nothing_when_any_row_is_bad(invqr, tmp_path):
    existing = good_row()
    path = write(tmp_path, [existing], name="base.csv")
    assert do_import(invqr, path).returncode == 0
    state = store_state(invqr)
    changed = dict(existing, surname="Cambiato", handicap="ART3_C3")
    new = good_row()
    bad1 = good_row(birth_date="1981-02-29")
    bad2 = good_row(handicap="ART3_C4")
    path = write(tmp_path, [changed, new, bad1, good_row(), bad2], name="strict.csv")
    r = do_import(invqr, path, "--strict")
    assert r.returncode == 2      # the contract: nothing could be applied
    # it still reports every bad row, not just the first
    assert [(line, col) for line, col, _ in rejects(r, path)] == [(4, "birth_date"),
                                                                  (6, "handicap")]
    s = summary(r, path)
    assert s["nothing"] and s["applied"] == 0 and s["rejected"] == 2 and s["rows"] == 5
    assert store_state(invqr) == state
    assert stored(invqr, [existing["fiscal_code"]])[existing["fiscal_code"]] == expected(existing)
    assert stored(invqr, [new["fiscal_code"]]) == {}
    # the same rows without the bad ones: everything is applied
    path = write(tmp_path, [changed, new], name="strict-good.csv")
    r = do_import(invqr, path, "--strict")
    assert r.returncode == 0, r.stderr
    s = summary(r, path)
    assert (s["rows"], s["applied"], s["new"], s["updated"], s["unchanged"], s["rejected"],
            s["nothing"]) == (2, 2, 1, 1, 0, 0, False)
    got = stored(invqr, [changed["fiscal_code"], new["fiscal_code"]])
    assert got == {x["fiscal_code"]: expected(x) for x in (changed, new)}


def test_a_file_of_bad_rows_alone_applies_nothing_and_says_so(invqr, tmp_path):
    state = store_state(invqr)
    path = write(tmp_path, [good_row(birth_date="1981-02-29"), good_row(handicap="ART3_C4")],
                 name="all-bad.csv")
    r = do_import(invqr, path)
    assert r.returncode == 2, (r.stdout, r.stderr)     # not 1: no row was applied
    s = summary(r, path)
    assert s["nothing"] and s["applied"] == 0 and s["rejected"] == 2 and s["rows"] == 2
    assert store_state(invqr) == state
    # a header alone is a file with nothing to apply, and nothing wrong
    r = do_import(invqr, write(tmp_path, [], name="header-only.csv"))
    assert r.returncode == 0 and not summary(r, tmp_path / "header-only.csv")["nothing"]


def test_strict_refuses_a_malformed_record_too(invqr, tmp_path):
    state = store_state(invqr)
    good = good_row()
    path = tmp_path / "strict-malformed.csv"
    path.write_bytes(csv_bytes([good]) + b'"unterminated,quote\n')
    r = do_import(invqr, path, "--strict")
    assert r.returncode == 2
    assert summary(r, path)["nothing"]
    assert store_state(invqr) == state


# -- idempotence and updates ---------------------------------------------------------------

def varied_rows(n):
    rows = []
    for i in range(n):
        rows.append(good_row(
            new_fc(omocodic=i % 8) if i % 3 else new_fc().lower(),
            surname=["Ștefănescu", "Łukasiewicz", "Niccolò", "D'Angelo", " Spazi "][i % 5],
            given_name=["Anna", "Zoë", "José María", "𠮷"][i % 4],
            mobile="" if i % 4 == 0 else "+39333%07d" % i,
            review_date="" if i % 5 == 0 else "2026-01-%02d" % (1 + i % 28),
            invalidity_percent="" if i % 6 == 0 else str(34 + i % 67),
            handicap=["NONE", "ART3_C1", "ART3_C3"][i % 3],
            civil_blindness=["NONE", "PARTIAL", "ABSOLUTE"][i % 3],
            medical_judgment=["", "Uno, \"due\"\nTre", "a\r\nb", "verbatim  "][i % 4]))
    return rows


def test_importing_the_same_file_twice_changes_nothing(invqr, tmp_path):
    rows = varied_rows(60)
    fcs = [x["fiscal_code"].upper() for x in rows]
    path = write(tmp_path, rows)
    r = do_import(invqr, path)
    assert r.returncode == 0, r.stderr
    s = summary(r, path)
    assert (s["rows"], s["applied"], s["new"], s["updated"], s["unchanged"]) == (60, 60, 60, 0, 0)
    stamps = updated_at(invqr, fcs)
    assert len(stamps) == 60
    state = store_state(invqr)
    time.sleep(0.05)
    r = do_import(invqr, path)
    assert r.returncode == 0, r.stderr
    s = summary(r, path)
    assert (s["rows"], s["applied"], s["new"], s["updated"], s["unchanged"], s["rejected"]) \
        == (60, 60, 0, 0, 60, 0)
    assert updated_at(invqr, fcs) == stamps
    assert store_state(invqr) == state


def test_a_changed_row_is_an_update(invqr, tmp_path):
    """Any change of any column is an update, stored, with a new updated_at;
    the untouched rows of the same file keep theirs."""
    changes = [
        {"surname": "Verdi"}, {"given_name": "Luigi"}, {"birth_date": "1980-02-01"},
        {"mobile": "+393339999999"}, {"definitive": "N"}, {"judgment_date": "2020-05-05"},
        {"review_date": ""}, {"civil_invalidity": "N", "invalidity_percent": "20"},
        {"invalidity_percent": ""}, {"minor_invalidity": "Y"}, {"attendance_allowance": "Y"},
        {"civil_blindness": "ABSOLUTE"}, {"deafness": "Y"}, {"handicap": "NONE"},
        {"medical_judgment": "Nuovo giudizio.\nRivisto."},
        # subtler ones
        {"surname": "ROSSI"},                                   # case only
        {"medical_judgment": good_row()["medical_judgment"] + " "},
        {"medical_judgment": good_row()["medical_judgment"].replace("à", "a")},
        {"mobile": ""}, {"invalidity_percent": "80"},
    ]
    assert {c for over in changes for c in over} == set(HEADER) - {"fiscal_code"}
    originals = [good_row() for _ in changes]
    updates = [dict(o, **over) for o, over in zip(originals, changes)]
    same = [good_row() for _ in range(5)]
    fcs = [x["fiscal_code"] for x in originals + same]
    first = write(tmp_path, originals + same, name="v1.csv")
    assert do_import(invqr, first).returncode == 0
    stamps = updated_at(invqr, fcs)
    time.sleep(0.05)
    second = write(tmp_path, updates + same, name="v2.csv")
    r = do_import(invqr, second)
    assert r.returncode == 0, r.stderr
    s = summary(r, second)
    assert (s["new"], s["updated"], s["unchanged"]) == (0, len(updates), len(same)), r.stdout
    got = stored(invqr, fcs)
    assert got == {x["fiscal_code"]: expected(x) for x in updates + same}
    now = updated_at(invqr, fcs)
    for x in updates:
        assert now[x["fiscal_code"]] > stamps[x["fiscal_code"]], x
    for x in same:
        assert now[x["fiscal_code"]] == stamps[x["fiscal_code"]]


def test_reimporting_a_whole_archive_with_some_changes(invqr, tmp_path):
    """The usual case: the agency's whole archive, again and again, with a few
    rows changed, a few new and a few gone. The file is large next to the
    store, as an archive is: every count, every stored byte and every
    updated_at must still be right."""
    n = 4000
    gen = subprocess.run([str(ROOT / "script" / "gen-citizens"), str(n), "78"],
                         capture_output=True, timeout=120)
    assert gen.returncode == 0, gen.stderr
    rows = [dict(zip(HEADER, v)) for v in
            list(csv.reader(io.StringIO(gen.stdout.decode("utf-8"), newline="")))[1:]]
    assert len(rows) == n
    fcs = [x["fiscal_code"] for x in rows]

    def write_rows(rs, name):
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows([x[h] for h in HEADER] for x in rs)
        path = tmp_path / name
        path.write_bytes(buf.getvalue().encode("utf-8"))
        return path

    first = write_rows(rows, "archive-1.csv")
    r = do_import(invqr, first)
    assert r.returncode == 0, r.stderr
    s = summary(r, first)
    assert (s["new"], s["updated"], s["unchanged"]) == (n, 0, 0)
    stamps = updated_at(invqr, fcs)
    time.sleep(0.05)

    changed = []
    for i, x in enumerate(rows):
        if i % 10 == 0:
            x["medical_judgment"] += "\nRivisto."
        elif i % 10 == 5:
            x["surname"] = x["surname"].upper() if x["surname"] != x["surname"].upper() \
                else x["surname"].lower()
        elif i % 50 == 7:
            x["mobile"] = "" if x["mobile"] else "+393330000000"
        else:
            continue
        changed.append(x["fiscal_code"])
    gone = set(fcs[1::97]) - set(changed)
    new = [good_row() for _ in range(100)]
    second_rows = [x for x in rows if x["fiscal_code"] not in gone] + new
    second = write_rows(second_rows, "archive-2.csv")
    r = do_import(invqr, second)
    assert r.returncode == 0, r.stderr
    s = summary(r, second)
    assert (s["rows"], s["new"], s["updated"], s["unchanged"]) == \
        (len(second_rows), 100, len(changed), n - len(gone) - len(changed)), r.stdout
    got = stored(invqr, fcs + [x["fiscal_code"] for x in new])
    assert got == {x["fiscal_code"]: expected(x) for x in rows + new}   # the gone ones stay
    now = updated_at(invqr, fcs)
    assert {fc for fc in fcs if now[fc] != stamps[fc]} == set(changed)

    state = store_state(invqr)
    r = do_import(invqr, second)
    s = summary(r, second)
    assert (s["new"], s["updated"], s["unchanged"]) == (0, 0, len(second_rows)), r.stdout
    assert store_state(invqr) == state


def test_summary_counts_new_updated_unchanged_and_rejected_together(invqr, tmp_path):
    a, b, c = good_row(), good_row(), good_row()
    assert do_import(invqr, write(tmp_path, [a, b], name="one.csv")).returncode == 0
    path = write(tmp_path, [a, dict(b, deafness="Y"), c, good_row(deafness="maybe")],
                 name="two.csv")
    r = do_import(invqr, path)
    assert r.returncode == 1
    assert r.stdout == ("import: %s: 4 rows read, 3 applied (1 new, 1 updated, 1 unchanged), "
                        "1 rejected\n" % path)


# -- exit statuses and the header -------------------------------------------------------------

def test_all_good_is_exit_0_with_an_audit_row(invqr, tmp_path):
    path = write(tmp_path, [good_row(), good_row()])
    before = last_audit_id(invqr)
    r = do_import(invqr, path)
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout == ("import: %s: 2 rows read, 2 applied (2 new, 0 updated, 0 unchanged), "
                        "0 rejected\n" % path)
    assert invqr.sql("SELECT actor, event, outcome, detail FROM audit_log WHERE id > %d"
                     % before) == [("admin", "import", "ok",
                                    "2 rows, 2 new, 0 updated, 0 rejected")]


def test_a_header_only_file_is_exit_0_with_nothing_to_do(invqr, tmp_path):
    path = write(tmp_path, [])
    r = do_import(invqr, path)
    assert r.returncode == 0, r.stderr
    s = summary(r, path)
    assert (s["rows"], s["applied"], s["rejected"]) == (0, 0, 0)


NOTHING_APPLIED = ("import: %s: 0 rows read, 0 applied (0 new, 0 updated, 0 unchanged), "
                   "0 rejected; nothing was applied\n")


@pytest.mark.parametrize("case,message", [
    ("missing", r": cannot open: "),
    ("empty", r":1: header: the file is empty"),
    ("blank lines", r":\d+: header: the file is empty"),
    ("missing column", r":1: header: medical_judgment: missing column"),
    ("unknown column", r":1: header: notes: unknown column"),
    ("repeated column", r":1: header: surname: repeated column"),
    ("empty column name", r":1: header: .*empty column name"),
])
def test_a_file_that_cannot_be_imported_is_exit_2(invqr, tmp_path, case, message):
    path = tmp_path / "bad-header.csv"
    row = good_row()
    if case == "empty":
        path.write_bytes(b"")
    elif case == "blank lines":
        path.write_bytes(b"\n\n\r\n")
    elif case == "missing column":
        path.write_bytes(csv_bytes([row], header=HEADER[:-1]))
    elif case == "unknown column":
        path.write_bytes(csv_bytes([dict(row, notes="x")], header=HEADER + ["notes"]))
    elif case == "repeated column":
        path.write_bytes(csv_bytes([row], header=HEADER + ["surname"]))
    elif case == "empty column name":
        path.write_bytes(csv_bytes([dict(row, **{"": "x"})], header=HEADER + [""]))
    state = store_state(invqr)
    before = last_audit_id(invqr)
    r = do_import(invqr, path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stdout == NOTHING_APPLIED % path
    assert re.search(re.escape(str(path)) + message, r.stderr), r.stderr
    assert store_state(invqr) == state
    assert stored(invqr, [row["fiscal_code"]]) == {}
    assert invqr.sql("SELECT actor, event, outcome FROM audit_log WHERE id > %d" % before) \
        == [("admin", "import", "refused")]


def test_unavailable_store_is_exit_2(invqr, tmp_path):
    conf = tmp_path / "invqr.conf"
    text = invqr.conf.read_text()
    text = re.sub(r"(?m)^db_socket *=.*$", "db_socket = %s" % (tmp_path / "no-such.sock"), text)
    conf.write_text(text)
    conf.chmod(0o600)
    path = write(tmp_path, [good_row()])
    r = subprocess.run([str(BUILD / "invqr-admin"), "--config", str(conf), "import", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "status store is not available" in r.stderr
    assert r.stdout == ""


def test_usage_errors_are_exit_2(invqr, tmp_path):
    r = invqr.admin("import")
    assert r.returncode == 2 and "usage" in r.stderr
    p = write(tmp_path, [good_row()])
    r = invqr.admin("import", str(p), str(p))
    assert r.returncode == 2 and "usage" in r.stderr


def test_a_file_that_cannot_be_read_applies_nothing(invqr, tmp_path):
    """A read that fails (here: a directory given as the file) leaves the
    rest of the input unknown: one line says why, and nothing is applied."""
    r = do_import(invqr, tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert rejects(r, tmp_path) == [(1, "header", "read error")]
    assert summary(r, tmp_path)["nothing"]
