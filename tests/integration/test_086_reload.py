# SPDX-License-Identifier: Apache-2.0
"""SIGHUP (systemctl reload) makes invqr-worker read its configuration again
without dropping a request: a new worker starts on the new configuration,
takes the socket's name, and the old one answers what it has and stops. A
configuration that does not load is refused and the workers go on. The
supervisor tells systemd (sd_notify) when it is ready and when it reloads.
"""
import concurrent.futures
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import BUILD, module_instance  # noqa: E402

BENEFITS_HEADER = "benefit_it,benefit_en,granted_by_it,granted_by_en,level\n"


def benefits_file(run, name):
    path = run / f"benefits-{name}.csv"
    path.write_text(BENEFITS_HEADER + f"Beneficio {name},Benefit {name},Ente {name},"
                    f"Body {name},1\n")
    return path


def set_conf(inst, key, value):
    lines = [ln for ln in inst.conf.read_text().splitlines()
             if ln.partition("=")[0].strip() != key]
    lines.append(f"{key} = {value}")
    inst.conf.write_text("\n".join(lines) + "\n")


def supervisor_pid(inst):
    for line in (inst.run / "pids").read_text().splitlines():
        pid, name = line.split()
        if name == "invqr-worker":
            return int(pid)
    raise AssertionError("no invqr-worker in pids")


def children(pid):
    found = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(d))
    return found


def wait_for(predicate, what, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("still waiting for: " + what)


@pytest.fixture(scope="module")
def inst():
    # each reload reads test_faults again (INVQR0311); /_test/sleep sleeps
    # in the worker, then finds no handler: 404 (INVQR0201)
    # two threads for eight clients: connections always wait in the
    # socket's queue, which a reload must not drop either
    yield from module_instance("reload", env={"INVQR_WORKER_THREADS": "2"}, allowed=[r"INVQR0341: reload refused",
                                                  r"INVQR0311: test_faults is on",
                                                  r"INVQR0201: no handler for route test-sleep"])


def test_sighup_under_load_drops_no_request_and_applies_the_new_configuration(inst):
    sup = supervisor_pid(inst)
    log = inst.run / "log" / "worker.log"
    reloads_before = log.read_text().count("INVQR0340")
    set_conf(inst, "benefits_file", benefits_file(inst.run, "zero"))
    os.kill(sup, signal.SIGHUP)
    wait_for(lambda: "Beneficio zero" in requests.get(inst.url + "/benefits").text,
             "the first reload")

    stop = threading.Event()
    answers = []
    lock = threading.Lock()

    def client(path):
        s = requests.Session()
        while not stop.is_set():
            try:
                r = s.get(inst.url + path, timeout=30)
                got = r.status_code
            except requests.RequestException as e:
                got = repr(e)
            with lock:
                answers.append((path, got))

    # six clients on a page that needs the worker, two on requests that
    # each stay a second in it, so a reload always finds some in flight
    paths = ["/benefits"] * 6 + ["/_test/sleep?1"] * 2
    with concurrent.futures.ThreadPoolExecutor(len(paths)) as ex:
        futures = [ex.submit(client, p) for p in paths]
        wait_for(lambda: len(answers) > 20, "the load to start")
        for i in range(5):
            set_conf(inst, "benefits_file", benefits_file(inst.run, f"round{i}"))
            os.kill(sup, signal.SIGHUP)
            # the next reload once this one is done and a few requests went on
            wait_for(lambda: log.read_text().count("INVQR0340") >= reloads_before + 2 + i,
                     f"reload {i}")
            seen = len(answers)
            slow_seen = sum(1 for a in answers if a[0] != "/benefits")
            wait_for(lambda: len(answers) > seen + 10 and
                     sum(1 for a in answers if a[0] != "/benefits") >= slow_seen + 2,
                     "requests after the reload")
        stop.set()
        for f in futures:
            f.result()

    expected = {"/benefits": 200, "/_test/sleep?1": 404}
    failed = [a for a in answers if a[1] != expected[a[0]]]
    assert not failed, f"{len(failed)} of {len(answers)} requests failed: {failed[:10]}"
    slow = [a for a in answers if a[0].startswith("/_test/")]
    assert len(slow) >= 10, slow
    # the last configuration is the one in use
    page = requests.get(inst.url + "/benefits").text
    assert "Beneficio round4" in page and "Beneficio round3" not in page
    # the supervisor stayed, and every old worker stopped once it was done
    assert supervisor_pid(inst) == sup
    wait_for(lambda: len(children(sup)) == 1, "the old workers to stop")
    text = log.read_text()
    assert text.count("INVQR0343") >= 6
    assert "INVQR0309" not in text and "INVQR0310" not in text


def test_a_request_in_flight_during_a_reload_is_answered_by_the_old_worker(inst):
    sup = supervisor_pid(inst)
    (old,) = children(sup)
    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        # it sleeps 3 s in the worker; 1 s is ample for it to get there
        slow = ex.submit(requests.get, inst.url + "/_test/sleep?3", timeout=30)
        time.sleep(1)
        os.kill(sup, signal.SIGHUP)
        wait_for(lambda: old not in children(sup) or len(children(sup)) == 2, "the new worker")
        answer = slow.result()
    assert answer.status_code == 404 and 'data-status="404"' in answer.text
    wait_for(lambda: len(children(sup)) == 1 and old not in children(sup), "the old worker")


def test_a_configuration_that_does_not_load_is_refused_and_the_workers_go_on(inst):
    sup = supervisor_pid(inst)
    (worker,) = children(sup)
    good = inst.conf.read_text()
    log = inst.run / "log" / "worker.log"
    try:
        inst.conf.write_text(good + "no_such_key = 1\n")
        os.kill(sup, signal.SIGHUP)
        wait_for(lambda: "INVQR0341" in log.read_text(), "the refusal")
        assert "no_such_key" in log.read_text().split("INVQR0341")[-1].splitlines()[0]
        assert requests.get(inst.url + "/benefits").status_code == 200
        assert children(sup) == [worker]
    finally:
        inst.conf.write_text(good)


def test_the_supervisor_tells_systemd_when_it_is_ready_reloads_and_stops(inst, tmp_path):
    """Started as systemd starts a Type=notify service: NOTIFY_SOCKET names a
    datagram socket, on which the messages must come in this order."""
    notify_path = str(tmp_path / "notify")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(notify_path)
    listener.settimeout(30)
    sock = f"/tmp/invqr-notify-{os.getpid()}.sock"
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    proc = subprocess.Popen([str(BUILD / "invqr-worker"), "--config", str(inst.conf),
                             "--socket", sock], env=env, stderr=subprocess.PIPE)
    try:
        def message():
            return listener.recv(4096).decode()

        first = message()
        assert first.startswith("READY=1"), first
        assert os.path.exists(sock)
        proc.send_signal(signal.SIGHUP)
        assert message().startswith("RELOADING=1")
        again = message()
        assert again.startswith("READY=1") and "refused" not in again, again
        proc.send_signal(signal.SIGTERM)
        assert message().startswith("STOPPING=1")
        assert proc.wait(timeout=30) == 0
        assert not os.path.exists(sock)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        listener.close()


def test_a_reload_after_logrotate_writes_to_the_new_log(inst):
    """What /etc/logrotate.d/invqr does: move the log away, then reload."""
    sup = supervisor_pid(inst)
    log = inst.run / "log" / "worker.log"
    rotated = inst.run / "log" / "worker.log.1"
    log.rename(rotated)
    before = rotated.read_text().count("INVQR0340")
    try:
        os.kill(sup, signal.SIGHUP)
        wait_for(lambda: log.exists() and "INVQR0340" in log.read_text(), "the new log")
        assert requests.get(inst.url + "/benefits").status_code == 200
        assert rotated.read_text().count("INVQR0340") == before
    finally:
        # one file again, so the instance's log check reads on from where it was
        new = log.read_bytes() if log.exists() else b""
        with open(rotated, "ab") as f:
            f.write(new)
        rotated.rename(log)
        # and the workers write to it again
        count = log.read_text().count("INVQR0340")
        os.kill(sup, signal.SIGHUP)
        wait_for(lambda: log.read_text().count("INVQR0340") > count, "the log back")


def test_without_its_supervisor_the_worker_tells_systemd_itself(inst, tmp_path):
    notify_path = str(tmp_path / "notify")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(notify_path)
    listener.settimeout(30)
    sock = f"/tmp/invqr-notify1-{os.getpid()}.sock"
    proc = subprocess.Popen([str(BUILD / "invqr-worker"), "--config", str(inst.conf),
                             "--socket", sock, "--no-supervise"],
                            env=dict(os.environ, NOTIFY_SOCKET=notify_path))
    try:
        ready = listener.recv(4096).decode()
        assert ready.startswith("READY=1") and f"worker {proc.pid})" in ready, ready
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        listener.close()
