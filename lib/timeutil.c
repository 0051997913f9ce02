// SPDX-License-Identifier: MIT
/* Clocks and timestamp formatting shared by the daemon and the CLI. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "timeutil.h"

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t now_realtime_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

int64_t now_monotonic_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

int deadline_remaining_ms(int64_t deadline)
{
	int64_t left = deadline - now_monotonic_ms();

	if (left < 0)
		return 0;
	if (left > INT32_MAX)
		return INT32_MAX;
	return (int)left;
}

const char *format_timestamp(int64_t ms, char *buf, size_t size)
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	char date[24];

	if (!gmtime_r(&sec, &tm) || strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(buf, size, "?");
		return buf;
	}
	snprintf(buf, size, "%s.%03dZ", date, (int)(ms % 1000));
	return buf;
}
