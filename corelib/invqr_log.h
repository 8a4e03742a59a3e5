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

typedef void invqr_log_fn(void *baton, invqr_log_level level, const char *msg);

/**
 * Install the sink and the most verbose level that is formatted at all.
 * Call once at start-up, before threads start: the sink is read without lock.
 */
void invqr_log_set(invqr_log_fn *fn, void *baton, invqr_log_level max_level);

/** Whether level would be logged (check before expensive formatting). */
int invqr_log_enabled(invqr_log_level level);

/** Format (capped at 1 KiB) and hand to the sink; stderr when none is set. */
void invqr_log(invqr_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
