// SPDX-License-Identifier: MIT
/* Logging to the journal, with the profile and container as fields, when run by systemd. */
#include <stdio.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

#include "journal.h"
#include "log.h"

static int to_journal(enum log_level level, const char *message, const char *profile,
		      const char *container_id)
{
	static const int priority[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

	/* journalctl -u policyd POLICYD_PROFILE=web, or CONTAINER_ID=... */
	return sd_journal_send("MESSAGE=%s", message, "PRIORITY=%d", priority[level],
			       "SYSLOG_IDENTIFIER=policyd", "POLICYD_PROFILE=%s", profile ? profile : "",
			       "CONTAINER_ID=%s", container_id ? container_id : "", NULL);
}

void journal_setup(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	/* Only when our stderr really is the stream systemd connected to the journal. */
	if (!stream || sscanf(stream, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0 ||
	    st.st_dev != dev || st.st_ino != ino)
		return;
	log_set_backend(to_journal);
}
