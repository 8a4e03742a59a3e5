/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - counters for monitoring, shared by processes, and their
 * Prometheus text rendering.
 *
 * Every series is listed once in invqr_metrics.def. A process attaches a
 * block of counters once at start-up, before it starts threads or forks:
 * memory mapped MAP_SHARED from a file in metrics_dir, so that the
 * processes forked after (httpd's children, the workers the supervisor
 * starts again) all add into the same numbers and the numbers outlive any
 * one of them. Counting is a relaxed atomic add on a 64-bit word, and
 * nothing at all when no block is attached (invqr-admin, the unit tests,
 * a deployment without metrics_dir).
 */
#ifndef INVQR_METRICS_H
#define INVQR_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

typedef enum {
#define INVQR_METRIC(id, family, help, k1, v1, k2, v2) INVQR_METRIC_##id,
#include "invqr_metrics.def"
    INVQR_METRIC__COUNT
} invqr_metric_t;

typedef enum {
#define INVQR_HISTOGRAM(id, family, help) INVQR_HIST_##id,
#include "invqr_metrics.def"
    INVQR_HIST__COUNT
} invqr_hist_t;

/* Upper bounds of the histograms' buckets, in microseconds (+Inf after). */
#define INVQR_METRICS_BUCKETS 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, \
                              1000000, 2500000
#define INVQR_METRICS_NBUCKETS 11

/* The counters files in metrics_dir: the module's (made by httpd's parent)
 * and the workers' (made by the worker's supervisor). */
#define INVQR_METRICS_HTTPD_FILE "httpd.counters"
#define INVQR_METRICS_WORKER_FILE "worker.counters"

/** Bytes of the counters file (header and every slot). */
size_t invqr_metrics_size(void);

/**
 * Open (creating it if needed, mode 0644) dir/name and map it shared;
 * a file of another layout (another build) is started afresh. *pmap is
 * the mapping, for invqr_metrics_attach; *perr a message from p on failure.
 * The mapping lives until the process exits (or invqr_metrics_unmap).
 */
apr_status_t invqr_metrics_map(void **pmap, const char **perr, const char *dir,
                               const char *name, apr_pool_t *p);
void invqr_metrics_unmap(void *map);

/** Count into map from now on (NULL: count nothing). Call before threads. */
void invqr_metrics_attach(void *map);

/**
 * Read the counters file dir/name into a private copy from p: *pcopy, or
 * NULL when there is none of this layout (not made yet, unreadable).
 */
apr_status_t invqr_metrics_read(const void **pcopy, const char *dir, const char *name,
                                apr_pool_t *p);

void invqr_metric_add(invqr_metric_t id, uint64_t n);
#define invqr_metric_inc(id) invqr_metric_add((id), 1)

/** A monotonic clock in microseconds for invqr_metric_observe; 0 when
 * nothing is attached (then the observation costs nothing either). */
uint64_t invqr_metrics_clock(void);
/** One duration since start (from invqr_metrics_clock) into histogram id. */
void invqr_metric_observe(invqr_hist_t id, uint64_t start);

/**
 * The Prometheus text exposition (version 0.0.4) of the sum of the blocks
 * (each a map or a copy; NULL ones skipped), NUL-terminated, from p.
 * sources[i] named by names[i] adds invqr_metrics_source_up{source=...}.
 */
const char *invqr_metrics_render(const void *const *blocks, const char *const *names, int n,
                                 apr_pool_t *p);

/** A label value escaped for the exposition format (\\ \" \n), from p. */
const char *invqr_metrics_escape(const char *value, apr_pool_t *p);

#endif
