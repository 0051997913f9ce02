/* SPDX-License-Identifier: MIT */
/* Clocks and timestamp formatting shared by the daemon and the CLI. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Wall-clock milliseconds since the epoch: what the store records. */
int64_t now_realtime_ms(void);
/* Monotonic milliseconds: what deadlines are measured in. */
int64_t now_monotonic_ms(void);
/* Milliseconds left until a monotonic deadline, clamped to [0, INT32_MAX]. */
int deadline_remaining_ms(int64_t deadline);
/* "2026-12-03T13:14:27.123Z"; buf needs 32 bytes. */
const char *format_timestamp(int64_t ms, char *buf, size_t size);
