/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - times shown to people.
 *
 * The store keeps instants (TIMESTAMP columns) and compares them in UTC: every
 * connection's session time zone is +00:00, so a limit's window or an OTP's
 * validity never depends on the server's zone or on a change of daylight
 * saving time. Statements hand instants over as Unix seconds, and only here
 * do they become a day or a time on the local calendar: the process's TZ
 * (the worker sets Europe/Rome unless told otherwise).
 */
#ifndef INVQR_WHEN_H
#define INVQR_WHEN_H

/** The local day of t: "YYYY-MM-DD". */
void invqr_when_day(char out[11], long long t);

/** The local minute of t: "YYYY-MM-DD HH:MM". */
void invqr_when_minute(char out[17], long long t);

/** The local time of day of t: "HH:MM". */
void invqr_when_hhmm(char out[6], long long t);

/**
 * The life of a code issued at `issued` when codes live max_days days (0:
 * no maximum lifetime), seen at `now`. A code is valid through its local
 * issue day + max_days. Sets last_day ("YYYY-MM-DD", or "" when there is no
 * lifetime), *pexpired (that day is over) and *pdays_left (days from today
 * to that day: 0 on the last day, negative once expired; -1 and not expired
 * when there is no lifetime).
 */
void invqr_when_lifetime(char last_day[11], int *pexpired, int *pdays_left, long long issued,
                         int max_days, long long now);

/** Only whether a code issued at `issued` has expired at `now` (as above). */
int invqr_when_expired(long long issued, int max_days, long long now);

#endif
