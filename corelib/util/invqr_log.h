/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - logging from the core.
 *
 * The core never writes to a log itself: the module installs a callback that
 * goes to the Apache error log, the workers one that writes timestamped lines
 * to their log file. Messages at notice level and above carry a unique tag
 * ("INVQR0042: ..."); docs/log-tags.md holds the next free number.
 */
#ifndef INVQR_LOG_H
#define INVQR_LOG_H

typedef enum {
    INVQR_LOG_ERR = 3, INVQR_LOG_WARN = 4, INVQR_LOG_NOTICE = 5,
    INVQR_LOG_INFO = 6, INVQR_LOG_DEBUG = 7
} invqr_log_level;

/* The sink: where the line was logged (file and line of the caller), its
 * level, and the formatted text. */
typedef void invqr_log_fn(void *baton, const char *file, int line, invqr_log_level level,
                          const char *msg);

/**
 * Install the sink and the most verbose level that is formatted at all.
 * Call once at start-up, before threads start: the sink is read without lock.
 */
void invqr_log_set(invqr_log_fn *fn, void *baton, invqr_log_level max_level);

/** Whether level would be logged (check before expensive formatting). */
int invqr_log_enabled(invqr_log_level level);

/** Format (capped at 1 KiB) and hand to the sink; stderr when none is set. */
#define invqr_log(level, ...) invqr_log_at(__FILE__, __LINE__, (level), __VA_ARGS__)
void invqr_log_at(const char *file, int line, invqr_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** How long a tag's interval lasts for invqr_log_repeat, in seconds. */
#define INVQR_LOG_REPEAT_SECONDS 10

/**
 * Like invqr_log, for a failure that can repeat once per request (the store
 * or a gateway is down): the first line of a tag in an interval is written,
 * later ones are only counted, and the next line written after the interval
 * ends with how many were left out. Thread-safe (one lock).
 */
#define invqr_log_repeat(level, ...) \
    invqr_log_repeat_at(__FILE__, __LINE__, (level), __VA_ARGS__)
void invqr_log_repeat_at(const char *file, int line, invqr_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/**
 * The decision of invqr_log_repeat, for glue that logs through its own
 * functions (the module's ap_log_rerror): 1 when the line whose text is msg
 * (starting with its tag) is due at time now, with *pleft_out the lines of
 * that tag counted since the last one written; 0 when it is only counted.
 * A line without a tag is always due.
 */
int invqr_log_repeat_due(const char *msg, unsigned long *pleft_out, long long now);

/** Change the interval (and forget every count); for tests. */
void invqr_log_repeat_interval(int seconds);

#endif
