# SPDX-License-Identifier: Apache-2.0
"""The workers sweep the rows that only matter for a while (throttling
windows, digest nonces, OTP challenges, first-level matches of ended
sessions, old PDF copies), and nothing that still matters."""
import os
import time

import pytest
import requests

STALE_AND_FRESH = [
    "INSERT INTO client_limit VALUES ('login:10.9.9.9', NOW() - INTERVAL 2 DAY, 3),"
    " ('login:10.9.9.8', NOW(), 1)",
    "INSERT INTO verify_client VALUES ('10.9.9.9', 3, NOW() - INTERVAL 2 DAY),"
    " ('10.9.9.8', 1, NOW())",
    "INSERT INTO soap_nonce VALUES (UNHEX(SHA2('hk-old', 256)), NOW() - INTERVAL 2 HOUR),"
    " (UNHEX(SHA2('hk-new', 256)), NOW())",
    "INSERT INTO otp_challenge (public_id, operator_id, code, otp_hash, created_at, expires_at)"
    " VALUES ('HKOLD000000000000000000000', 1, 'HK000000000000000000', UNHEX(SHA2('a', 256)),"
    " NOW() - INTERVAL 2 DAY, NOW() - INTERVAL 2 DAY),"
    " ('HKNEW000000000000000000000', 1, 'HK000000000000000000', UNHEX(SHA2('b', 256)),"
    " NOW(), NOW() + INTERVAL 5 MINUTE)",
    "INSERT INTO session (id_hash, kind, fiscal_code, expires_at)"
    " VALUES (UNHEX(SHA2('hk-live', 256)), 'citizen', 'RSSMRA75C14H501L', NOW() + INTERVAL 1 HOUR)",
    "INSERT INTO session_match (id_hash, code) VALUES (UNHEX(SHA2('hk-live', 256)),"
    " 'HK000000000000000000'), (UNHEX(SHA2('hk-gone', 256)), 'HK000000000000000000')",
]

COUNTS = ("SELECT (SELECT COUNT(*) FROM client_limit WHERE client_addr LIKE 'login:10.9.9.%'),"
          " (SELECT COUNT(*) FROM verify_client WHERE client_addr LIKE '10.9.9.%'),"
          " (SELECT COUNT(*) FROM soap_nonce WHERE nonce_hash IN (UNHEX(SHA2('hk-old', 256)),"
          "   UNHEX(SHA2('hk-new', 256)))),"
          " (SELECT COUNT(*) FROM otp_challenge WHERE public_id LIKE 'HK%'),"
          " (SELECT COUNT(*) FROM session_match WHERE code = 'HK000000000000000000')")


@pytest.mark.allow_log(r"INVQR0301: test fault", r"INVQR0309: worker \d+ killed by signal",
                       r"AH01067", r"AH01075", r"AH01068", r"AH01070")
def test_a_new_worker_sweeps_stale_rows_and_keeps_live_ones(invqr):
    for q in STALE_AND_FRESH:
        invqr.sql(q)
    assert invqr.sql(COUNTS) == [("2", "2", "2", "2", "2")]
    # PDF copies: a week-old one goes, a fresh one and anything not ours stay
    cache = invqr.conf_value("pdf_copies_dir")
    week_ago = time.time() - 8 * 86400
    files = {"old": os.path.join(cache, "0" * 31 + "a.pdf"),
             "fresh": os.path.join(cache, "0" * 31 + "b.pdf"),
             "foreign": os.path.join(cache, "notes.pdf")}
    for name, path in files.items():
        with open(path, "wb") as f:
            f.write(b"%PDF-1.4 test")
        if name != "fresh":
            os.utime(path, (week_ago, week_ago))
    # A worker sweeps at its first answer, then every few minutes: start a new one.
    assert requests.get(invqr.url + "/_test/crash").status_code == 503
    deadline = time.time() + 60
    counts = None
    while time.time() < deadline:
        requests.get(invqr.url + "/")
        counts = invqr.sql(COUNTS)
        if counts == [("1", "1", "1", "1", "1")]:
            break
        time.sleep(0.2)
    assert counts == [("1", "1", "1", "1", "1")]
    # what is left is what still matters
    assert invqr.sql("SELECT client_addr FROM client_limit WHERE client_addr LIKE "
                     "'login:10.9.9.%'") == [("login:10.9.9.8",)]
    assert invqr.sql("SELECT public_id FROM otp_challenge WHERE public_id LIKE 'HK%'") \
        == [("HKNEW000000000000000000000",)]
    assert invqr.sql("SELECT HEX(id_hash) = SHA2('hk-live', 256) FROM session_match"
                     " WHERE code = 'HK000000000000000000'") == [("1",)]
    invqr.sql("DELETE FROM session WHERE id_hash = UNHEX(SHA2('hk-live', 256))")
    assert not os.path.exists(files["old"])
    assert os.path.exists(files["fresh"]) and os.path.exists(files["foreign"])
    for path in (files["fresh"], files["foreign"]):
        os.unlink(path)
