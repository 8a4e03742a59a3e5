/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - times shown to people: Unix seconds to the local calendar. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "invqr_when.h"

static void local(struct tm *tm, long long t)
{
    time_t tt = (time_t)t;

    if (localtime_r(&tt, tm) == NULL) {
        tt = 0;
        gmtime_r(&tt, tm);
    }
}

/* strftime into out, or a string of the same shape that says nothing when
 * the time cannot be shown (a year past 9999). */
static void show(char *out, size_t cap, const char *format, const struct tm *tm,
                 const char *nothing)
{
    if (tm->tm_year + 1900 > 9999 || tm->tm_year + 1900 < 0 || strftime(out, cap, format, tm) == 0)
        snprintf(out, cap, "%s", nothing);
}

void invqr_when_day(char out[11], long long t)
{
    struct tm tm;

    local(&tm, t);
    show(out, 11, "%Y-%m-%d", &tm, "----------");
}

void invqr_when_minute(char out[17], long long t)
{
    struct tm tm;

    local(&tm, t);
    show(out, 17, "%Y-%m-%d %H:%M", &tm, "---------- --:--");
}

void invqr_when_hhmm(char out[6], long long t)
{
    struct tm tm;

    local(&tm, t);
    show(out, 6, "%H:%M", &tm, "--:--");
}

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian;
 * H. Hinnant's algorithms). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    long era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, long *py, unsigned *pm, unsigned *pd)
{
    long era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *pd = doy - (153 * mp + 2) / 5 + 1;
    *pm = mp < 10 ? mp + 3 : mp - 9;
    *py = (long)yoe + era * 400 + (*pm <= 2);
}

static long local_day_number(long long t)
{
    struct tm tm;

    local(&tm, t);
    return days_from_civil(tm.tm_year + 1900L, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

int invqr_when_expired(long long issued, int max_days, long long now)
{
    return max_days > 0 && local_day_number(now) > local_day_number(issued) + max_days;
}

void invqr_when_lifetime(char last_day[11], int *pexpired, int *pdays_left, long long issued,
                         int max_days, long long now)
{
    long last, today, y;
    unsigned m, d;

    if (max_days <= 0) {
        last_day[0] = '\0';
        *pexpired = 0;
        *pdays_left = -1;
        return;
    }
    last = local_day_number(issued) + max_days;
    today = local_day_number(now);
    civil_from_days(last, &y, &m, &d);
    {
        struct tm tm = { 0 };

        tm.tm_year = (int)(y - 1900);
        tm.tm_mon = (int)m - 1;
        tm.tm_mday = (int)d;
        show(last_day, 11, "%Y-%m-%d", &tm, "----------");
    }
    *pexpired = today > last;
    *pdays_left = (int)(last - today);
}
