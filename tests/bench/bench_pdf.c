/* SPDX-License-Identifier: Apache-2.0 */
/* bench_pdf - fresh attestation PDFs per second, the whole process timed.
 *
 * Renders distinct attestations (a new code and name each time, so nothing
 * is cached) with invqr_pdf_render() on N threads for S seconds and prints
 * "BENCH_PDF <pdfs> <pdfs/s> <p99 ms>". Used by script/bench; not a test.
 *
 * usage: bench_pdf FONT_DIR [THREADS] [SECONDS]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "invqr_code.h"
#include "invqr_pdf.h"

typedef struct {
    const char *font_dir;
    double until;
    long done;
    double *lat;
    long cap;
    int failed;
} job_t;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
    job_t *j = arg;
    apr_pool_t *pool = NULL;

    apr_pool_create_unmanaged_ex(&pool, NULL, NULL);
    while (now() < j->until) {
        apr_pool_t *p = NULL;
        char code[INVQR_CODE_LEN + 1], grouped[INVQR_CODE_GROUPED_LEN + 1], url[128];
        invqr_pdf_input_t in;
        const char *pdf = NULL;
        apr_size_t len = 0;
        double t0 = now();

        apr_pool_create(&p, pool);
        invqr_code_generate(code);
        invqr_code_group(grouped, code);
        snprintf(url, sizeof(url), "HTTPS://SERVIZI.EXAMPLE.GOV.IT/INVQR/V/%s", code);
        memset(&in, 0, sizeof(in));
        in.url = url;
        in.code_grouped = grouped;
        in.given_name = "Șerban Łukasz";
        in.surname = code;               /* a different text every time */
        in.fiscal_code = "PPSSBN79S23Z129A";
        in.issue_date = "2026-11-26";
        in.font_dir = j->font_dir;
        in.verify_url = "https://servizi.example.gov.it/invqr/verify";
        if (invqr_pdf_render(&pdf, &len, &in, p) != APR_SUCCESS) {
            j->failed = 1;
            apr_pool_destroy(p);
            break;
        }
        apr_pool_destroy(p);
        if (j->done < j->cap)
            j->lat[j->done] = now() - t0;
        j->done++;
    }
    apr_pool_destroy(pool);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int threads = argc > 2 ? atoi(argv[2]) : 2, seconds = argc > 3 ? atoi(argv[3]) : 5, i;
    job_t *jobs;
    pthread_t *tid;
    long total = 0, n = 0;
    double *all, start;

    if (argc < 2 || threads < 1 || seconds < 1) {
        fprintf(stderr, "usage: bench_pdf FONT_DIR [THREADS] [SECONDS]\n");
        return 2;
    }
    apr_initialize();
    jobs = calloc((size_t)threads, sizeof(*jobs));
    tid = calloc((size_t)threads, sizeof(*tid));
    start = now();
    for (i = 0; i < threads; i++) {
        jobs[i].font_dir = argv[1];
        jobs[i].until = start + seconds;
        jobs[i].cap = 200000;
        jobs[i].lat = calloc((size_t)jobs[i].cap, sizeof(double));
        pthread_create(&tid[i], NULL, run, &jobs[i]);
    }
    for (i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        if (jobs[i].failed) {
            fprintf(stderr, "bench_pdf: a render failed\n");
            return 1;
        }
        total += jobs[i].done;
    }
    all = calloc((size_t)total + 1, sizeof(double));
    for (i = 0; i < threads; i++) {
        long k;
        for (k = 0; k < jobs[i].done && k < jobs[i].cap; k++)
            all[n++] = jobs[i].lat[k];
        free(jobs[i].lat);
    }
    qsort(all, (size_t)n, sizeof(double), cmp);
    printf("BENCH_PDF %ld %.0f %.2f\n", total, total / (now() - start),
           n > 0 ? all[(long)(n * 0.99)] * 1000 : 0.0);
    free(all);
    free(jobs);
    free(tid);
    invqr_pdf_renderers_clear();
    apr_terminate();
    return 0;
}
