# SPDX-License-Identifier: Apache-2.0
"""Backup and restore as docs/operations.md tells an administrator to do it:
mariadb-backup of the running store (no downtime), prepared, copied back
into an empty data directory of a fresh instance that has the same
invqr.conf (its secret and the application's credentials), and a code made
before the backup verifies there, with its audit history."""
import os
import shutil
import subprocess

import pytest

from harness import ROOT, Instance, free_port, module_instance, stop_instance
from test_040_verify import generate, new_citizen, sign_in, verify


@pytest.fixture(scope="module")
def source():
    yield from module_instance("backup-src")


def backup_tool(*args):
    # --no-defaults first: nothing of the system's /etc/mysql may creep in
    r = subprocess.run(["mariadb-backup", "--no-defaults", *args], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return r


def test_a_backup_restored_into_a_fresh_instance_verifies_a_code(source, tmp_path):
    fc, _ = new_citizen(source, tmp_path, surname="Salvato", given="Sara")
    code = generate(source, sign_in(source, fc))
    assert verify(source, code, fc).status_code == 200
    audited = source.sql("SELECT COUNT(*) FROM audit_log WHERE code = '%s'" % code)[0][0]
    assert int(audited) >= 2              # issued, then verified

    # 1. a hot backup of the running store, then prepared (made consistent)
    target = tmp_path / "backup"
    backup_tool("--backup", "--user=root", "--socket=" + source.conf_value("db_socket"),
                "--datadir=" + str(source.run / "db"), "--target-dir=" + str(target))
    backup_tool("--prepare", "--target-dir=" + str(target))
    # ... and what happens after the backup is not in it
    later, _ = new_citizen(source, tmp_path, surname="Dopo", given="Dario")

    # 2. a fresh instance: the same invqr.conf, the data copied back into an
    # empty data directory before its MariaDB starts
    run = ROOT / "run" / ("backup-dst-%d" % free_port())
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    # what the backup of the database does not hold: invqr.conf (the secret, the
    # application's credentials) and every file it names (the agency's SOAP
    # signing key, PDND's key set, ...); on a new machine the paths stay the
    # same, here they move to the new run directory
    conf = source.conf.read_text()
    (run / "invqr.conf").write_text(conf.replace(str(source.run), str(run)))
    for line in conf.splitlines():
        value = line.partition("=")[2].strip()
        if value.startswith(str(source.run) + "/") and os.path.isfile(value):
            dest = run / os.path.relpath(value, source.run)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(value, dest)
    backup_tool("--copy-back", "--target-dir=" + str(target), "--datadir=" + str(run / "db"))
    restored = Instance(run, free_port())
    restored.start()
    try:
        # the code made before the backup verifies, with the same name ...
        r = verify(restored, code, fc)
        assert r.status_code == 200 and "Sara Salvato" in r.text
        # ... its audit history came along, and the new verification was added to it
        rows = int(restored.sql("SELECT COUNT(*) FROM audit_log WHERE code = '%s'" % code)[0][0])
        assert rows == int(audited) + 1
        # and nothing after the backup is there
        assert restored.sql("SELECT COUNT(*) FROM citizen WHERE fiscal_code = '%s'"
                            % later) == [("0",)]
    finally:
        stop_instance(restored)
