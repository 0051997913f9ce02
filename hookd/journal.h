/* SPDX-License-Identifier: MIT */
/* Logging to the journal, with the profile and container as fields, when run by systemd. */
#pragma once

/* Switches logging to the journal when stderr is the journal's stream ($JOURNAL_STREAM). */
void journal_setup(void);
