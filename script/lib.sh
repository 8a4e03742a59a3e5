# shellcheck shell=bash
# script/lib.sh - shared by script/server, script/test and script/bench:
# Debian packages, the autotools build, the private MariaDB, the workers and
# httpd. Sourced, never run. Every daemon started here is recorded in
# $INVQR_RUN/pids so one trap can stop them all.

INVQR_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Everything the build, the demo and the tests need from Debian.
INVQR_PACKAGES="build-essential autoconf automake libtool pkg-config
 apache2 apache2-dev libapr1-dev libaprutil1-dev libfcgi-dev libqrencode-dev libhpdf-dev
 libmariadb-dev mariadb-server mariadb-client libxml2-dev libxml2-utils libssl-dev
 libargon2-dev libcurl4-openssl-dev libcmocka-dev libxmlsec1-dev libxmlsec1-openssl
 fonts-dejavu-core fonttools curl libsystemd-dev
 libjansson-dev"
INVQR_TEST_PACKAGES="python3-pytest python3-requests python3-zeep python3-lxml python3-selenium
 chromium chromium-driver clang libfuzzer-14-dev libclang-rt-14-dev
 zbar-tools poppler-utils ghostscript wrk php-cli php-soap python3-pikepdf python3-xmlsec xmlsec1
 libapache2-mod-auth-openidc libapache2-mod-auth-mellon simplesamlphp php8.2-cgi php-xml"
# (the sign-in tests: mod_auth_openidc and mod_auth_mellon in front of /citizen, a
# SimpleSAMLphp IdP under PHP's built-in server; php8.2-cgi, listed with simplesamlphp,
# is the PHP that apt picks instead of libapache2-mod-php, which would switch the
# system's Apache to the prefork MPM)
# the e-mail tests' MTA: Postfix's programs only (tests/integration/mta.py runs a private
# instance; the system's is left unconfigured, see ensure_packages)
# with Cyrus SASL's sasldb for the relay that asks for SMTP AUTH (saslpasswd2
# from sasl2-bin; the PLAIN mechanism and the sasldb plugin from the modules)
INVQR_TEST_PACKAGES="$INVQR_TEST_PACKAGES postfix sasl2-bin libsasl2-modules libsasl2-modules-db"
# What script/package needs to build and check the Debian packages (systemd:
# systemd-analyze for the unit, in tests/package).
INVQR_PACKAGE_PACKAGES="debhelper devscripts dpkg-dev fakeroot lintian systemd"

# script/cluster's: a Galera cluster, its state transfer (mariabackup over socat; the
# SST script looks for listeners with ss, from iproute2), and the balancing front.
INVQR_CLUSTER_PACKAGES="galera-4 mariadb-backup socat iproute2 haproxy"

log() { printf '%s\n' "invqr: $*" >&2; }
die() { log "$*"; exit 1; }

# ensure_packages PKG... : install what is missing (as root) or say how.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        die "missing Debian packages; run: sudo apt-get install -y ${missing[*]}"
    fi
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # postfix: install the programs, configure and start no system MTA
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install failed for: ${missing[*]}"
}

# ensure_npm : npm for axe-core and the tests' OpenID provider (tests/oidc:
# oidc-provider 8, which runs on Debian 12's Node.js 18 too). Machines that
# ship Node.js outside Debian (as this workplace's do) keep theirs; others
# get Debian's.
ensure_npm() {
    command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm
}

# build DIR [CONFIGURE-ARGS...] : configure (once) and make in DIR.
build() {
    local dir=$1; shift
    if [ ! -x "$INVQR_ROOT/configure" ] || [ "$INVQR_ROOT/configure.ac" -nt "$INVQR_ROOT/configure" ]; then
        (cd "$INVQR_ROOT" && autoreconf -fi >/dev/null 2>&1) || die "autoreconf failed"
    fi
    mkdir -p "$dir"
    local want="$*"
    if [ ! -f "$dir/Makefile" ] || [ "$(cat "$dir/.configure-args" 2>/dev/null)" != "$want" ]; then
        (cd "$dir" && "$INVQR_ROOT/configure" --enable-silent-rules "$@" >configure.out 2>&1) \
            || { tail -20 "$dir/configure.out" >&2; die "configure failed (see $dir/config.log)"; }
        printf '%s' "$want" >"$dir/.configure-args"
    fi
    make -C "$dir" -j"$(nproc)" >"$dir/make.out" 2>&1 \
        || { grep -E 'error|Error' "$dir/make.out" | head -30 >&2; die "build failed (see $dir/make.out)"; }
}

# A directory for sockets that httpd children (www-data) can reach even when
# the checkout lives under /root.
socket_dir() {
    local d="/tmp/invqr-$(id -u)-$INVQR_PORT"
    mkdir -p "$d" && chmod 0711 "$d"
    printf '%s' "$d"
}

# Daemons are recorded in INVQR_PIDS (default $INVQR_RUN/pids): script/cluster
# keeps one list for the several run directories of its nodes.
remember_pid() { echo "$1 $2" >>"${INVQR_PIDS:-$INVQR_RUN/pids}"; }

# stop_all : stop every daemon recorded in pids, newest first, and wait;
# then remove this instance's socket directory (sockets and PDF copies are
# worth nothing once the daemons are gone, and test instances use a new port
# each time).
stop_all() {
    stop_daemons
    if [ -n "${INVQR_SOCKDIR:-}" ] && [ "$INVQR_SOCKDIR" = "/tmp/invqr-$(id -u)-$INVQR_PORT" ]; then
        rm -rf "$INVQR_SOCKDIR"
    fi
}

stop_daemons() {
    local pids=${INVQR_PIDS:-$INVQR_RUN/pids} lines pid name i
    [ -f "$pids" ] || return 0
    mapfile -t lines < <(tac "$pids")
    for l in "${lines[@]}"; do
        read -r pid name <<<"$l"
        kill -TERM "$pid" 2>/dev/null || continue
        for i in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "$name ($pid) did not stop; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    rm -f "$pids"
}

# db_start : initialise (once) and start the private MariaDB.
db_start() {
    local data="$INVQR_RUN/db" sock="$INVQR_SOCKDIR/mysqld.sock" i
    # its temporary files too are its own: instances started side by side
    # must not meet in /tmp
    mkdir -p "$INVQR_RUN/log" "$INVQR_RUN/db-tmp"
    if [ ! -d "$data/mysql" ]; then
        log "initialising a private MariaDB in $data"
        mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$data" \
            --tmpdir="$INVQR_RUN/db-tmp" \
            --auth-root-authentication-method=normal --skip-test-db \
            >"$INVQR_RUN/log/mariadb-install.log" 2>&1 \
            || die "mariadb-install-db failed (see $INVQR_RUN/log/mariadb-install.log)"
    fi
    rm -f "$sock"
    # in UTC, like many a database server: what people see must not depend on it
    TZ=UTC mariadbd --no-defaults --user="$(id -un)" --datadir="$data" --socket="$sock" \
        --tmpdir="$INVQR_RUN/db-tmp" \
        --pid-file="$INVQR_RUN/db/mariadbd.pid" --skip-networking \
        --log-error="$INVQR_RUN/log/mariadb.log" \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
        --innodb-buffer-pool-size=1G --innodb-log-file-size=1G \
        --innodb-flush-log-at-trx-commit=2 --max-connections=300 --table-open-cache=1000 \
        2>>"$INVQR_RUN/log/mariadb.log" &
    remember_pid $! mariadbd
    db_wait "$sock" 300 || die "MariaDB did not start (see $INVQR_RUN/log/mariadb.log)"
    INVQR_DB_SOCKET=$sock
}

# db_wait SOCKET TENTHS : until the server on SOCKET answers, at most TENTHS/10 s.
db_wait() {
    local i
    for i in $(seq 1 "$2"); do
        mariadb-admin --no-defaults --socket="$1" -uroot ping >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

conf_get() { sed -n "s/^$1 *= *//p" "$INVQR_RUN/invqr.conf"; }

# db_setup : the application's configuration, database, users, schema.
db_setup() {
    local conf="$INVQR_RUN/invqr.conf" base=${INVQR_BASE:-/}
    # what the QR and the WSDL name: this host and port, and the base path
    local public="http://127.0.0.1:$INVQR_PORT${base%/}"
    if [ ! -f "$conf" ]; then
        umask 077
        cat >"$conf" <<CONF
# invqr configuration of this demo/test instance (generated by script/server)
db_socket = $INVQR_DB_SOCKET
db_name = invqr
db_user = invqr
db_password = $(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
admin_db_user = invqr_admin
admin_db_password = $(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
secret = $(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
public_base_url = $public
migrations_dir = $INVQR_ROOT/schema/migrations
worker_log = $INVQR_RUN/log/worker.log
worker_threads = ${INVQR_WORKER_THREADS:-8}
worker_io_timeout_seconds = ${INVQR_WORKER_IO_TIMEOUT:-10}
test_faults = ${INVQR_TEST_FAULTS:-no}
code_max_age_days = ${INVQR_CODE_MAX_AGE_DAYS:-0}
sms_gateway = ${INVQR_SMS_GATEWAY:-spool:$INVQR_RUN/sms}
benefits_file = $INVQR_ROOT/conf/benefits.csv
fonts_dir = $INVQR_BUILD/fonts
CONF
        umask 022
    fi
    # keys added since this run directory was made
    grep -q '^benefits_file' "$conf" || echo "benefits_file = $INVQR_ROOT/conf/benefits.csv" >>"$conf"
    grep -q '^fonts_dir' "$conf" || echo "fonts_dir = $INVQR_BUILD/fonts" >>"$conf"
    # the administration the PDFs name (UTF-8; tests look for it)
    grep -q '^issuer_name' "$conf" \
        || echo "issuer_name = ${INVQR_ISSUER_NAME:-Comune di Forlì · Servizi sociali}" >>"$conf"
    # the administration's own identity on every page: a made-up logo and links
    if ! grep -q '^agency_logo' "$conf"; then
        printf '%s\n' "agency_logo = $INVQR_ROOT/schema/demo/agency-logo.svg" \
            "agency_site_url = https://www.example.org/" \
            "agency_accessibility_url = https://form.agid.gov.it/" \
            "agency_legal_url = https://www.example.org/note-legali" \
            "agency_contacts_url = https://www.example.org/contatti" \
            "privacy_dpo = rpd@example.org" >>"$conf"
    fi
    # who gives the demo's operators credentials (the sign-in page names it)
    grep -q '^operator_help_contact' "$conf" || echo "operator_help_contact = ${INVQR_OPERATOR_HELP_CONTACT:-Ufficio invalidità civile (demo), tel. 0543 000000, invalidita@comune.example.it}" >>"$conf"
    # the agency's key and certificate that sign answers to signed SOAP requests (ModI)
    if ! grep -q '^soap_signing_key' "$conf"; then
        openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 -subj "/CN=invqr demo agency" \
            -keyout "$INVQR_RUN/soap-signing.key" -out "$INVQR_RUN/soap-signing.pem" >/dev/null 2>&1 \
            || die "cannot make the SOAP signing key"
        printf 'soap_signing_key = %s\nsoap_signing_cert = %s\n' "$INVQR_RUN/soap-signing.key" \
            "$INVQR_RUN/soap-signing.pem" >>"$conf"
    fi
    # a stand-in for PDND Interoperabilita' (demo and tests): its key signs
    # vouchers for this instance, and its JWKS is what the workers trust
    if ! grep -q '^pdnd_jwks_file' "$conf"; then
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
            -out "$INVQR_RUN/pdnd-demo.key" >/dev/null 2>&1 || die "cannot make the PDND demo key"
        local n
        n=$(openssl rsa -in "$INVQR_RUN/pdnd-demo.key" -noout -modulus | sed 's/^Modulus=//' \
            | perl -ne 'chomp; print pack("H*", $_)' | base64 -w0 | tr '+/' '-_' | tr -d '=')
        printf '{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"invqr-demo-pdnd","n":"%s","e":"AQAB"}]}\n' \
            "$n" >"$INVQR_RUN/pdnd-jwks.json"
        printf 'pdnd_jwks_file = %s\npdnd_audience = %s\npdnd_issuer = invqr-demo-pdnd\n' \
            "$INVQR_RUN/pdnd-jwks.json" "$public/soap" >>"$conf"
    fi
    grep -q '^pdnd_voucher_single_use' "$conf" \
        || echo "pdnd_voucher_single_use = ${INVQR_PDND_SINGLE_USE:-yes}" >>"$conf"
    # the attestation by e-mail: only when a transport is given (the tests' private Postfix)
    if [ -n "${INVQR_MAIL_TRANSPORT:-}" ] && ! grep -q '^mail_transport' "$conf"; then
        printf 'mail_transport = %s\nmail_from = %s\nmail_per_day = %s\n' "$INVQR_MAIL_TRANSPORT" \
            "${INVQR_MAIL_FROM:-attestazioni@invqr.test}" "${INVQR_MAIL_PER_DAY:-3}" >>"$conf"
        [ -z "${INVQR_MAIL_CA_FILE:-}" ] || echo "mail_ca_file = $INVQR_MAIL_CA_FILE" >>"$conf"
        [ -z "${INVQR_MAIL_USER:-}" ] || printf 'mail_user = %s\nmail_password = %s\n' \
            "$INVQR_MAIL_USER" "${INVQR_MAIL_PASSWORD:-}" >>"$conf"
    fi
    # PDF copies the module sends: where httpd's children (www-data) can
    # read them even when the checkout is under /root, like the sockets
    # (one line, also in a run directory from before the setting's new name)
    sed -i '/^pdf_cache_dir = /d; /^pdf_copies_dir = /d' "$conf"
    echo "pdf_copies_dir = $INVQR_SOCKDIR/pdf" >>"$conf"
    mkdir -p "$INVQR_SOCKDIR/pdf" && chmod 0711 "$INVQR_SOCKDIR/pdf"
    # counters for GET /metrics (INVQR_METRICS=no: none, as script/bench
    # compares): the worker's file must be readable by httpd's children
    sed -i '/^metrics_dir/d' "$conf"
    if [ "${INVQR_METRICS:-yes}" != no ]; then
        echo "metrics_dir = $INVQR_SOCKDIR/metrics" >>"$conf"
        mkdir -p "$INVQR_SOCKDIR/metrics" && chmod 0755 "$INVQR_SOCKDIR/metrics"
    fi
    sed -i "s|^fonts_dir = .*|fonts_dir = $INVQR_BUILD/fonts|" "$conf"
    # the socket moves with the port, the public URL with port and base; keep the file in step
    sed -i "s|^db_socket = .*|db_socket = $INVQR_DB_SOCKET|; s|^public_base_url = .*|public_base_url = $public|" "$conf"
    # Only httpd's children may reach the worker's socket: they run as
    # www-data when this runs as root (see httpd_start), else as this user.
    grep -q '^worker_socket_mode' "$conf" || echo "worker_socket_mode = 0660" >>"$conf"
    if [ "$(id -u)" -eq 0 ]; then
        grep -q '^worker_socket_group' "$conf" || echo "worker_socket_group = www-data" >>"$conf"
    fi
    mkdir -p "$INVQR_RUN/sms"
    mariadb --no-defaults --socket="$INVQR_DB_SOCKET" -uroot <<SQL || die "database set-up failed"
CREATE DATABASE IF NOT EXISTS invqr CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'invqr'@'localhost' IDENTIFIED BY '$(conf_get db_password)';
CREATE USER IF NOT EXISTS 'invqr_admin'@'localhost' IDENTIFIED BY '$(conf_get admin_db_password)';
GRANT ALL ON invqr.* TO 'invqr_admin'@'localhost' WITH GRANT OPTION;
SQL
    admin migrate >/dev/null || die "schema migration failed"
}

admin() { "$INVQR_BUILD/invqr-admin" --config "$INVQR_RUN/invqr.conf" "$@"; }

# demo_data : fictional citizens, an organisation and an operator (idempotent).
demo_data() {
    admin import "${INVQR_DEMO_CSV:-$INVQR_ROOT/schema/demo/citizens.csv}" >/dev/null || die "demo import failed"
    admin delegation import "$INVQR_ROOT/schema/demo/delegations.csv" >/dev/null \
        || die "demo delegations failed"
    admin org add "Comune di Esempio" >/dev/null 2>&1 || true
    printf '%s\n' "$INVQR_DEMO_PASSWORD" \
        | admin operator add --org "Comune di Esempio" demo.operatore >/dev/null 2>&1 || true
}
INVQR_DEMO_PASSWORD="esempio-demo-2026"

# worker_start : the workers, on the local calendar of INVQR_TZ (default
# Europe/Rome, the worker's own default too).
worker_start() {
    # INVQR_WORKER_BUILD: a worker from another build (the ThreadSanitizer one)
    TZ="${INVQR_TZ:-Europe/Rome}" "${INVQR_WORKER_BUILD:-$INVQR_BUILD}/invqr-worker" \
        --config "$INVQR_RUN/invqr.conf" \
        --socket "$INVQR_SOCKDIR/worker.sock" \
        2>>"$INVQR_RUN/log/worker.log" &
    remember_pid $! invqr-worker
}

# httpd_start : render the demo configuration and start httpd in the foreground
# (as a child of this script, so the trap can stop it).
httpd_start() {
    local moddir user_lines=""
    moddir=$(apxs -q LIBEXECDIR)
    mkdir -p "$INVQR_RUN/httpd/extra" "$INVQR_RUN/httpd/vhost" "$INVQR_RUN/htdocs"
    local errdoc
    errdoc="$(b=${INVQR_BASE:-/}; printf '%s' "${b%/}")/.error"

    if [ "$(id -u)" -eq 0 ]; then user_lines=$'User www-data\nGroup www-data'; fi
    sed -e "s|@RUN@|$INVQR_RUN|g" -e "s|@PORT@|$INVQR_PORT|g" -e "s|@MODDIR@|$moddir|g" \
        -e "s|@MODULE@|$INVQR_BUILD/mod_invqr/.libs/mod_invqr.so|g" \
        -e "s|@STATIC@|$INVQR_ROOT/static|g" -e "s|@SOCKET@|$INVQR_SOCKDIR/worker.sock|g" \
        -e "s|@HTDOCS@|$INVQR_RUN/htdocs|g" -e "s|@BASE@|${INVQR_BASE:-/}|g" \
        -e "s|@DEMO_LOGIN@|${INVQR_DEMO_LOGIN:-On}|g" \
        -e "s|@ERRDOC@|$errdoc|g" -e "s|@METRICS@|${errdoc%/.error}/metrics|g" \
        -e "s|@USER_LINES@|${user_lines//$'\n'/\\n}|g" \
        "$INVQR_ROOT/conf/httpd-demo.conf.in" >"$INVQR_RUN/httpd/httpd.conf"
    rm -f "$INVQR_RUN/httpd/httpd.pid"
    ${INVQR_HTTPD_PREFIX:-} /usr/sbin/apache2 -f "$INVQR_RUN/httpd/httpd.conf" -DFOREGROUND &
    remember_pid $! httpd
}

# wait_ready : until GET / answers 200, or fail.
wait_ready() {
    local i base=${INVQR_BASE:-}
    for i in $(seq 1 200); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$INVQR_PORT${base%/}/" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    tail -20 "$INVQR_RUN/log/error.log" >&2 2>/dev/null || true
    die "the server did not answer on port $INVQR_PORT"
}

# ---- script/cluster: a MariaDB Galera cluster on loopback ----------------------
# Node N (1..3) of the cluster lives in $INVQR_CLUSTER/dbN (datadir), dbN.cnf,
# dbN.pid, log/dbN.log, and listens on $INVQR_SOCKDIR/dbN.sock and, for the
# cluster's own traffic, on loopback ports from INVQR_PORT: client +10+N,
# group communication +20+N, incremental state transfer +30+N, full state
# transfer (mariabackup over socat) +40+N.

galera_port() { echo $((INVQR_PORT + $1 + $2)); }   # galera_port KIND-OFFSET NODE

# galera_cnf N : write node N's option file (read with --defaults-file only).
galera_cnf() {
    local n=$1 c=$INVQR_CLUSTER peers=""
    local gm ist sst port
    gm=$(galera_port 20 "$n"); ist=$(galera_port 30 "$n"); sst=$(galera_port 40 "$n")
    port=$(galera_port 10 "$n")
    peers="127.0.0.1:$(galera_port 20 1),127.0.0.1:$(galera_port 20 2),127.0.0.1:$(galera_port 20 3)"
    cat >"$c/db$n.cnf" <<CNF
# node $n of invqr's demo Galera cluster (written by script/cluster)
[mariadbd]
user = $(id -un)
datadir = $c/db$n
socket = $INVQR_SOCKDIR/db$n.sock
pid-file = $c/db$n.pid
log-error = $c/log/db$n.log
tmpdir = $c/tmp
port = $port
bind-address = 127.0.0.1
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
innodb-buffer-pool-size = 256M
innodb-log-file-size = 256M
max-connections = 300
table-open-cache = 1000
# production durability (docs/operations.md): an audit row is on disk at
# commit on every node, besides being replicated before the commit returns
innodb-flush-log-at-trx-commit = 1
# what Galera needs
binlog-format = ROW
default-storage-engine = InnoDB
innodb-autoinc-lock-mode = 2
wsrep-on = ON
wsrep-provider = /usr/lib/galera/libgalera_smm.so
wsrep-cluster-name = invqr
wsrep-cluster-address = gcomm://$peers
wsrep-node-name = db$n
wsrep-node-address = 127.0.0.1:$gm
wsrep-node-incoming-address = 127.0.0.1:$port
wsrep-sst-receive-address = 127.0.0.1:$sst
wsrep-sst-method = mariabackup
wsrep-sst-auth = root:
# an autocommit statement that loses a write-set conflict is retried by the
# server first (invqr retries too, with a pause: corelib/store/invqr_db.c)
wsrep-retry-autocommit = 3
# a dead node is noticed within seconds (defaults: 5 s suspect, 15 s inactive)
wsrep-provider-options = "gmcast.listen_addr=tcp://127.0.0.1:$gm; ist.recv_addr=127.0.0.1:$ist; gcache.size=256M; evs.keepalive_period=PT0.5S; evs.inactive_check_period=PT0.5S; evs.suspect_timeout=PT2S; evs.inactive_timeout=PT4S; evs.install_timeout=PT4S"

[client]
socket = $INVQR_SOCKDIR/db$n.sock
CNF
}

# galera_node_start N [new] : start node N; "new" bootstraps a new cluster
# from it (its datadir initialised on first use). A joiner with an empty
# datadir receives a full copy from a donor; one that was a member before
# catches up incrementally. Returns when the node is synced.
galera_node_start() {
    local n=$1 c=$INVQR_CLUSTER sock="$INVQR_SOCKDIR/db$1.sock" extra=() i state
    mkdir -p "$c/log" "$c/db$n" "$c/tmp"
    galera_cnf "$n"
    if [ "${2:-}" = new ]; then
        if [ ! -d "$c/db$n/mysql" ]; then
            mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$c/db$n" \
                --tmpdir="$c/tmp" --auth-root-authentication-method=normal --skip-test-db \
                >"$c/log/db$n-install.log" 2>&1 \
                || die "mariadb-install-db failed (see $c/log/db$n-install.log)"
        fi
        # the demo's nodes stop last-to-first, so node 1 holds the newest state
        [ -f "$c/db$n/grastate.dat" ] \
            && sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$c/db$n/grastate.dat"
        extra=(--wsrep-new-cluster)
    fi
    # after a crash the state file does not say how far this node got: ask
    # InnoDB (as Debian's galera_recovery does), so that it catches up
    # incrementally instead of receiving a full copy
    if [ -z "${2:-}" ] && grep -q '^seqno: *-1' "$c/db$n/grastate.dat" 2>/dev/null; then
        local pos
        mariadbd --defaults-file="$c/db$n.cnf" --wsrep-recover --log-error="$c/log/db$n-recover.log" \
            >/dev/null 2>&1 || true
        pos=$(sed -n 's/.*WSREP: Recovered position: *//p' "$c/log/db$n-recover.log" | tail -1)
        [ -n "$pos" ] && extra=(--wsrep-start-position="$pos")
    fi
    rm -f "$sock"
    TZ=UTC mariadbd --defaults-file="$c/db$n.cnf" "${extra[@]}" 2>>"$c/log/db$n.log" &
    remember_pid $! "mariadbd-db$n"
    db_wait "$sock" 1200 || die "Galera node $n did not start (see $c/log/db$n.log)"
    for i in $(seq 1 600); do
        state=$(mariadb --no-defaults --socket="$sock" -uroot -N -B \
                -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)
        [ "$state" = Synced ] && return 0
        sleep 0.1
    done
    die "Galera node $n did not reach Synced (state: ${state:-none}; see $c/log/db$n.log)"
}
