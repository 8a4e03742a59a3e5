/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the core's log sink: formats once, checks the level first, and
 * hands the line to whatever the glue (module or worker) installed.
 *
 * Lines that can come once per request while something is down (the store,
 * the SMS gateway) go through invqr_log_repeat: the first of a tag in an
 * interval is written, the others are only counted, and the next one
 * written says how many were left out. An outage costs a line per tag and
 * interval, not a line per request.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "invqr_log.h"

/* Set once at start-up before any thread exists, then only read. */
static invqr_log_fn *log_fn;
static void *log_baton;
static invqr_log_level log_max = INVQR_LOG_NOTICE;

/* The tags seen lately, under one lock. A tag is "INVQRnnnn". */
#define REPEAT_SLOTS 32
#define TAG_LEN 9
typedef struct {
    char tag[TAG_LEN + 1];
    time_t since;               /* start of this tag's interval */
    unsigned long left_out;     /* lines counted, not written, since then */
} repeat_slot_t;

static pthread_mutex_t repeat_lock = PTHREAD_MUTEX_INITIALIZER;
static repeat_slot_t repeat_slots[REPEAT_SLOTS];
static int repeat_seconds = INVQR_LOG_REPEAT_SECONDS;

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

static void emit(const char *file, int line, invqr_log_level level, const char *text)
{
    if (log_fn != NULL)
        log_fn(log_baton, file, line, level, text);
    else
        fprintf(stderr, "invqr: %s\n", text);
}

void invqr_log_at(const char *file, int line, invqr_log_level level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    if (level > log_max)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    emit(file, line, level, buf);
}

static int tag_of(char out[TAG_LEN + 1], const char *msg)
{
    int i;

    if (strncmp(msg, "INVQR", 5) != 0)
        return 0;
    for (i = 5; i < TAG_LEN; i++)
        if (msg[i] < '0' || msg[i] > '9')
            return 0;
    memcpy(out, msg, TAG_LEN);
    out[TAG_LEN] = '\0';
    return 1;
}

int invqr_log_repeat_due(const char *msg, unsigned long *pleft_out, long long now)
{
    char tag[TAG_LEN + 1];
    repeat_slot_t *slot = NULL, *oldest = &repeat_slots[0];
    int i, due = 1;

    *pleft_out = 0;
    if (!tag_of(tag, msg))
        return 1;
    pthread_mutex_lock(&repeat_lock);
    for (i = 0; i < REPEAT_SLOTS; i++) {
        if (strcmp(repeat_slots[i].tag, tag) == 0) {
            slot = &repeat_slots[i];
            break;
        }
        if (repeat_slots[i].since < oldest->since)
            oldest = &repeat_slots[i];
    }
    if (slot != NULL && now >= slot->since && now - slot->since < repeat_seconds) {
        slot->left_out++;
        due = 0;
    }
    else {
        if (slot == NULL) {
            slot = oldest;   /* a forgotten count is only a count */
            memcpy(slot->tag, tag, sizeof(slot->tag));
            slot->left_out = 0;
        }
        *pleft_out = slot->left_out;
        slot->since = (time_t)now;
        slot->left_out = 0;
    }
    pthread_mutex_unlock(&repeat_lock);
    return due;
}

void invqr_log_repeat_interval(int seconds)
{
    pthread_mutex_lock(&repeat_lock);
    repeat_seconds = seconds;
    memset(repeat_slots, 0, sizeof(repeat_slots));
    pthread_mutex_unlock(&repeat_lock);
}

void invqr_log_repeat_at(const char *file, int line, invqr_log_level level, const char *fmt, ...)
{
    char buf[1024];
    unsigned long left_out = 0;
    size_t n;
    va_list ap;

    if (level > log_max)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (!invqr_log_repeat_due(buf, &left_out, (long long)time(NULL)))
        return;
    n = strlen(buf);
    if (left_out > 0 && n < sizeof(buf))
        snprintf(buf + n, sizeof(buf) - n, " (%lu more like this in the previous interval)",
                 left_out);
    emit(file, line, level, buf);
}
