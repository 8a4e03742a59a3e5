/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - counters for monitoring, shared by processes (invqr_metrics.h).
 *
 * A counters file is a small header and an array of 64-bit slots: one per
 * series of invqr_metrics.def, then per histogram its buckets (not
 * cumulative, the last one +Inf) and the sum of the durations in
 * microseconds. Processes map it MAP_SHARED and add with relaxed atomics:
 * the slots are independent totals, so no ordering between them is needed,
 * and a reader may see one increment before another, never a torn value.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <apr_strings.h>

#include "invqr_metrics.h"

#define MAGIC "INVQRMT1"
#define HIST_SLOTS (INVQR_METRICS_NBUCKETS + 2)   /* buckets, +Inf, sum */
#define NSLOTS (INVQR_METRIC__COUNT + INVQR_HIST__COUNT * HIST_SLOTS)

typedef struct {
    char magic[8];
    uint32_t nslots;
    uint32_t layout;      /* a hash of the series' names: same build of the .def */
    uint64_t reserved[3];
} header_t;

typedef struct {
    const char *family, *help, *k1, *v1, *k2, *v2;
} series_t;

static const series_t series[INVQR_METRIC__COUNT] = {
#define INVQR_METRIC(id, family, help, k1, v1, k2, v2) { family, help, k1, v1, k2, v2 },
#include "invqr_metrics.def"
};

static const struct {
    const char *family, *help;
} hists[INVQR_HIST__COUNT + 1] = {
#define INVQR_HISTOGRAM(id, family, help) { family, help },
#include "invqr_metrics.def"
    { NULL, NULL }
};

static const uint64_t bounds[INVQR_METRICS_NBUCKETS] = { INVQR_METRICS_BUCKETS };

/* The block this process counts into, or NULL. */
static uint64_t *g_slots;

static uint32_t fnv(uint32_t h, const char *s)
{
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return (h ^ 0xff) * 16777619u;
}

static uint32_t layout_hash(void)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < INVQR_METRIC__COUNT; i++) {
        h = fnv(h, series[i].family);
        h = fnv(h, series[i].v1);
        h = fnv(h, series[i].v2);
    }
    for (i = 0; i < INVQR_HIST__COUNT; i++)
        h = fnv(h, hists[i].family);
    return h ^ (uint32_t)INVQR_METRICS_NBUCKETS;
}

size_t invqr_metrics_size(void)
{
    return sizeof(header_t) + NSLOTS * sizeof(uint64_t);
}

static int header_ok(const header_t *h)
{
    return memcmp(h->magic, MAGIC, 8) == 0 && h->nslots == NSLOTS && h->layout == layout_hash();
}

apr_status_t invqr_metrics_map(void **pmap, const char **perr, const char *dir,
                               const char *name, apr_pool_t *p)
{
    const char *path = apr_pstrcat(p, dir, "/", name, NULL);
    size_t size = invqr_metrics_size();
    struct stat st;
    header_t *h;
    void *map;
    int fd, e;

    *pmap = NULL;
    *perr = NULL;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        goto failed;
    /* readable by the module's children whatever the umask: it holds
     * counts only, nothing about anyone */
    if (fchmod(fd, 0644) != 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        goto failed;
    if ((size_t)st.st_size != size && ftruncate(fd, 0) != 0)
        goto failed;
    if (ftruncate(fd, (off_t)size) != 0)
        goto failed;
    map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        goto failed;
    close(fd);
    h = map;
    if (!header_ok(h)) {
        /* new, or of another build: its counts mean something else */
        memset(map, 0, size);
        h->nslots = NSLOTS;
        h->layout = layout_hash();
        memcpy(h->magic, MAGIC, 8);
    }
    *pmap = map;
    return APR_SUCCESS;

failed:
    e = errno;
    if (fd >= 0)
        close(fd);
    *perr = apr_psprintf(p, "cannot map %s: %s", path, strerror(e));
    return APR_FROM_OS_ERROR(e);
}

void invqr_metrics_unmap(void *map)
{
    if (map == NULL)
        return;
    if (g_slots == (uint64_t *)((header_t *)map + 1))
        g_slots = NULL;
    munmap(map, invqr_metrics_size());
}

void invqr_metrics_attach(void *map)
{
    g_slots = map != NULL ? (uint64_t *)((header_t *)map + 1) : NULL;
}

apr_status_t invqr_metrics_read(const void **pcopy, const char *dir, const char *name,
                                apr_pool_t *p)
{
    const char *path = apr_pstrcat(p, dir, "/", name, NULL);
    size_t size = invqr_metrics_size();
    char *buf = apr_palloc(p, size);
    ssize_t n;
    int fd;

    *pcopy = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return APR_FROM_OS_ERROR(errno);
    n = pread(fd, buf, size, 0);
    close(fd);
    if (n != (ssize_t)size || !header_ok((const header_t *)buf))
        return APR_EINVAL;
    *pcopy = buf;
    return APR_SUCCESS;
}

void invqr_metric_add(invqr_metric_t id, uint64_t n)
{
    uint64_t *s = g_slots;

    if (s != NULL && (unsigned)id < INVQR_METRIC__COUNT)
        __atomic_fetch_add(&s[id], n, __ATOMIC_RELAXED);
}

uint64_t invqr_metrics_clock(void)
{
    struct timespec ts;

    if (g_slots == NULL || clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void invqr_metric_observe(invqr_hist_t id, uint64_t start)
{
    uint64_t *s = g_slots, now, us;
    unsigned b;

    if (s == NULL || start == 0 || (unsigned)id >= INVQR_HIST__COUNT)
        return;
    now = invqr_metrics_clock();
    us = now > start ? now - start : 0;
    for (b = 0; b < INVQR_METRICS_NBUCKETS && us > bounds[b]; b++)
        ;
    s += INVQR_METRIC__COUNT + (size_t)id * HIST_SLOTS;
    __atomic_fetch_add(&s[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&s[INVQR_METRICS_NBUCKETS + 1], us, __ATOMIC_RELAXED);
}

/* ---- rendering ------------------------------------------------------------ */

const char *invqr_metrics_escape(const char *value, apr_pool_t *p)
{
    size_t n = 0;
    const char *c;
    char *out, *o;

    for (c = value; *c != '\0'; c++)
        n += *c == '\\' || *c == '"' || *c == '\n' ? 2 : 1;
    out = o = apr_palloc(p, n + 1);
    for (c = value; *c != '\0'; c++) {
        if (*c == '\\' || *c == '"') {
            *o++ = '\\';
            *o++ = *c;
        }
        else if (*c == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        }
        else
            *o++ = *c;
    }
    *o = '\0';
    return out;
}

/* A growing text, capped: the exposition is a few kilobytes. */
typedef struct {
    char *buf;
    size_t len, cap;
    apr_pool_t *p;
} text_t;

static void put(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text_t *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        if (t->cap >= 1024 * 1024)   /* cannot happen with a fixed .def */
            return;
        {
            char *bigger = apr_palloc(t->p, t->cap * 2);

            memcpy(bigger, t->buf, t->len + 1);
            t->buf = bigger;
            t->cap *= 2;
        }
    }
}

static void put_help(text_t *t, const char *family, const char *help, const char *type)
{
    /* help text is ours (the .def); it has no backslash or newline */
    put(t, "# HELP %s %s\n# TYPE %s %s\n", family, help, family, type);
}

static uint64_t sum_slot(const void *const *blocks, int n, size_t slot)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < n; i++)
        if (blocks[i] != NULL)
            v += __atomic_load_n((const uint64_t *)((const header_t *)blocks[i] + 1) + slot,
                                 __ATOMIC_RELAXED);
    return v;
}

const char *invqr_metrics_render(const void *const *blocks, const char *const *names, int n,
                                 apr_pool_t *p)
{
    text_t t = { NULL, 0, 8192, p };
    size_t i, b;
    int k;

    t.buf = apr_palloc(p, t.cap);
    t.buf[0] = '\0';
    for (i = 0; i < INVQR_METRIC__COUNT; i++) {
        const series_t *s = &series[i];

        if (i == 0 || strcmp(series[i - 1].family, s->family) != 0)
            put_help(&t, s->family, s->help, "counter");
        put(&t, "%s", s->family);
        if (s->k1[0] != '\0') {
            put(&t, "{%s=\"%s\"", s->k1, invqr_metrics_escape(s->v1, p));
            if (s->k2[0] != '\0')
                put(&t, ",%s=\"%s\"", s->k2, invqr_metrics_escape(s->v2, p));
            put(&t, "}");
        }
        put(&t, " %" PRIu64 "\n", sum_slot(blocks, n, i));
    }
    for (i = 0; i < INVQR_HIST__COUNT; i++) {
        size_t base = INVQR_METRIC__COUNT + i * HIST_SLOTS;
        uint64_t cum = 0, us;

        put_help(&t, hists[i].family, hists[i].help, "histogram");
        for (b = 0; b <= INVQR_METRICS_NBUCKETS; b++) {
            cum += sum_slot(blocks, n, base + b);
            if (b < INVQR_METRICS_NBUCKETS)
                put(&t, "%s_bucket{le=\"%" PRIu64 ".%06" PRIu64 "\"} %" PRIu64 "\n",
                    hists[i].family, bounds[b] / 1000000u, bounds[b] % 1000000u, cum);
            else
                put(&t, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", hists[i].family, cum);
        }
        us = sum_slot(blocks, n, base + INVQR_METRICS_NBUCKETS + 1);
        put(&t, "%s_sum %" PRIu64 ".%06" PRIu64 "\n", hists[i].family, us / 1000000u,
            us % 1000000u);
        put(&t, "%s_count %" PRIu64 "\n", hists[i].family, cum);
    }
    put_help(&t, "invqr_metrics_source_up", "1 when the counters of this source could be read.",
             "gauge");
    for (k = 0; k < n; k++)
        put(&t, "invqr_metrics_source_up{source=\"%s\"} %d\n", invqr_metrics_escape(names[k], p),
            blocks[k] != NULL);
    return t.buf;
}
