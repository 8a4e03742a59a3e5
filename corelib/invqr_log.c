/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the core's log sink: formats once, checks the level first, and
 * hands the line to whatever the glue (module or worker) installed.
 */
#include <stdarg.h>
#include <stdio.h>

#include "invqr_log.h"

/* Set once at start-up before any thread exists, then only read. */
static invqr_log_fn *log_fn;
static void *log_baton;
static invqr_log_level log_max = INVQR_LOG_NOTICE;

void invqr_log_set(invqr_log_fn *fn, void *baton, invqr_log_level max_level)
{
    log_fn = fn;
    log_baton = baton;
    log_max = max_level;
}

int invqr_log_enabled(invqr_log_level level)
{
    return level <= log_max;
}

void invqr_log(invqr_log_level level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    if (level > log_max)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (log_fn != NULL)
        log_fn(log_baton, level, buf);
    else
        fprintf(stderr, "invqr: %s\n", buf);
}
