/* SPDX-License-Identifier: Apache-2.0 */
/* invqr-worker - the FastCGI worker program: supervisor, threads, glue.
 *
 * The supervisor opens the listening socket once and keeps one worker
 * process alive on it: a worker that dies is replaced at once, and the
 * connections that arrive meanwhile wait in the socket's backlog. The worker
 * runs a fixed number of threads, each accepting requests with libfcgi,
 * each with its own store connection and a pool per request. SIGTERM stops
 * accepting, lets requests in flight finish, and exits.
 *
 * SIGHUP reloads without dropping a request (see "reload" below): the
 * supervisor reads the configuration again, starts a new worker on a new
 * socket, moves the socket's name to it, and tells the old worker to serve
 * what its socket still holds and stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <mysql.h>
#include <libxml/parser.h>

#include "invqr_modi.h"
#include "invqr_voucher.h"
#include "invqr_app.h"
#include "invqr_audit_group.h"
#include "invqr_housekeeping.h"
#include "invqr_benefits.h"
#include "invqr_sms.h"
#include "invqr_mail_addr.h"
#include "invqr_mail_send.h"
#include "invqr_password.h"
#include <curl/curl.h>
#include "invqr_conf.h"
#include "invqr_crypto.h"
#include "invqr_log.h"
#include "invqr_metrics.h"
#include "invqr_wire.h"
#include "invqr_worker_systemd.h"

typedef struct {
    const char *config;
    const char *socket_path;
    int socket_mode;            /* -1: worker_socket_mode of invqr.conf */
    int supervise;
} options_t;

/* Read-only once the threads start. */
static const invqr_conf_t *g_conf;
static const invqr_benefits_t *g_benefits;
static invqr_sms_gateway_t *g_sms;
static invqr_mail_transport_t *g_mail;
static invqr_modi_signer_t *g_signer;   /* signs answers to signed SOAP requests */
static invqr_voucher_keys_t *g_voucher_keys; /* PDND's keys, for vouchers */
static char g_dummy_hash[INVQR_PASSWORD_HASH_MAX];
static char g_gate[INVQR_WIRE_GATE_CHARS + 1];
static int g_listen_fd = -1;
static int g_log_fd = 2;
/* Set by the SIGTERM and SIGUSR2 handlers, read by every thread: an atomic,
 * since a sig_atomic_t is only safe within the thread the signal interrupts. */
static atomic_int g_stopping;
/* The configuration in use lives in g_conf_pool, a child of g_root_pool. */
static apr_pool_t *g_root_pool;
static apr_pool_t *g_conf_pool;

/* ---- log ------------------------------------------------------------------ */

/* A zone named like "Europe/Rome" that the C library cannot find leaves it
 * quietly on UTC, while the pages say Rome time: say so at start-up. (POSIX
 * rule strings such as "CET-1CEST,..." need no file.) */
static void check_zone(const char *tz)
{
    const char *dir = getenv("TZDIR") != NULL ? getenv("TZDIR") : "/usr/share/zoneinfo";
    char path[1024];

    if (tz[0] == ':')
        tz++;
    if (strchr(tz, ',') != NULL || (strchr(tz, '/') == NULL && strpbrk(tz, "0123456789") != NULL))
        return;
    if (tz[0] == '/')
        snprintf(path, sizeof(path), "%s", tz);
    else
        snprintf(path, sizeof(path), "%s/%s", dir, tz);
    if (access(path, R_OK) != 0)
        invqr_log(INVQR_LOG_WARN, "INVQR0321: time zone %s not found (%s): times shown to people "
                  "are UTC; install tzdata or set TZ", tz, path);
}

static void log_line(void *baton, const char *file, int line_no, invqr_log_level level,
                     const char *msg)
{
    static const char *const names[] = { "emerg", "alert", "crit", "error", "warn", "notice",
                                         "info", "debug" };
    char line[1200];
    struct timespec ts;
    struct tm tm;
    int n;

    (void)baton;
    (void)file;     /* the tag says where; the source line is for httpd's log */
    (void)line_no;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ [%s] [pid %ld] %s\n",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                 tm.tm_sec, ts.tv_nsec / 1000000L, names[level], (long)getpid(), msg);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    /* one write per line: O_APPEND keeps lines whole across threads */
    if (write(g_log_fd, line, (size_t)n) < 0)
        return;
}

/* ---- one request ---------------------------------------------------------- */

static const char *param(FCGX_Request *rq, const char *name)
{
    return FCGX_GetParam(name, rq->envp);
}

static const char *status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 409: return "Conflict";
    case 502: return "Bad Gateway";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

static int write_header(void *rec, const char *key, const char *value)
{
    FCGX_Request *rq = rec;

    /* Header values come from handlers, never from the client; refuse
     * line breaks all the same. */
    if (strpbrk(key, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
        return 1;
    FCGX_FPrintF(rq->out, "%s: %s\r\n", key, value);
    return 1;
}

static void send_response(FCGX_Request *rq, const invqr_response_t *resp, int head)
{
    FCGX_FPrintF(rq->out, "Status: %d %s\r\nContent-Type: %s\r\n", resp->status,
                 status_text(resp->status), resp->content_type);
    if (resp->headers != NULL)
        apr_table_do(write_header, rq, resp->headers, NULL);
    FCGX_FPrintF(rq->out, "Content-Length: %lu\r\n\r\n", (unsigned long)resp->len);
    if (!head && resp->len > 0)
        FCGX_PutStr(resp->body, (int)resp->len, rq->out);
}

/* Read CONTENT_LENGTH bytes of body, at most INVQR_MAX_BODY. */
static int read_body(FCGX_Request *rq, invqr_request_t *req, apr_pool_t *p)
{
    const char *cl = param(rq, "CONTENT_LENGTH");
    long n = cl != NULL ? strtol(cl, NULL, 10) : 0;
    char *buf;
    int got;

    if (n <= 0)
        return 0;
    if (n > INVQR_MAX_BODY)
        return 413;
    buf = apr_palloc(p, (apr_size_t)n + 1);
    got = FCGX_GetStr(buf, (int)n, rq->in);
    if (got != n)
        return 400;
    buf[n] = '\0';
    req->body = buf;
    req->body_len = (apr_size_t)n;
    return 0;
}

static long long param_ll(FCGX_Request *rq, const char *name)
{
    const char *v = param(rq, name);

    return v != NULL ? strtoll(v, NULL, 10) : 0;
}

static void handle(invqr_app_t *app, FCGX_Request *rq, apr_pool_t *p)
{
    invqr_request_t req;
    invqr_response_t resp;
    const char *gate = param(rq, INVQR_WIRE_GATE);
    const char *lang = param(rq, INVQR_WIRE_LANG);
    int l, bad;

    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.method = param(rq, "REQUEST_METHOD");
    req.route = param(rq, INVQR_WIRE_ROUTE);
    if (req.method == NULL)
        req.method = "GET";
    l = lang != NULL ? invqr_lang_parse(lang) : -1;
    req.page.lang = l >= 0 ? (invqr_lang_t)l : INVQR_LANG_IT;
    req.page.base = param(rq, INVQR_WIRE_BASE);
    if (req.page.base == NULL)
        req.page.base = "";
    req.page.path = param(rq, INVQR_WIRE_PATH);
    if (req.page.path == NULL)
        req.page.path = "/";
    req.page.conf = app->conf;

    /* Only the module knows the gate: anything else did not come through it. */
    if (gate == NULL || req.route == NULL || !invqr_ct_streq(gate, g_gate)) {
        invqr_log(INVQR_LOG_WARN, "INVQR0300: request refused: it did not come through mod_invqr");
        resp.headers = apr_table_make(p, 2);
        invqr_app_error(&req, &resp, 403, NULL, p);
        send_response(rq, &resp, 0);
        return;
    }
    req.arg = param(rq, INVQR_WIRE_ARG);
    req.query = param(rq, "QUERY_STRING");
    req.content_type = param(rq, "CONTENT_TYPE");
    req.page.csrf = param(rq, INVQR_WIRE_CSRF);
    req.citizen = param(rq, INVQR_WIRE_CITIZEN);
    req.delegate = param(rq, INVQR_WIRE_DELEGATE);
    req.delegate_role = param(rq, INVQR_WIRE_DELEGATE_ROLE);
    req.delegation_ended = param(rq, INVQR_WIRE_DELEGATION_ENDED) != NULL;
    req.operator_id = param_ll(rq, INVQR_WIRE_OPERATOR_ID);
    req.org_id = param_ll(rq, INVQR_WIRE_ORG_ID);
    req.operator_name = param(rq, INVQR_WIRE_OPERATOR);
    req.org_name = param(rq, INVQR_WIRE_ORG);
    req.client = param(rq, INVQR_WIRE_CLIENT);
    req.demo = param(rq, INVQR_WIRE_DEMO) != NULL;
    req.signout = param(rq, INVQR_WIRE_SIGNOUT);
    req.session = param(rq, INVQR_WIRE_SESSION);
    req.if_none_match = param(rq, "HTTP_IF_NONE_MATCH");
    req.soap_action = param(rq, "HTTP_SOAPACTION");
    req.voucher = param(rq, INVQR_WIRE_VOUCHER);
    if (req.operator_id > 0 && req.operator_name != NULL)
        req.page.who = apr_psprintf(p, "%s (%s)", req.operator_name,
                                    req.org_name != NULL ? req.org_name : "");
    else if (req.delegate != NULL && req.citizen != NULL) {
        /* someone acting for the holder: every page names the holder */
        req.page.who = req.delegate;
        req.page.acting_for = req.citizen;
        req.page.acting_name = param(rq, INVQR_WIRE_HOLDER_NAME);
        req.page.acting_role = req.delegate_role;
    }
    else if (req.citizen != NULL)
        req.page.who = req.citizen;
    req.page.operator_area = req.operator_id > 0;

    if (g_conf->test_faults && strcmp(req.route, "test-crash") == 0) {
        invqr_log(INVQR_LOG_WARN, "INVQR0301: test fault: crashing on purpose");
        abort();
    }
    if (g_conf->test_faults && strcmp(req.route, "test-sleep") == 0) {
        int secs = req.query != NULL ? atoi(req.query) : 1;
        sleep((unsigned)(secs < 0 ? 0 : secs > 10 ? 10 : secs));
    }

    bad = read_body(rq, &req, p);
    resp.headers = apr_table_make(p, 4);
    if (bad != 0)
        invqr_app_error(&req, &resp, bad, NULL, p);
    else
        invqr_app_handle(app, &req, &resp, p);
    send_response(rq, &resp, strcmp(req.method, "HEAD") == 0);
}

/* ---- threads ------------------------------------------------------------- */

/* Out of memory in a pool: no page can be made and no answer is half
 * right; say why and stop this worker (the supervisor starts another, and
 * httpd answers the requests in flight with its 503 page). Every pool of
 * the worker descends from one created with it. */
static int out_of_memory(int status)
{
    invqr_log(INVQR_LOG_ERR, "INVQR0329: out of memory (%d); the worker stops", status);
    abort();
    return status;
}

/* The next connection, with its timeouts set: a peer that sends nothing (a
 * FastCGI request cut short) or reads nothing is dropped after
 * worker_io_timeout_seconds instead of holding a thread. -1 when none (then
 * see g_stopping). */
static int accept_peer(void)
{
    struct timeval tv;
    int fd;

    fd = accept4(g_listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        if (!atomic_load(&g_stopping) && errno != EINTR && errno != ECONNABORTED) {
            /* out of descriptors or memory: say so, and do not spin */
            invqr_log_repeat(INVQR_LOG_ERR, "INVQR0326: accepting a connection failed: %s",
                             strerror(errno));
            usleep(100000);
        }
        return -1;
    }
    tv.tv_sec = g_conf->worker_io_timeout_seconds;
    tv.tv_usec = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0
        || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
        invqr_log_repeat(INVQR_LOG_ERR, "INVQR0328: cannot set a connection's timeouts: %s",
                         strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* End the request and its connection: invqr keeps no FastCGI connection
 * open between requests, whatever the peer asked for.
 *
 * libfcgi closes a connection by shutting down its side and then waiting
 * in poll() until the peer closes too, reading and dropping whatever still
 * comes, so that a peer still sending is not answered with a reset. That
 * wait costs every request a sleep and a wake-up of its thread. Once the
 * request's input has been read to its end, mod_proxy_fcgi sends nothing
 * more on the connection, so it is closed at once; a request whose input
 * did not end (a body left unread, a broken record) keeps libfcgi's way. */
static void finish(FCGX_Request *rq)
{
    char trash[512];
    int ended = 0, fd;

    if (rq->in != NULL && FCGX_GetError(rq->in) == 0) {
        /* the end of the input is usually already here: the empty record
         * that follows the body (or the parameters, for a GET) */
        while (FCGX_GetStr(trash, (int)sizeof(trash), rq->in) > 0)
            ;
        ended = FCGX_HasSeenEOF(rq->in) == EOF && FCGX_GetError(rq->in) == 0;
    }
    rq->keepConnection = ended;   /* FCGX_Finish_r closes the other kind itself */
    FCGX_Finish_r(rq);            /* the answer and its end record go out */
    fd = rq->ipcFd;
    if (fd >= 0) {
        rq->ipcFd = -1;
        close(fd);
    }
}

static void *thread_main(void *arg)
{
    FCGX_Request rq;
    invqr_app_t app;
    apr_pool_t *tpool = NULL;

    mysql_thread_init();
    if (apr_pool_create_unmanaged_ex(&tpool, out_of_memory, NULL) != APR_SUCCESS) {
        invqr_log(INVQR_LOG_ERR, "INVQR0302: cannot create a thread pool");
        return NULL;
    }
    memset(&app, 0, sizeof(app));
    app.conf = g_conf;
    app.benefits = g_benefits;
    app.sms = g_sms;
    app.mail = g_mail;
    app.dummy_hash = g_dummy_hash;
    app.signer = g_signer;
    app.voucher_keys = g_voucher_keys;
    app.pool = tpool;
    app.audit = arg;
    /* libfcgi is given no listening socket: the thread accepts each
     * connection itself (accept_peer) and hands it over, so that every
     * connection has its timeouts before a byte is read from it. */
    FCGX_InitRequest(&rq, -1, 0);
    for (;;) {
        apr_pool_t *p = NULL;
        int fd = accept_peer();

        if (fd < 0) {
            if (atomic_load(&g_stopping))
                break;
            continue;
        }
        rq.ipcFd = fd;
        rq.keepConnection = 1;   /* or FCGX_Accept_r closes it before reading */
        if (FCGX_Accept_r(&rq) < 0)
            continue;            /* no request came on it: libfcgi closed it */
        if (FCGX_GetError(rq.in) != 0) {
            /* the peer stopped sending before its request was whole (the
             * socket's timeout): nothing to answer, nobody to answer to */
            invqr_log_repeat(INVQR_LOG_WARN, "INVQR0327: a connection sent no whole request "
                             "within %d s; dropped", g_conf->worker_io_timeout_seconds);
            finish(&rq);
            continue;
        }

        if (apr_pool_create(&p, tpool) != APR_SUCCESS) {
            finish(&rq);
            continue;
        }
        handle(&app, &rq, p);
        finish(&rq);
        apr_pool_destroy(p);
        /* now and then, once the answer has gone */
        if (invqr_housekeeping_due(time(NULL)))
            invqr_housekeeping_sweep(invqr_app_db(&app), app.conf);
    }
    invqr_app_db_failed(&app); /* closes the connection */
    apr_pool_destroy(tpool);
    mysql_thread_end();
    return NULL;
}

static void on_term(int sig)
{
    (void)sig;
    atomic_store(&g_stopping, 1);
    FCGX_ShutdownPending();
    /* wake every thread blocked in accept() */
    shutdown(g_listen_fd, SHUT_RDWR);
}

/* ---- the worker's side of a reload --------------------------------------- */

/* The write end of the pipe on which this worker tells the supervisor that
 * its threads accept requests (-1 without a supervisor). */
static int g_ready_fd = -1;

static void tell_supervisor_ready(void)
{
    if (g_ready_fd < 0) {
        /* --no-supervise: this process is the service systemd waits for */
        invqr_worker_notify_ready((long)getpid());
        return;
    }
    if (write(g_ready_fd, "R", 1) < 0) {
        /* the supervisor is gone: nothing to tell */
    }
    close(g_ready_fd);
    g_ready_fd = -1;
}

/* SIGUSR2, from the supervisor once a new worker has the socket's name: the
 * old socket gets no new connection, so shutting it down makes accept()
 * hand out the connections still queued on it and then fail, which ends
 * the threads once their requests are answered. (Unlike SIGTERM it does
 * not set libfcgi's shutdown flag, with which accept() would leave the
 * queued connections unanswered.) */
static void on_drain(int sig)
{
    (void)sig;
    atomic_store(&g_stopping, 1);
    shutdown(g_listen_fd, SHUT_RDWR);
}

static void install_drain_handler(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_drain;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, NULL);
}

static int run_worker(void)
{
    pthread_t *threads;
    struct sigaction sa;
    int i, n = g_conf->worker_threads;
    apr_pool_t *wpool = NULL;
    invqr_audit_group_t *audit;

    FCGX_Init();
    /* libfcgi's own handler only sets a flag: ours also wakes accept() */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  /* no SA_RESTART: accept() must return */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* the threads' audit rows, written together under load */
    if (apr_pool_create_ex(&wpool, NULL, out_of_memory, NULL) != APR_SUCCESS
        || (audit = invqr_audit_group_create(wpool)) == NULL) {
        invqr_log(INVQR_LOG_ERR, "INVQR0320: cannot set up the audit writer");
        return 1;
    }
    threads = calloc((size_t)n, sizeof(*threads));
    if (threads == NULL)
        return 1;
    for (i = 0; i < n; i++) {
        if (pthread_create(&threads[i], NULL, thread_main, audit) != 0) {
            invqr_log(INVQR_LOG_ERR, "INVQR0303: cannot start thread %d", i);
            n = i;
            break;
        }
    }
    invqr_log(INVQR_LOG_NOTICE, "INVQR0304: worker ready with %d threads", n);
    tell_supervisor_ready();
    for (i = 0; i < n; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    apr_pool_destroy(wpool);
    invqr_log(INVQR_LOG_NOTICE, "INVQR0305: worker stopped");
    return 0;
}

/* ---- supervisor ------------------------------------------------------------ */

/* Who may connect: the socket's owner, group and mode from invqr.conf. */
static int socket_access(const char *path, const invqr_conf_t *conf, int mode)
{
    uid_t uid = (uid_t)-1;
    gid_t gid = (gid_t)-1;

    if (conf->worker_socket_owner != NULL) {
        struct passwd *pw = getpwnam(conf->worker_socket_owner);

        if (pw == NULL) {
            invqr_log(INVQR_LOG_ERR, "INVQR0322: worker_socket_owner: no user %s",
                      conf->worker_socket_owner);
            return -1;
        }
        uid = pw->pw_uid;
    }
    if (conf->worker_socket_group != NULL) {
        struct group *gr = getgrnam(conf->worker_socket_group);

        if (gr == NULL) {
            invqr_log(INVQR_LOG_ERR, "INVQR0323: worker_socket_group: no group %s",
                      conf->worker_socket_group);
            return -1;
        }
        gid = gr->gr_gid;
    }
    if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) != 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0324: cannot give %s to %s:%s: %s", path,
                  conf->worker_socket_owner != NULL ? conf->worker_socket_owner : "-",
                  conf->worker_socket_group != NULL ? conf->worker_socket_group : "-",
                  strerror(errno));
        return -1;
    }
    if (chmod(path, (mode_t)mode) != 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0325: cannot set the mode of %s: %s", path,
                  strerror(errno));
        return -1;
    }
    return 0;
}

static int open_socket(const options_t *o, const invqr_conf_t *conf)
{
    struct sockaddr_un sa;
    int fd, mode = o->socket_mode >= 0 ? o->socket_mode : conf->worker_socket_mode;

    if (strlen(o->socket_path) >= sizeof(sa.sun_path)) {
        invqr_log(INVQR_LOG_ERR, "INVQR0306: socket path too long: %s", o->socket_path);
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path, o->socket_path);
    unlink(o->socket_path);
    /* owner and mode are set before listen(): nobody connects before */
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0307: cannot listen on %s: %s", o->socket_path,
                  strerror(errno));
        goto fail;
    }
    if (socket_access(o->socket_path, conf, mode) != 0)
        goto fail;
    if (listen(fd, 1024) != 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0307: cannot listen on %s: %s", o->socket_path,
                  strerror(errno));
        goto fail;
    }
    return fd;
fail:
    close(fd);
    unlink(o->socket_path);
    return -1;
}

/* ---- the supervisor's loop and reload --------------------------------------
 *
 * The supervisor blocks SIGTERM, SIGINT, SIGHUP and SIGCHLD and takes them
 * one at a time with sigwaitinfo(), so a signal never lands in the middle
 * of a reload. Each worker it starts gets the write end of a pipe and says
 * on it when its threads accept requests.
 */

static pid_t g_current;            /* the worker that owns the socket's name */
static sigset_t g_supervisor_sigs;
static sigset_t g_worker_mask;     /* what the workers start with */

static void on_child(int sig)
{
    (void)sig;
}

/* Start a worker on g_listen_fd, closing other_fd in it; -1 if fork fails.
 * *ready_fd is where the worker says it is ready (EOF: it died first). */
static pid_t start_worker(int other_fd, int *ready_fd)
{
    int p[2];
    pid_t pid;

    if (pipe2(p, O_CLOEXEC) != 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0308: fork failed: %s", strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0308: fork failed: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        install_drain_handler();
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        sigprocmask(SIG_SETMASK, &g_worker_mask, NULL);
        close(p[0]);
        if (other_fd >= 0)
            close(other_fd);
        g_ready_fd = p[1];
        /* exit(), not _exit(): LeakSanitizer reports at exit */
        exit(run_worker());
    }
    close(p[1]);
    *ready_fd = p[0];
    return pid;
}

/* 1 once the worker wrote on fd, 0 if it died (or gave no sign in a
 * minute) before; closes fd. */
static int worker_ready(int fd)
{
    struct pollfd pfd = { fd, POLLIN, 0 };
    char c;
    int ok = 0, r;

    do {
        r = poll(&pfd, 1, 60000);
    } while (r < 0 && errno == EINTR);
    if (r > 0)
        ok = read(fd, &c, 1) == 1;
    close(fd);
    return ok;
}

/* The worker that died was the current one: a new one, at once (a worker
 * that cannot stay up must not spin the CPU). */
static void replace_current(pid_t pid, int status)
{
    static time_t window;
    static int restarts;
    int ready_fd;

    if (WIFSIGNALED(status))
        invqr_log(INVQR_LOG_ERR, "INVQR0309: worker %ld killed by signal %d; starting a new one",
                  (long)pid, WTERMSIG(status));
    else
        invqr_log(INVQR_LOG_ERR, "INVQR0310: worker %ld exited with status %d; starting a new one",
                  (long)pid, WEXITSTATUS(status));
    if (time(NULL) - window > 10) {
        window = time(NULL);
        restarts = 0;
    }
    invqr_metric_inc(INVQR_METRIC_WORKER_RESTARTS);
    if (++restarts > 5)
        sleep(1);
    g_current = start_worker(-1, &ready_fd);
    if (g_current > 0)
        (void)worker_ready(ready_fd);
}

static int load_config(const char *path, int at_start);

/* SIGHUP: the configuration again, a new worker on a new socket under a
 * temporary name, then (once it is ready) the socket's name moves to it and
 * the old worker drains. A configuration that does not load changes
 * nothing; if the new worker cannot be started, the old one goes on as it
 * was, and the configuration just read is the one the next worker gets. */
static void reload(const options_t *o)
{
    char *tmp_path;
    options_t tmp = *o;
    int old_fd = g_listen_fd, new_fd, ready_fd;
    pid_t old = g_current, pid;

    invqr_worker_notify_reloading();
    if (load_config(o->config, 0) != 0) {
        invqr_worker_notify_reloaded((long)old, 1);
        return;
    }
    tmp_path = apr_pstrcat(g_conf_pool, o->socket_path, ".new", NULL);
    tmp.socket_path = tmp_path;
    new_fd = open_socket(&tmp, g_conf);
    if (new_fd < 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0342: reload: no new socket; worker %ld goes on",
                  (long)old);
        invqr_worker_notify_reloaded((long)old, 1);
        return;
    }
    g_listen_fd = new_fd;
    pid = start_worker(old_fd, &ready_fd);
    if (pid < 0 || !worker_ready(ready_fd)) {
        invqr_log(INVQR_LOG_ERR, "INVQR0346: reload: the new worker did not start; "
                  "worker %ld goes on", (long)old);
        if (pid > 0)
            kill(pid, SIGKILL);
        close(new_fd);
        unlink(tmp_path);
        g_listen_fd = old_fd;
        invqr_worker_notify_reloaded((long)old, 1);
        return;
    }
    if (rename(tmp_path, o->socket_path) != 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0344: reload: cannot rename %s to %s: %s; worker %ld "
                  "goes on", tmp_path, o->socket_path, strerror(errno), (long)old);
        kill(pid, SIGTERM);
        close(new_fd);
        unlink(tmp_path);
        g_listen_fd = old_fd;
        invqr_worker_notify_reloaded((long)old, 1);
        return;
    }
    g_current = pid;
    /* a connect() that found the old name just before the rename is queued
     * by now; the old worker answers it before it stops */
    if (old > 0)
        kill(old, SIGUSR2);
    close(old_fd);
    invqr_log(INVQR_LOG_NOTICE, "INVQR0340: configuration reloaded: worker %ld replaces "
              "worker %ld, which answers the requests it has and stops", (long)pid, (long)old);
    invqr_worker_notify_reloaded((long)pid, 0);
}

static int supervise(const options_t *o)
{
    struct sigaction sa;
    int stopping = 0, ready_fd;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_child;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    sigemptyset(&g_supervisor_sigs);
    sigaddset(&g_supervisor_sigs, SIGTERM);
    sigaddset(&g_supervisor_sigs, SIGINT);
    sigaddset(&g_supervisor_sigs, SIGHUP);
    sigaddset(&g_supervisor_sigs, SIGCHLD);
    sigprocmask(SIG_BLOCK, &g_supervisor_sigs, &g_worker_mask);

    while ((g_current = start_worker(-1, &ready_fd)) < 0)
        sleep(1);
    if (worker_ready(ready_fd))
        invqr_worker_notify_ready((long)g_current);
    for (;;) {
        pid_t pid;
        int status, sig;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            if (pid == g_current && !stopping) {
                replace_current(pid, status);
                if (g_current > 0)
                    invqr_worker_notify_ready((long)g_current);
            }
            else if (pid == g_current)
                g_current = 0;
            else
                invqr_log(INVQR_LOG_NOTICE, "INVQR0343: worker %ld stopped, its requests "
                          "answered", (long)pid);
        }
        if (pid < 0 && errno == ECHILD) {
            if (stopping)
                break;
            /* no worker at all (fork kept failing): try again */
            while ((g_current = start_worker(-1, &ready_fd)) < 0)
                sleep(1);
            (void)worker_ready(ready_fd);
            continue;
        }
        sig = sigwaitinfo(&g_supervisor_sigs, NULL);
        if (sig == SIGTERM || sig == SIGINT) {
            if (!stopping)
                invqr_worker_notify_stopping();
            stopping = 1;
            if (g_current > 0)
                kill(g_current, SIGTERM);
        }
        else if (sig == SIGHUP && !stopping)
            reload(o);
    }
    return 0;
}

/* ---- configuration ---------------------------------------------------------- */

/* The e-mail transport of the PDF (mail_transport, mail_from, mail_ca_file,
 * mail_user and mail_password): none when mail_transport is unset; refused
 * when it is set without a sender that parses or does not parse itself, or
 * with half a sign-in. */
static apr_status_t mail_config(invqr_mail_transport_t **pt, const char **perr,
                                const invqr_conf_t *conf, apr_pool_t *pool)
{
    char from[INVQR_MAIL_ADDR_MAX + 1];

    *pt = NULL;
    if ((conf->mail_user == NULL) != (conf->mail_password == NULL)) {
        *perr = "mail_user and mail_password go together";
        return APR_EINVAL;
    }
    if (conf->mail_transport == NULL && conf->mail_user != NULL) {
        *perr = "mail_user and mail_password need mail_transport (smtp:// or smtps://)";
        return APR_EINVAL;
    }
    if (conf->mail_transport == NULL)
        return APR_SUCCESS;
    if (conf->mail_from == NULL
        || invqr_mail_addr_parse(from, conf->mail_from, strlen(conf->mail_from)) != INVQR_MAIL_ADDR_OK) {
        *perr = "mail_transport needs mail_from, a plain address (name@domain)";
        return APR_EINVAL;
    }
    if (invqr_mail_transport_parse(pt, perr, conf->mail_transport, conf->mail_ca_file, pool)
        != APR_SUCCESS) {
        *perr = apr_pstrcat(pool, "mail_transport: ", *perr, NULL);
        return APR_EINVAL;
    }
    if (conf->mail_user != NULL
        && invqr_mail_transport_login(*pt, perr, conf->mail_user, conf->mail_password, pool)
               != APR_SUCCESS) {
        *pt = NULL;
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}

/* Read the configuration and what it names (log, benefits, SMS gateway) in
 * a new pool; only if all of it loads does it replace the one in use, so a
 * reload with a broken file changes nothing. At start-up the errors go to
 * standard error and the exit status (2); on a reload, to the log. */
static int load_config(const char *path, int at_start)
{
    apr_pool_t *pool = NULL;
    invqr_conf_t *conf = NULL;
    const invqr_benefits_t *benefits = NULL;
    invqr_sms_gateway_t *gw = NULL;
    invqr_mail_transport_t *mail = NULL;
    const char *err = NULL;
    int log_fd = 2;

    if (apr_pool_create(&pool, g_root_pool) != APR_SUCCESS)
        return 1;
    if (invqr_conf_load(&conf, &err, path, pool) != APR_SUCCESS)
        goto refused;
    if (conf->worker_log != NULL) {
        log_fd = open(conf->worker_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (log_fd < 0) {
            err = apr_psprintf(pool, "cannot open %s: %s", conf->worker_log, strerror(errno));
            goto refused;
        }
    }
    if (conf->benefits_file != NULL) {
        invqr_benefits_t *b = NULL;

        if (invqr_benefits_load(&b, &err, conf->benefits_file, pool) != APR_SUCCESS) {
            if (at_start) {
                /* as before reloads existed: the log says it, under its tag */
                g_log_fd = log_fd;
                invqr_log_set(log_line, NULL, INVQR_LOG_INFO);
                invqr_log(INVQR_LOG_ERR, "INVQR0314: %s", err);
                return 2;
            }
            goto refused;
        }
        benefits = b;
    }
    if (conf->sms_gateway != NULL
        && invqr_sms_gateway_parse(&gw, &err, conf->sms_gateway, pool) != APR_SUCCESS) {
        err = apr_pstrcat(pool, "sms_gateway: ", err, NULL);
        if (at_start) {
            g_log_fd = log_fd;
            invqr_log_set(log_line, NULL, INVQR_LOG_INFO);
            invqr_log(INVQR_LOG_ERR, "INVQR0316: %s", err);
            return 2;
        }
        goto refused;
    }
    if (mail_config(&mail, &err, conf, pool) != APR_SUCCESS) {
        if (at_start) {
            g_log_fd = log_fd;
            invqr_log_set(log_line, NULL, INVQR_LOG_INFO);
            invqr_log(INVQR_LOG_ERR, "INVQR0080: %s", err);
            return 2;
        }
        goto refused;
    }

    /* all of it loaded: it replaces the configuration in use */
    if (g_log_fd > 2)
        close(g_log_fd);
    g_log_fd = log_fd;
    if (at_start)
        invqr_log_set(log_line, NULL, INVQR_LOG_INFO);
    if (g_conf_pool != NULL)
        apr_pool_destroy(g_conf_pool);
    g_conf_pool = pool;
    g_conf = conf;
    g_benefits = benefits;
    g_sms = gw;
    g_mail = mail;
    invqr_wire_gate(g_gate, conf);
    if (conf->test_faults)
        invqr_log(INVQR_LOG_WARN, "INVQR0311: test_faults is on: /_test/ routes can crash "
                  "this worker; never enable it in production");
    if (conf->sms_gateway == NULL)
        invqr_log(INVQR_LOG_WARN, "INVQR0317: no sms_gateway configured: the second level "
                  "cannot send consent codes");
    if (conf->pdf_copies_dir != NULL && access(conf->pdf_copies_dir, W_OK | X_OK) != 0)
        invqr_log(INVQR_LOG_WARN, "INVQR0319: pdf_copies_dir %s is not a directory this worker "
                  "can write (%s): every PDF goes through a worker", conf->pdf_copies_dir,
                  strerror(errno));
    return 0;

refused:
    if (log_fd > 2)
        close(log_fd);
    if (at_start)
        fprintf(stderr, "invqr-worker: %s\n", err);
    else
        invqr_log(INVQR_LOG_ERR, "INVQR0341: reload refused, the workers keep the "
                  "configuration they have: %s", err);
    apr_pool_destroy(pool);
    return 2;
}

/* The workers' counters, mapped once here, before the supervisor forks:
 * every worker it starts (again, or on a reload) adds into the same file,
 * which metrics_dir keeps across restarts of the service too. A reload
 * does not move it (a new metrics_dir takes a restart). */
static void attach_metrics(void)
{
    void *map = NULL;
    const char *err = NULL;

    if (g_conf->metrics_dir == NULL)
        return;
    if (invqr_metrics_map(&map, &err, g_conf->metrics_dir, INVQR_METRICS_WORKER_FILE,
                          g_root_pool) != APR_SUCCESS) {
        invqr_log(INVQR_LOG_WARN, "INVQR0345: metrics_dir: %s; the workers' counters are not "
                  "kept", err);
        return;
    }
    invqr_metrics_attach(map);
}

static void usage(void)
{
    fprintf(stderr, "usage: invqr-worker --config FILE --socket PATH [--socket-mode OCTAL] "
                    "[--no-supervise]\n"
                    "(--socket-mode overrides worker_socket_mode of the configuration)\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "socket", required_argument, NULL, 's' },
        { "socket-mode", required_argument, NULL, 'm' },
        { "no-supervise", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    options_t o = { NULL, NULL, -1, 1 };
    apr_pool_t *pool = NULL;
    int c, rc;

    while ((c = getopt_long(argc, argv, "c:s:m:nh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config = optarg; break;
        case 's': o.socket_path = optarg; break;
        case 'm': o.socket_mode = (int)strtol(optarg, NULL, 8); break;
        case 'n': o.supervise = 0; break;
        default: usage(); return c == 'h' ? 0 : 2;
        }
    }
    if (o.config == NULL || o.socket_path == NULL) {
        usage();
        return 2;
    }
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create_ex(&pool, NULL, out_of_memory, NULL);
    g_root_pool = pool;
    rc = load_config(o.config, 1);
    if (rc != 0)
        return rc;
    xmlInitParser();   /* once, before any thread uses libxml2 */
    if (invqr_modi_init() != 0)   /* xmlsec, for signed SOAP requests */
        return 2;
    /* the agency's signing key is read once, at start: a reload keeps it */
    if ((g_conf->soap_signing_key != NULL) != (g_conf->soap_signing_cert != NULL)) {
        invqr_log(INVQR_LOG_ERR, "INVQR0032: soap_signing_key and soap_signing_cert go together");
        return 2;
    }
    if (g_conf->soap_signing_key != NULL &&
        invqr_modi_signer_load(&g_signer, g_conf->soap_signing_key, g_conf->soap_signing_cert) != 0)
        return 2;
    /* PDND's keys too: after a rotation, restart the workers */
    if (g_conf->pdnd_jwks_file != NULL && g_conf->pdnd_audience == NULL) {
        invqr_log(INVQR_LOG_ERR, "INVQR0335: pdnd_jwks_file needs pdnd_audience");
        return 2;
    }
    if (g_conf->pdnd_jwks_file != NULL &&
        invqr_voucher_keys_load(&g_voucher_keys, g_conf->pdnd_jwks_file) != 0)
        return 2;
    /* Times shown to verifiers are Italian local time unless TZ says otherwise;
     * set before any thread, since localtime_r reads it. */
    setenv("TZ", getenv("TZ") != NULL && getenv("TZ")[0] != '\0' ? getenv("TZ") : "Europe/Rome", 1);
    tzset();
    check_zone(getenv("TZ"));
    if (invqr_password_decoy(g_dummy_hash) != 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0318: cannot prepare the sign-in check");
        return 1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        invqr_log(INVQR_LOG_ERR, "INVQR0315: cannot initialise libcurl");
        return 1;
    }
    if (mysql_library_init(0, NULL, NULL) != 0) {
        invqr_log(INVQR_LOG_ERR, "INVQR0312: cannot initialise the MariaDB client library");
        return 1;
    }
    g_listen_fd = open_socket(&o, g_conf);
    if (g_listen_fd < 0)
        return 1;
    attach_metrics();
    invqr_log(INVQR_LOG_NOTICE, "INVQR0313: listening on %s", o.socket_path);
    rc = o.supervise ? supervise(&o) : run_worker();
    close(g_listen_fd);
    unlink(o.socket_path);
    mysql_library_end();
    curl_global_cleanup();
    invqr_modi_signer_free(g_signer);
    invqr_voucher_keys_free(g_voucher_keys);
    invqr_modi_shutdown();
    xmlCleanupParser();
    apr_pool_destroy(pool);
    return rc;
}
