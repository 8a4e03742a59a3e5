/* SPDX-License-Identifier: Apache-2.0 */
/* bench_floor - what the platform gives before invqr does anything.
 *
 * A multithreaded libfcgi responder, the smallest thing the design allows:
 * each thread accepts requests and answers 200 bytes of text. For a path
 * ending in "/lookup?fc=<16 characters>" it first reads that citizen's name
 * with one prepared primary-key SELECT on its own store connection (404 if
 * there is none, so a wrong setup cannot pass for a fast one); for
 * "/lookup-audit?fc=..." it then also writes one row like a verification's
 * into bench_audit (a copy of audit_log that script/bench creates), in its
 * own autocommit statement. "/form-audit?bytes=N", POSTed the first level's
 * own form ("...&fiscal_code=<16 characters>"), reads the body, does the
 * same two statements and answers N bytes (the size of invqr's result
 * page): the same request and answer sizes as a verification, with nothing
 * of invqr in between. script/bench serves it through mod_proxy_fcgi
 * next to the static file, so invqr's verification can be read against the
 * bare hop, the hop plus one lookup, and the two statements a verification
 * cannot do without, all measured in the same run. Not a test; not installed.
 *
 * usage: bench_floor CONFIG SOCKET THREADS
 * (CONFIG is an invqr.conf: the store's socket, name and application user.)
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <mysql.h>

#include "invqr_conf.h"

#define FC_LEN 16
#define BODY_LEN 200
#define PAGE_MAX 65536
#define FORM_MAX 4096

static const invqr_conf_t *g_conf;
static int g_listen_fd = -1;

static const char k_lookup_sql[] = "SELECT surname, given_name FROM citizen WHERE fiscal_code = ?";
static const char k_audit_sql[] =
    "INSERT INTO bench_audit (actor, client_addr, code, fiscal_code, level, event, outcome)"
    " VALUES ('verifier', '127.0.0.1', 'BENCHFLOOR0000000000', ?, 1, 'verify', 'match')";

typedef struct {
    MYSQL *db;
    MYSQL_STMT *stmt;
    MYSQL_STMT *audit;
} store_t;

static int store_open(store_t *s)
{
    my_bool off = 0;

    s->db = mysql_init(NULL);
    if (s->db == NULL)
        return -1;
    mysql_options(s->db, MYSQL_OPT_RECONNECT, &off);
    if (mysql_real_connect(s->db, g_conf->db_socket ? NULL : g_conf->db_host, g_conf->db_user,
                           g_conf->db_password, g_conf->db_name, (unsigned)g_conf->db_port,
                           g_conf->db_socket, 0) == NULL) {
        fprintf(stderr, "bench_floor: connect: %s\n", mysql_error(s->db));
        return -1;
    }
    s->stmt = mysql_stmt_init(s->db);
    if (s->stmt == NULL || mysql_stmt_prepare(s->stmt, k_lookup_sql, sizeof(k_lookup_sql) - 1) != 0) {
        fprintf(stderr, "bench_floor: prepare: %s\n", mysql_error(s->db));
        return -1;
    }
    s->audit = mysql_stmt_init(s->db);
    if (s->audit == NULL || mysql_stmt_prepare(s->audit, k_audit_sql, sizeof(k_audit_sql) - 1) != 0) {
        fprintf(stderr, "bench_floor: prepare: %s\n", mysql_error(s->db));
        return -1;
    }
    return 0;
}

static int store_audit(store_t *s, const char *fc)
{
    MYSQL_BIND in[1];
    unsigned long fc_len = FC_LEN;

    memset(in, 0, sizeof(in));
    in[0].buffer_type = MYSQL_TYPE_STRING;
    in[0].buffer = (void *)fc;
    in[0].buffer_length = FC_LEN;
    in[0].length = &fc_len;
    if (mysql_stmt_bind_param(s->audit, in) != 0 || mysql_stmt_execute(s->audit) != 0)
        return -1;
    return mysql_stmt_affected_rows(s->audit) == 1 ? 0 : -1;
}

/* 1 found, 0 not found, -1 store error */
static int store_lookup(store_t *s, const char *fc)
{
    MYSQL_BIND in[1], out[2];
    char surname[401], given[401];
    unsigned long fc_len = FC_LEN, len[2];
    int rc, found = 0;

    memset(in, 0, sizeof(in));
    in[0].buffer_type = MYSQL_TYPE_STRING;
    in[0].buffer = (void *)fc;
    in[0].buffer_length = FC_LEN;
    in[0].length = &fc_len;
    memset(out, 0, sizeof(out));
    out[0].buffer_type = out[1].buffer_type = MYSQL_TYPE_STRING;
    out[0].buffer = surname;
    out[0].buffer_length = sizeof(surname);
    out[0].length = &len[0];
    out[1].buffer = given;
    out[1].buffer_length = sizeof(given);
    out[1].length = &len[1];
    if (mysql_stmt_bind_param(s->stmt, in) != 0 || mysql_stmt_execute(s->stmt) != 0
        || mysql_stmt_bind_result(s->stmt, out) != 0)
        return -1;
    while ((rc = mysql_stmt_fetch(s->stmt)) == 0 || rc == MYSQL_DATA_TRUNCATED)
        found = 1;
    mysql_stmt_free_result(s->stmt);
    return rc == MYSQL_NO_DATA ? found : -1;
}

static char g_page[PAGE_MAX];   /* 'x's and a newline; read-only once threads start */

static void answer_len(FCGX_Request *rq, int status, const char *reason, int len)
{
    FCGX_FPrintF(rq->out, "Status: %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n",
                 status, reason, len);
    FCGX_PutStr(g_page + PAGE_MAX - len, len, rq->out);
}

static void answer(FCGX_Request *rq, int status, const char *reason)
{
    answer_len(rq, status, reason, BODY_LEN);
}

/* The fiscal code of a POSTed form into fc (FC_LEN + 1 bytes); 0 or -1. */
static int form_fiscal_code(FCGX_Request *rq, char *fc)
{
    char body[FORM_MAX + 1];
    const char *cl = FCGX_GetParam("CONTENT_LENGTH", rq->envp), *v;
    int n = cl != NULL ? atoi(cl) : 0;

    if (n <= 0 || n > FORM_MAX || FCGX_GetStr(body, n, rq->in) != n)
        return -1;
    body[n] = '\0';
    v = strstr(body, "fiscal_code=");
    if (v == NULL || strlen(v + 12) < FC_LEN)
        return -1;
    memcpy(fc, v + 12, FC_LEN);
    fc[FC_LEN] = '\0';
    return 0;
}

/* End the request as invqr-worker does (its finish()): once the input has
 * ended, close the connection at once rather than wait in libfcgi's
 * shutdown-and-poll for httpd to close it, so the floor pays for a hop what
 * invqr pays. */
static void end_request(FCGX_Request *rq)
{
    char trash[512];
    int fd;

    while (FCGX_GetStr(trash, (int)sizeof(trash), rq->in) > 0)
        ;
    rq->keepConnection = FCGX_HasSeenEOF(rq->in) == EOF && FCGX_GetError(rq->in) == 0;
    FCGX_Finish_r(rq);
    fd = rq->ipcFd;
    if (fd >= 0) {
        rq->ipcFd = -1;
        close(fd);
    }
}

static void *serve(void *arg)
{
    store_t store;
    FCGX_Request rq;

    (void)arg;
    memset(&store, 0, sizeof(store));
    if (store_open(&store) != 0)
        exit(1);
    FCGX_InitRequest(&rq, g_listen_fd, 0);
    while (FCGX_Accept_r(&rq) == 0) {
        const char *uri = FCGX_GetParam("REQUEST_URI", rq.envp);
        const char *q = uri ? strstr(uri, "/lookup") : NULL;
        const char *f = uri ? strstr(uri, "/form-audit?bytes=") : NULL;
        const char *fc = NULL;
        char posted[FC_LEN + 1];
        int audit = 0, len = BODY_LEN;

        if (f != NULL) {
            len = atoi(f + strlen("/form-audit?bytes="));
            if (len < 1 || len > PAGE_MAX)
                len = BODY_LEN;
            audit = 1;
            fc = form_fiscal_code(&rq, posted) == 0 ? posted : "";
        }
        else if (q != NULL) {
            q += strlen("/lookup");
            audit = strncmp(q, "-audit", 6) == 0;
            q += audit ? 6 : 0;
            fc = strncmp(q, "?fc=", 4) == 0 ? q + 4 : "";
        }
        if (fc == NULL) {
            answer(&rq, 200, "OK");
        }
        else if (strlen(fc) != FC_LEN) {
            answer(&rq, 400, "Bad Request");
        }
        else {
            switch (store_lookup(&store, fc)) {
            case 1:
                if (audit && store_audit(&store, fc) != 0) {
                    fprintf(stderr, "bench_floor: audit: %s\n", mysql_stmt_error(store.audit));
                    answer(&rq, 503, "Service Unavailable");
                    break;
                }
                answer_len(&rq, 200, "OK", len);
                break;
            case 0:
                answer(&rq, 404, "Not Found");
                break;
            default:
                fprintf(stderr, "bench_floor: lookup: %s\n", mysql_stmt_error(store.stmt));
                answer(&rq, 503, "Service Unavailable");
            }
        }
        end_request(&rq);
    }
    return NULL;
}

static void on_term(int sig)
{
    (void)sig;
    _exit(0);   /* nothing to flush: libfcgi would swallow SIGTERM otherwise */
}

int main(int argc, char **argv)
{
    apr_pool_t *pool = NULL;
    invqr_conf_t *conf = NULL;
    const char *err = NULL;
    pthread_t *tids;
    int i, n;

    if (argc != 4 || (n = atoi(argv[3])) < 1 || n > 256) {
        fprintf(stderr, "usage: bench_floor CONFIG SOCKET THREADS\n");
        return 2;
    }
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (invqr_conf_load(&conf, &err, argv[1], pool) != APR_SUCCESS) {
        fprintf(stderr, "bench_floor: %s\n", err);
        return 1;
    }
    g_conf = conf;
    memset(g_page, 'x', sizeof(g_page) - 1);
    g_page[sizeof(g_page) - 1] = '\n';
    if (mysql_library_init(0, NULL, NULL) != 0 || FCGX_Init() != 0)
        return 1;
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    unlink(argv[2]);
    g_listen_fd = FCGX_OpenSocket(argv[2], 1024);
    if (g_listen_fd < 0 || chmod(argv[2], 0666) != 0) {
        fprintf(stderr, "bench_floor: cannot listen on %s\n", argv[2]);
        return 1;
    }
    tids = calloc((size_t)n, sizeof(*tids));
    if (tids == NULL)
        return 1;
    for (i = 0; i < n; i++)
        if (pthread_create(&tids[i], NULL, serve, NULL) != 0)
            return 1;
    for (i = 0; i < n; i++)
        pthread_join(tids[i], NULL);
    return 0;
}
