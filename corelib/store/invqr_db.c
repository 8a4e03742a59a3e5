/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - a MariaDB connection with its lazily prepared statements.
 *
 * invqr_db_exec() is the only way the core talks to the store: it binds the
 * caller's parameters, executes, fetches rows into the caller's buffers and
 * reports one log line when anything fails. When the server has gone away
 * (a restart, a wait_timeout) it reconnects and tries once more.
 *
 * On a Galera cluster (found at connect time: wsrep_on) two more rules hold.
 * Every read waits until this node has applied what the cluster committed
 * before it (wsrep_sync_wait = 1, per session), so a code generated through
 * one node is found at once through another. And a statement outside a
 * transaction that lost a write-set conflict (error 1213 at commit, after
 * the server's own retry) was rolled back whole, so it is run again, up to
 * 8 times with a short varying pause; inside a transaction the caller sees
 * the error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <apr_strings.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "invqr_db.h"
#include "invqr_log.h"
#include "invqr_metrics.h"

struct invqr_db_t {
    MYSQL *mysql;
    const invqr_conf_t *conf;
    invqr_db_role role;
    MYSQL_STMT *stmt[INVQR_SQL__COUNT];
    unsigned last_errno;
    int in_txn;                 /* no silent retry inside a transaction */
    int galera;                 /* the server is a Galera cluster node */
    invqr_db_infile_fn *infile; /* the LOAD DATA LOCAL stream, or NULL: refuse */
    void *infile_baton;
};

static const char *const sql_text[INVQR_SQL__COUNT] = {
#define INVQR_SQL(id, text) text,
#include "invqr_sql.def"
#undef INVQR_SQL
};

static const char *const sql_name[INVQR_SQL__COUNT] = {
#define INVQR_SQL(id, text) #id,
#include "invqr_sql.def"
#undef INVQR_SQL
};

void invqr_binds_init(invqr_binds_t *bs)
{
    memset(bs, 0, sizeof(*bs));
}

static MYSQL_BIND *next_bind(invqr_binds_t *bs)
{
    MYSQL_BIND *b;

    if (bs->n >= INVQR_BINDS_MAX) {
        invqr_log(INVQR_LOG_ERR, "INVQR0001: too many bound values (%d)", bs->n);
        return NULL;
    }
    b = &bs->b[bs->n];
    memset(b, 0, sizeof(*b));
    b->length = &bs->len[bs->n];
    b->is_null = &bs->null[bs->n];
    b->error = &bs->err[bs->n];
    bs->n++;
    return b;
}

void invqr_bind_str(invqr_binds_t *bs, const char *s, size_t len)
{
    MYSQL_BIND *b = next_bind(bs);

    if (b == NULL)
        return;
    b->buffer_type = MYSQL_TYPE_STRING;
    if (s == NULL) {
        *b->is_null = 1;
        return;
    }
    b->buffer = (void *)s;
    b->buffer_length = len;
    *b->length = len;
}

void invqr_bind_cstr_or_null(invqr_binds_t *bs, const char *s)
{
    invqr_bind_str(bs, s != NULL && *s != '\0' ? s : NULL, s != NULL ? strlen(s) : 0);
}

void invqr_bind_int(invqr_binds_t *bs, long long v)
{
    int i = bs->n;
    MYSQL_BIND *b = next_bind(bs);

    if (b == NULL)
        return;
    bs->ival[i] = v;
    b->buffer_type = MYSQL_TYPE_LONGLONG;
    b->buffer = &bs->ival[i];
}

void invqr_bind_bin(invqr_binds_t *bs, const void *data, size_t len)
{
    MYSQL_BIND *b = next_bind(bs);

    if (b == NULL)
        return;
    b->buffer_type = MYSQL_TYPE_BLOB;
    b->buffer = (void *)data;
    b->buffer_length = len;
    *b->length = len;
}

void invqr_bind_out_str(invqr_binds_t *bs, char *buf, size_t cap)
{
    MYSQL_BIND *b = next_bind(bs);

    if (b == NULL)
        return;
    b->buffer_type = MYSQL_TYPE_STRING;
    b->buffer = buf;
    /* keep one byte for the terminating NUL */
    b->buffer_length = cap > 0 ? cap - 1 : 0;
    if (cap > 0)
        buf[0] = '\0';
}

void invqr_bind_out_int(invqr_binds_t *bs, long long *v)
{
    MYSQL_BIND *b = next_bind(bs);

    if (b == NULL)
        return;
    b->buffer_type = MYSQL_TYPE_LONGLONG;
    b->buffer = v;
    *v = 0;
}

int invqr_binds_is_null(const invqr_binds_t *bs, int i)
{
    return i >= 0 && i < bs->n && bs->null[i];
}

static void close_statements(invqr_db_t *db)
{
    int i;

    for (i = 0; i < INVQR_SQL__COUNT; i++) {
        if (db->stmt[i] != NULL) {
            mysql_stmt_close(db->stmt[i]);
            db->stmt[i] = NULL;
        }
    }
}

void invqr_db_close(invqr_db_t *db)
{
    if (db == NULL)
        return;
    close_statements(db);
    if (db->mysql != NULL) {
        mysql_close(db->mysql);
        db->mysql = NULL;
    }
}

static apr_status_t db_cleanup(void *data)
{
    invqr_db_close(data);
    return APR_SUCCESS;
}

/* ---- LOAD DATA LOCAL INFILE ----------------------------------------------------------
 *
 * A server may answer any query with a request for a local file, and the
 * library's default handler would open the file it names: a rogue or
 * compromised server could read the admin's files. So LOCAL INFILE is
 * enabled only on INVQR_DB_IMPORT connections (never on the workers' or the
 * module's), and there these handlers replace the default from the moment
 * of connecting: they ignore the file name and send only what the import
 * set with invqr_db_set_infile(), or refuse when it set nothing. This
 * client cannot send a file from disk, whatever the server asks.
 */

static int infile_init(void **pinfo, const char *ignored_name, void *userdata)
{
    invqr_db_t *db = userdata;

    *pinfo = db;
    return db->infile == NULL;  /* non-zero: refused (infile_error says why) */
}

static int infile_read(void *info, char *buf, unsigned int cap)
{
    invqr_db_t *db = info;

    return db->infile != NULL ? db->infile(db->infile_baton, buf, cap) : -1;
}

static void infile_end(void *info)
{
}

static int infile_error(void *info, char *msg, unsigned int cap)
{
    invqr_db_t *db = info;

    snprintf(msg, cap, "%s", db != NULL && db->infile != NULL
                                 ? "the import could not produce its rows"
                                 : "LOAD DATA LOCAL INFILE not expected here");
    return CR_UNKNOWN_ERROR;
}

void invqr_db_set_infile(invqr_db_t *db, invqr_db_infile_fn *fn, void *baton)
{
    db->infile = fn;
    db->infile_baton = baton;
}

/* Whether the server replicates with Galera; on one, reads become causal
 * for this session. A server built without wsrep has no such variable: a
 * single server, as when the query fails. */
static apr_status_t galera_session(invqr_db_t *db)
{
    static const char ask[] = "SELECT @@global.wsrep_on";
    static const char causal[] = "SET SESSION wsrep_sync_wait = 1";
    MYSQL_RES *res;
    MYSQL_ROW row;

    db->galera = 0;
    if (mysql_real_query(db->mysql, ask, sizeof(ask) - 1) != 0) {
        db->last_errno = 0;
        return APR_SUCCESS;
    }
    res = mysql_store_result(db->mysql);
    row = res != NULL ? mysql_fetch_row(res) : NULL;
    db->galera = row != NULL && row[0] != NULL && strcmp(row[0], "1") == 0;
    if (res != NULL)
        mysql_free_result(res);
    if (db->galera && mysql_real_query(db->mysql, causal, sizeof(causal) - 1) != 0) {
        db->last_errno = mysql_errno(db->mysql);
        invqr_log(INVQR_LOG_ERR, "INVQR0060: cannot make reads causal on the Galera node: %s",
                  mysql_error(db->mysql));
        mysql_close(db->mysql);
        db->mysql = NULL;
        return APR_ECONNREFUSED;
    }
    return APR_SUCCESS;
}

static apr_status_t db_connect(invqr_db_t *db)
{
    const invqr_conf_t *c = db->conf;
    const char *user = db->role != INVQR_DB_APP ? c->admin_db_user : c->db_user;
    const char *pass = db->role != INVQR_DB_APP ? c->admin_db_password : c->db_password;
    unsigned int timeout = 5;
    unsigned int on = 1;        /* the library reads an unsigned int here */
    MYSQL *m;

    m = mysql_init(NULL);
    if (m == NULL) {
        invqr_log(INVQR_LOG_ERR, "INVQR0002: mysql_init failed (out of memory)");
        return APR_ENOMEM;
    }
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    /* instants are compared in UTC whatever the server's zone (invqr_when.h) */
    mysql_options(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
    if (db->role == INVQR_DB_IMPORT) {
        mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &on);
        mysql_set_local_infile_handler(m, infile_init, infile_read, infile_end, infile_error,
                                       db);
    }
    if (mysql_real_connect(m, c->db_socket != NULL ? NULL : c->db_host, user, pass,
                           c->db_name, c->db_socket != NULL ? 0 : (unsigned)c->db_port,
                           c->db_socket, 0) == NULL) {
        db->last_errno = mysql_errno(m);
        invqr_metric_inc(INVQR_METRIC_STORE_CONNECT);
        invqr_log_repeat(INVQR_LOG_ERR, "INVQR0003: cannot connect to the status store as %s: %s",
                  user, mysql_error(m));
        mysql_close(m);
        return APR_ECONNREFUSED;
    }
    db->mysql = m;
    return galera_session(db);
}

apr_status_t invqr_db_open(invqr_db_t **pdb, const invqr_conf_t *conf,
                           invqr_db_role role, apr_pool_t *p)
{
    invqr_db_t *db;
    apr_status_t rv;

    *pdb = NULL;
    db = apr_pcalloc(p, sizeof(*db));
    db->conf = conf;
    db->role = role;
    rv = db_connect(db);
    if (rv != APR_SUCCESS)
        return rv;
    apr_pool_cleanup_register(p, db, db_cleanup, apr_pool_cleanup_null);
    *pdb = db;
    return APR_SUCCESS;
}

static int is_connection_lost(unsigned e)
{
    return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST || e == CR_CONNECTION_ERROR
           || e == CR_CONN_HOST_ERROR || e == ER_CONNECTION_KILLED || e == 4031 /* idle killed */;
}

static apr_status_t reconnect(invqr_db_t *db)
{
    invqr_db_close(db);
    return db_connect(db);
}

static MYSQL_STMT *get_stmt(invqr_db_t *db, invqr_sql_t id, unsigned *perr)
{
    MYSQL_STMT *st = db->stmt[id];

    *perr = 0;
    if (st != NULL)
        return st;
    st = mysql_stmt_init(db->mysql);
    if (st == NULL) {
        *perr = mysql_errno(db->mysql);
        return NULL;
    }
    if (mysql_stmt_prepare(st, sql_text[id], strlen(sql_text[id])) != 0) {
        *perr = mysql_stmt_errno(st);
        invqr_metric_inc(INVQR_METRIC_STORE_STATEMENT);
        invqr_log_repeat(INVQR_LOG_ERR, "INVQR0004: cannot prepare %s: %s", sql_name[id],
                  mysql_stmt_error(st));
        mysql_stmt_close(st);
        return NULL;
    }
    db->stmt[id] = st;
    return st;
}

/* One attempt; *plost says whether the connection was lost on the way. */
static apr_status_t exec_once(invqr_db_t *db, invqr_sql_t id, invqr_binds_t *in,
                              invqr_binds_t *out, invqr_db_row_fn *fn, void *baton,
                              unsigned long long *pcount, int *plost)
{
    MYSQL_STMT *st;
    unsigned e = 0, ncols;
    unsigned long long rows = 0;
    apr_status_t rv = APR_EGENERAL;
    int i, r;

    *plost = 0;
    if (db->mysql == NULL) {
        *plost = 1;
        return APR_EGENERAL;
    }
    st = get_stmt(db, id, &e);
    if (st == NULL)
        goto fail;
    if (in != NULL && in->n > 0 && mysql_stmt_bind_param(st, in->b) != 0)
        goto fail_stmt;
    if (mysql_stmt_execute(st) != 0)
        goto fail_stmt;
    /* the column count only: mysql_stmt_result_metadata() would copy every
     * column's description, at every execution */
    ncols = mysql_stmt_field_count(st);
    if (ncols == 0) {
        rows = mysql_stmt_affected_rows(st);
        rv = APR_SUCCESS;
        goto out;
    }
    if (out == NULL || out->n != (int)ncols) {
        invqr_log(INVQR_LOG_ERR, "INVQR0005: %s returns %u columns, %d bound", sql_name[id],
                  ncols, out != NULL ? out->n : 0);
        mysql_stmt_free_result(st);
        goto out;
    }
    if (mysql_stmt_bind_result(st, out->b) != 0)
        goto fail_stmt;
    while ((r = mysql_stmt_fetch(st)) == 0 || r == MYSQL_DATA_TRUNCATED) {
        if (r == MYSQL_DATA_TRUNCATED) {
            invqr_log(INVQR_LOG_ERR, "INVQR0006: %s: a value was longer than its buffer",
                      sql_name[id]);
            mysql_stmt_free_result(st);
            goto out;
        }
        for (i = 0; i < out->n; i++) {
            MYSQL_BIND *b = &out->b[i];
            if (b->buffer_type == MYSQL_TYPE_STRING) {
                char *s = b->buffer;

                /* truncation was refused above; never trust a length beyond the buffer */
                if (!out->null[i] && out->len[i] > b->buffer_length) {
                    invqr_log(INVQR_LOG_ERR, "INVQR0006: %s: a value was longer than its buffer",
                              sql_name[id]);
                    mysql_stmt_free_result(st);
                    goto out;
                }
                s[out->null[i] ? 0 : out->len[i]] = '\0';
            }
        }
        rows++;
        if (fn == NULL || fn(baton, out) != 0)
            break;
    }
    if (r == 1) {
        mysql_stmt_free_result(st);
        goto fail_stmt;
    }
    mysql_stmt_free_result(st);
    rv = APR_SUCCESS;
    goto out;

fail_stmt:
    e = mysql_stmt_errno(st);
    db->last_errno = e;
    if (is_connection_lost(e)) {
        *plost = 1;
        goto out;
    }
    invqr_metric_add(INVQR_METRIC_STORE_STATEMENT, e != ER_DUP_ENTRY);
    if (e == ER_LOCK_DEADLOCK && !db->in_txn)
        goto out;               /* retried, or logged, by the caller */
    if (e != ER_DUP_ENTRY)
        invqr_log_repeat(INVQR_LOG_ERR, "INVQR0007: %s failed: %s", sql_name[id], mysql_stmt_error(st));
    goto out;
fail:
    db->last_errno = e;
    if (is_connection_lost(e) || e == 0)
        *plost = 1;
out:
    if (rv == APR_SUCCESS) {
        db->last_errno = 0;
        if (pcount != NULL)
            *pcount = rows;
    }
    return rv;
}

/* A first attempt of a statement failed with the connection lost (rv).
 * Inside a transaction the work so far is gone with the connection, so the
 * caller must see the error; outside one, the statement may be retried on a
 * new connection. APR_SUCCESS: retry; otherwise what the caller returns. */
static apr_status_t after_lost(invqr_db_t *db, apr_status_t rv)
{
    if (db->in_txn) {
        invqr_db_close(db);
        return rv;
    }
    return reconnect(db) == APR_SUCCESS ? APR_SUCCESS : APR_EGENERAL;
}

/* The retry lost its connection too. */
static apr_status_t lost_again(invqr_sql_t id, apr_status_t rv)
{
    invqr_metric_inc(INVQR_METRIC_STORE_LOST);
    invqr_log_repeat(INVQR_LOG_ERR, "INVQR0008: %s: status store connection lost", sql_name[id]);
    return rv;
}

/* A statement outside a transaction that lost a write-set conflict is run
 * again, this many times in all (the server already retried it once), after
 * a pause that grows and varies: a burst on one row (guesses at one code on
 * every node) must not collide again in lockstep. */
#define CONFLICT_TRIES 8

void invqr_db_conflict_pause(int attempt)
{
    struct timespec ts;
    long us;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    us = 1000L * attempt + (long)(ts.tv_nsec / 1000 % 3000);
    ts.tv_sec = 0;
    ts.tv_nsec = us * 1000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Whether the failed attempt was a conflict to run again (after a pause);
 * logs the last. */
static int conflict_again(invqr_db_t *db, invqr_sql_t id, int attempt)
{
    if (db->in_txn || db->last_errno != ER_LOCK_DEADLOCK)
        return 0;
    if (attempt < CONFLICT_TRIES) {
        invqr_db_conflict_pause(attempt);
        return 1;
    }
    invqr_log(INVQR_LOG_ERR, "INVQR0061: %s lost a write-set conflict %d times", sql_name[id],
              attempt);
    return 0;
}

static apr_status_t exec_lost_once(invqr_db_t *db, invqr_sql_t id, invqr_binds_t *in,
                                   invqr_binds_t *out, invqr_db_row_fn *fn, void *baton,
                                   unsigned long long *pcount);

apr_status_t invqr_db_exec(invqr_db_t *db, invqr_sql_t id, invqr_binds_t *in,
                           invqr_binds_t *out, invqr_db_row_fn *fn, void *baton,
                           unsigned long long *pcount)
{
    apr_status_t rv;
    int attempt = 1;

    while ((rv = exec_lost_once(db, id, in, out, fn, baton, pcount)) != APR_SUCCESS
           && conflict_again(db, id, attempt))
        attempt++;
    return rv;
}

/* One attempt, and one more on a new connection if the first lost its own. */
static apr_status_t exec_lost_once(invqr_db_t *db, invqr_sql_t id, invqr_binds_t *in,
                                   invqr_binds_t *out, invqr_db_row_fn *fn, void *baton,
                                   unsigned long long *pcount)
{
    apr_status_t rv;
    int lost = 0;

    if (pcount != NULL)
        *pcount = 0;
    rv = exec_once(db, id, in, out, fn, baton, pcount, &lost);
    if (rv == APR_SUCCESS || !lost)
        return rv;
    if ((rv = after_lost(db, rv)) != APR_SUCCESS)
        return rv;
    rv = exec_once(db, id, in, out, fn, baton, pcount, &lost);
    return rv != APR_SUCCESS && lost ? lost_again(id, rv) : rv;
}

/* One attempt of an array-bound execution; the statement is left bound for
 * single rows again, as invqr_db_exec expects it. */
static apr_status_t exec_array_once(invqr_db_t *db, invqr_sql_t id, MYSQL_BIND *cols,
                                    unsigned rows, unsigned long long *paffected, int *plost)
{
    MYSQL_STMT *st;
    unsigned e = 0, none = 0;
    apr_status_t rv = APR_EGENERAL;

    *plost = 0;
    if (db->mysql == NULL) {
        *plost = 1;
        return APR_EGENERAL;
    }
    st = get_stmt(db, id, &e);
    if (st == NULL) {
        db->last_errno = e;
        *plost = is_connection_lost(e) || e == 0;
        return APR_EGENERAL;
    }
    if (mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &rows) == 0
        && mysql_stmt_bind_param(st, cols) == 0 && mysql_stmt_execute(st) == 0) {
        if (paffected != NULL)
            *paffected = mysql_stmt_affected_rows(st);
        db->last_errno = 0;
        rv = APR_SUCCESS;
    }
    else {
        e = mysql_stmt_errno(st);
        db->last_errno = e;
        invqr_metric_add(INVQR_METRIC_STORE_STATEMENT, !is_connection_lost(e));
        if (is_connection_lost(e))
            *plost = 1;
        else if (e != ER_LOCK_DEADLOCK || db->in_txn)
            invqr_log_repeat(INVQR_LOG_ERR, "INVQR0015: %s (%u rows) failed: %s", sql_name[id], rows,
                      mysql_stmt_error(st));
    }
    mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &none);
    return rv;
}

static apr_status_t exec_array_lost_once(invqr_db_t *db, invqr_sql_t id, MYSQL_BIND *cols,
                                         unsigned rows, unsigned long long *paffected)
{
    apr_status_t rv;
    int lost = 0;

    if (paffected != NULL)
        *paffected = 0;
    rv = exec_array_once(db, id, cols, rows, paffected, &lost);
    if (rv == APR_SUCCESS || !lost)
        return rv;
    if ((rv = after_lost(db, rv)) != APR_SUCCESS)
        return rv;
    rv = exec_array_once(db, id, cols, rows, paffected, &lost);
    return rv != APR_SUCCESS && lost ? lost_again(id, rv) : rv;
}

apr_status_t invqr_db_exec_array(invqr_db_t *db, invqr_sql_t id, MYSQL_BIND *cols,
                                 unsigned rows, unsigned long long *paffected)
{
    apr_status_t rv;
    int attempt = 1;

    while ((rv = exec_array_lost_once(db, id, cols, rows, paffected)) != APR_SUCCESS
           && conflict_again(db, id, attempt))
        attempt++;
    return rv;
}

static apr_status_t simple(invqr_db_t *db, const char *what, int ok)
{
    if (ok)
        return APR_SUCCESS;
    db->last_errno = db->mysql != NULL ? mysql_errno(db->mysql) : CR_SERVER_GONE_ERROR;
    invqr_log_repeat(INVQR_LOG_ERR, "INVQR0009: %s failed: %s", what,
              db->mysql != NULL ? mysql_error(db->mysql) : "not connected");
    return APR_EGENERAL;
}

apr_status_t invqr_db_begin(invqr_db_t *db)
{
    if (db->mysql == NULL && reconnect(db) != APR_SUCCESS)
        return APR_EGENERAL;
    if (mysql_ping(db->mysql) != 0 && reconnect(db) != APR_SUCCESS)
        return APR_EGENERAL;
    db->in_txn = 1;
    return simple(db, "begin", mysql_autocommit(db->mysql, 0) == 0);
}

apr_status_t invqr_db_commit(invqr_db_t *db)
{
    apr_status_t rv;

    db->in_txn = 0;
    if (db->mysql == NULL)
        return APR_EGENERAL;
    if (mysql_commit(db->mysql) != 0 && mysql_errno(db->mysql) == ER_LOCK_DEADLOCK) {
        /* a write-set conflict: rolled back whole; the caller may run it again */
        db->last_errno = ER_LOCK_DEADLOCK;
        mysql_autocommit(db->mysql, 1);
        return APR_EGENERAL;
    }
    rv = simple(db, "commit", mysql_errno(db->mysql) == 0);
    mysql_autocommit(db->mysql, 1);
    return rv;
}

apr_status_t invqr_db_rollback(invqr_db_t *db)
{
    apr_status_t rv;

    db->in_txn = 0;
    if (db->mysql == NULL)
        return APR_EGENERAL;
    rv = simple(db, "rollback", mysql_rollback(db->mysql) == 0);
    mysql_autocommit(db->mysql, 1);
    return rv;
}

unsigned long long invqr_db_insert_id(invqr_db_t *db)
{
    return db->mysql != NULL ? mysql_insert_id(db->mysql) : 0;
}

const char *invqr_db_sql_text(invqr_sql_t id)
{
    return sql_text[id];
}

MYSQL *invqr_db_mysql(invqr_db_t *db)
{
    return db->mysql;
}

int invqr_db_is_galera(invqr_db_t *db)
{
    return db->galera;
}

unsigned invqr_db_errno(invqr_db_t *db)
{
    return db->last_errno;
}
