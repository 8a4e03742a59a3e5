/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - one MariaDB connection and its prepared statements.
 *
 * Every statement invqr runs is a row of invqr_sql.def, prepared once per
 * connection on first use and kept. Values only ever travel as bound
 * parameters. A connection belongs to one thread at a time (the module keeps
 * them in a resource list, each worker thread owns one); after the server
 * went away it reconnects once and re-prepares.
 */
#ifndef INVQR_DB_H
#define INVQR_DB_H

#include <apr_pools.h>
#include <mysql.h>

#include "invqr_conf.h"

typedef enum {
#define INVQR_SQL(id, text) INVQR_SQL_##id,
#include "invqr_sql.def"
#undef INVQR_SQL
    INVQR_SQL__COUNT
} invqr_sql_t;

/* INVQR_DB_IMPORT is the admin user on a connection that may answer the
 * server's LOAD DATA LOCAL INFILE requests, from invqr_db_set_infile() only:
 * invqr-admin opens it for the import and for nothing else. */
typedef enum { INVQR_DB_APP = 0, INVQR_DB_ADMIN = 1, INVQR_DB_IMPORT = 2 } invqr_db_role;

typedef struct invqr_db_t invqr_db_t;

#define INVQR_BINDS_MAX 24

/** Parameters or result columns of one statement, filled in order. */
typedef struct {
    MYSQL_BIND b[INVQR_BINDS_MAX];
    unsigned long len[INVQR_BINDS_MAX];
    my_bool null[INVQR_BINDS_MAX];
    my_bool err[INVQR_BINDS_MAX];
    long long ival[INVQR_BINDS_MAX];
    int n;
} invqr_binds_t;

/** Reset binds to empty. */
void invqr_binds_init(invqr_binds_t *bs);
/** Parameter: a string (s NULL binds SQL NULL). */
void invqr_bind_str(invqr_binds_t *bs, const char *s, size_t len);
/** Parameter: a NUL-terminated string, or SQL NULL when s is NULL or "". */
void invqr_bind_cstr_or_null(invqr_binds_t *bs, const char *s);
/** Parameter: an integer. */
void invqr_bind_int(invqr_binds_t *bs, long long v);
/** Parameter: bytes. */
void invqr_bind_bin(invqr_binds_t *bs, const void *data, size_t len);
/** Result column: text into buf (cap bytes, NUL-terminated after each fetch; "" for NULL). */
void invqr_bind_out_str(invqr_binds_t *bs, char *buf, size_t cap);
/** Result column: integer (0 and the null flag set for NULL). */
void invqr_bind_out_int(invqr_binds_t *bs, long long *v);
/** Whether result column i of the last fetched row was NULL. */
int invqr_binds_is_null(const invqr_binds_t *bs, int i);

/**
 * Connect as the application or the admin user of conf. The connection is
 * closed by a cleanup on p (or earlier by invqr_db_close).
 */
apr_status_t invqr_db_open(invqr_db_t **pdb, const invqr_conf_t *conf,
                           invqr_db_role role, apr_pool_t *p);

/** Close now (idempotent). */
void invqr_db_close(invqr_db_t *db);

/** Called once per fetched row; non-zero stops fetching. */
typedef int invqr_db_row_fn(void *baton, invqr_binds_t *out);

/**
 * Execute statement id with params in (may be NULL). For a statement with a
 * result set, out receives each row and fn (may be NULL: first row only) is
 * called per row; *pcount (may be NULL) is the number of rows fetched, or
 * the affected rows for other statements. Logs one line and returns
 * APR_EGENERAL when the store fails; a lost connection is retried once.
 */
apr_status_t invqr_db_exec(invqr_db_t *db, invqr_sql_t id, invqr_binds_t *in,
                           invqr_binds_t *out, invqr_db_row_fn *fn, void *baton,
                           unsigned long long *pcount);

/**
 * Execute statement id once for each of rows parameter rows in one round
 * trip (Connector/C array binding: cols[i] holds column i's arrays, see
 * STMT_ATTR_ARRAY_SIZE). *paffected (may be NULL) gets the affected rows.
 * Logs one line and returns APR_EGENERAL when the store fails; a lost
 * connection is retried once outside a transaction.
 */
apr_status_t invqr_db_exec_array(invqr_db_t *db, invqr_sql_t id, MYSQL_BIND *cols,
                                 unsigned rows, unsigned long long *paffected);

/** Start, commit, roll back a transaction. */
apr_status_t invqr_db_begin(invqr_db_t *db);
apr_status_t invqr_db_commit(invqr_db_t *db);
apr_status_t invqr_db_rollback(invqr_db_t *db);

/** The last insert id of this connection. */
unsigned long long invqr_db_insert_id(invqr_db_t *db);

/** The text of statement id (for array-bound statements invqr-admin prepares itself). */
const char *invqr_db_sql_text(invqr_sql_t id);

/** The raw handle, for invqr-admin's migrations and bulk import only. */
MYSQL *invqr_db_mysql(invqr_db_t *db);

/** Sleep a little before attempt+1 of work that lost a write-set conflict
 * (a few milliseconds, growing with attempt, varying between callers). */
void invqr_db_conflict_pause(int attempt);

/** Whether the server is a node of a Galera cluster (reads are causal there). */
int invqr_db_is_galera(invqr_db_t *db);

/** MariaDB error number of the last failure (0 if none), e.g. 1062 duplicate key. */
unsigned invqr_db_errno(invqr_db_t *db);

/**
 * Produces the bytes of a LOAD DATA LOCAL INFILE: writes up to cap bytes to
 * buf and returns how many, 0 at the end of the data, -1 on failure.
 */
typedef int invqr_db_infile_fn(void *baton, char *buf, unsigned int cap);

/**
 * Answer the next LOAD DATA LOCAL INFILE requests of db (an INVQR_DB_IMPORT
 * connection) with the bytes of fn, whatever file name the server asks for:
 * no file is ever opened. With fn NULL, requests are refused again, as they
 * are after connecting. Set it just before the statement and reset it right
 * after, so baton cannot outlive its owner.
 */
void invqr_db_set_infile(invqr_db_t *db, invqr_db_infile_fn *fn, void *baton);

#endif
