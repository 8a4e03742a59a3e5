/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - audit rows of concurrent requests written in one statement.
 *
 * The queue holds pointers to the callers' own entries (on their stacks:
 * each caller waits until its entry is done, so they stay valid), and the
 * rows they point to are the callers' too: nothing is copied or allocated
 * per row. At most GROUP_MAX rows wait; more callers wait for room. The
 * writer binds the rows column-wise on its stack and runs AUDIT_INSERT
 * once with an array size; a row alone goes the plain way, and so does each
 * row of a batch that failed (on its own thread's connection).
 */
#include <pthread.h>
#include <string.h>

#include "invqr_audit_group.h"
#include "invqr_metrics.h"

#define GROUP_MAX 64
#define NCOLS 11

typedef struct {
    const invqr_audit_t *row;
    apr_status_t rv;
    int done;
} entry_t;

struct invqr_audit_group_t {
    pthread_mutex_t lock;
    pthread_cond_t changed;       /* a batch was written, so room was made */
    int writing;                  /* a writer is at the store */
    unsigned n;
    entry_t *queue[GROUP_MAX];
};

static apr_status_t group_cleanup(void *data)
{
    invqr_audit_group_t *g = data;

    pthread_cond_destroy(&g->changed);
    pthread_mutex_destroy(&g->lock);
    return APR_SUCCESS;
}

invqr_audit_group_t *invqr_audit_group_create(apr_pool_t *p)
{
    invqr_audit_group_t *g = apr_pcalloc(p, sizeof(*g));

    if (pthread_mutex_init(&g->lock, NULL) != 0)
        return NULL;
    if (pthread_cond_init(&g->changed, NULL) != 0) {
        pthread_mutex_destroy(&g->lock);
        return NULL;
    }
    apr_pool_cleanup_register(p, g, group_cleanup, apr_pool_cleanup_null);
    return g;
}

/* The columns of AUDIT_INSERT, in order. */
enum { C_ACTOR, C_OPERATOR, C_ORG, C_CLIENT, C_CODE, C_FISCAL, C_LEVEL, C_EVENT, C_OUTCOME,
       C_DETAIL, C_DELEGATE };

typedef struct {
    char *str[NCOLS][GROUP_MAX];
    unsigned long len[NCOLS][GROUP_MAX];
    long long num[NCOLS][GROUP_MAX];
    char ind[NCOLS][GROUP_MAX];
} columns_t;

/* As invqr_bind_cstr_or_null(): NULL or "" is SQL NULL. */
static void set_str(columns_t *c, int col, unsigned i, const char *s)
{
    c->str[col][i] = (char *)s;
    c->len[col][i] = s != NULL ? (unsigned long)strlen(s) : 0;
    c->ind[col][i] = (s == NULL || s[0] == '\0') ? STMT_INDICATOR_NULL : STMT_INDICATOR_NONE;
}

/* As invqr_audit_write(): 0 or less is SQL NULL. */
static void set_num(columns_t *c, int col, unsigned i, long long v)
{
    c->num[col][i] = v;
    c->ind[col][i] = v > 0 ? STMT_INDICATOR_NONE : STMT_INDICATOR_NULL;
}

static apr_status_t write_rows(invqr_db_t *db, entry_t **batch, unsigned n)
{
    columns_t c;
    MYSQL_BIND b[NCOLS];
    unsigned i;
    int col;
    uint64_t start;
    apr_status_t rv;

    if (n == 1)
        return invqr_audit_write(db, batch[0]->row);
    for (i = 0; i < n; i++) {
        const invqr_audit_t *a = batch[i]->row;

        set_str(&c, C_ACTOR, i, a->actor);
        set_num(&c, C_OPERATOR, i, a->operator_id);
        set_num(&c, C_ORG, i, a->org_id);
        set_str(&c, C_CLIENT, i, a->client);
        set_str(&c, C_CODE, i, a->code);
        set_str(&c, C_FISCAL, i, a->fiscal_code);
        set_num(&c, C_LEVEL, i, a->level);
        set_str(&c, C_EVENT, i, a->event);
        set_str(&c, C_OUTCOME, i, a->outcome);
        /* the detail as invqr_audit_write() binds it: NULL only when NULL */
        c.str[C_DETAIL][i] = (char *)a->detail;
        c.len[C_DETAIL][i] = (unsigned long)invqr_audit_detail_len(a->detail);
        c.ind[C_DETAIL][i] = a->detail != NULL ? STMT_INDICATOR_NONE : STMT_INDICATOR_NULL;
        set_str(&c, C_DELEGATE, i, a->delegate);
    }
    memset(b, 0, sizeof(b));
    for (col = 0; col < NCOLS; col++) {
        b[col].u.indicator = c.ind[col];
        if (col == C_OPERATOR || col == C_ORG || col == C_LEVEL) {
            b[col].buffer_type = MYSQL_TYPE_LONGLONG;
            b[col].buffer = c.num[col];
        }
        else {
            b[col].buffer_type = MYSQL_TYPE_STRING;
            b[col].buffer = c.str[col];
            b[col].length = c.len[col];
        }
    }
    start = invqr_metrics_clock();
    rv = invqr_db_exec_array(db, INVQR_SQL_AUDIT_INSERT, b, n, NULL);
    invqr_metric_observe(INVQR_HIST_AUDIT_WRITE, start);
    return rv;
}

apr_status_t invqr_audit_group_write(invqr_audit_group_t *g, invqr_db_t *db,
                                     const invqr_audit_t *a)
{
    entry_t me = { a, APR_EGENERAL, 0 };
    entry_t *batch[GROUP_MAX];
    unsigned n, i;
    apr_status_t rv;

    if (g == NULL)
        return invqr_audit_write(db, a);
    pthread_mutex_lock(&g->lock);
    while (g->n == GROUP_MAX)
        pthread_cond_wait(&g->changed, &g->lock);
    g->queue[g->n++] = &me;
    while (!me.done) {
        if (g->writing) {
            pthread_cond_wait(&g->changed, &g->lock);
            continue;
        }
        /* Become the writer of everything queued: our own row is there,
         * since every batch written before took only rows queued earlier. */
        g->writing = 1;
        n = g->n;
        memcpy(batch, g->queue, n * sizeof(batch[0]));
        g->n = 0;
        pthread_cond_broadcast(&g->changed);   /* room again for those waiting */
        pthread_mutex_unlock(&g->lock);
        rv = write_rows(db, batch, n);
        if (rv != APR_SUCCESS && n > 1)
            rv = APR_EAGAIN;
        pthread_mutex_lock(&g->lock);
        for (i = 0; i < n; i++) {
            batch[i]->rv = rv;
            batch[i]->done = 1;
        }
        g->writing = 0;
        pthread_cond_broadcast(&g->changed);
    }
    pthread_mutex_unlock(&g->lock);
    /* A batch that failed may have failed for the writer's connection or
     * one row alone: each of its rows is then tried once more, the plain
     * way, on its own thread's connection, so one failure is one answer
     * of 503, not a whole batch of them. */
    if (me.rv == APR_EAGAIN)
        return invqr_audit_write(db, a);
    return me.rv;
}
