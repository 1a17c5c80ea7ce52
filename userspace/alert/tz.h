/* SPDX-License-Identifier: MIT */
/*
 * tz.h - local time in a named time zone without touching TZ/tzset (which is
 * process-global and not thread-safe): reads the TZif file from
 * /usr/share/zoneinfo (or $TZDIR) once, then converts UTC instants.
 */
#ifndef VIGIL_ALERT_TZ_H
#define VIGIL_ALERT_TZ_H

#include <stdint.h>
#include <time.h>

struct tz;

/* "UTC", "Europe/Berlin", ...; NULL with a message in err on failure. */
struct tz *tz_load(const char *name, char *err, size_t errlen);
void tz_free(struct tz *tz);
/* UTC offset in seconds at instant t. */
long tz_offset(const struct tz *tz, time_t t);
/* Broken-down local time at t in tz (tm_wday 0 = Sunday). */
void tz_localtime(const struct tz *tz, time_t t, struct tm *out);

#endif
