// SPDX-License-Identifier: MIT
/* policyd: the oci-policyd daemon. Parses its command line and runs the manager. */
#include <errno.h>
#include <getopt.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "journal.h"
#include "log.h"
#include "manager.h"

static void help(void)
{
	printf("usage: policyd [OPTION]...\n"
	       "Runs the oci-policyd daemon in the foreground: it answers the OCI hooks and\n"
	       "policyctl on a Unix socket, traces learning containers with eBPF and keeps what it\n"
	       "learns in SQLite.\n\n"
	       "  --socket PATH      socket to listen on (env POLICYD_SOCKET; default %s)\n"
	       "  --state-dir DIR    database and artifacts (env POLICYD_STATE_DIR; default %s)\n"
	       "  --config FILE      configuration file (default %s; optional)\n"
	       "  --no-tracer        run without the BPF tracer (runs are recorded, behaviour not)\n"
	       "  --debug            log debug messages\n"
	       "  --version          print the version\n"
	       "  --help             this text\n",
	       POLICYD_DEFAULT_SOCKET, POLICYD_DEFAULT_STATE_DIR, POLICYD_DEFAULT_CONFIG);
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

int main(int argc, char **argv)
{
	enum { OPT_SOCKET = 256, OPT_STATE_DIR, OPT_CONFIG, OPT_NO_TRACER, OPT_DEBUG, OPT_VERSION };
	static const struct option options[] = {
		{"socket", required_argument, NULL, OPT_SOCKET},
		{"state-dir", required_argument, NULL, OPT_STATE_DIR},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"no-tracer", no_argument, NULL, OPT_NO_TRACER},
		{"debug", no_argument, NULL, OPT_DEBUG},
		{"version", no_argument, NULL, OPT_VERSION},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct manager_options opts = {
		.socket_path = env_or("POLICYD_SOCKET", POLICYD_DEFAULT_SOCKET),
		.state_dir = env_or("POLICYD_STATE_DIR", POLICYD_DEFAULT_STATE_DIR),
		/* Tests point this at a missing file to prove the no-BTF path. */
		.btf_path = getenv("POLICYD_BTF_PATH"),
	};
	const char *config = NULL;
	struct manager *m;
	int c, r;

	log_setup("policyd", LOG_LEVEL_INFO);
	journal_setup();
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case OPT_SOCKET:
			opts.socket_path = optarg;
			break;
		case OPT_STATE_DIR:
			opts.state_dir = optarg;
			break;
		case OPT_CONFIG:
			config = optarg;
			break;
		case OPT_NO_TRACER:
			opts.no_tracer = true;
			break;
		case OPT_DEBUG:
			log_setup("policyd", LOG_LEVEL_DEBUG);
			break;
		case OPT_VERSION:
			puts("policyd " POLICYD_VERSION);
			return 0;
		case 'h':
			help();
			return 0;
		default:
			fprintf(stderr, "Try 'policyd --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "policyd: unexpected argument '%s'\nTry 'policyd --help'.\n",
			argv[optind]);
		return 2;
	}
	opts.config_path = config ? config : POLICYD_DEFAULT_CONFIG;
	opts.config_required = config != NULL;
	if (opts.socket_path[0] != '/' || opts.state_dir[0] != '/') {
		log_error("socket path and state directory must be absolute ('%s', '%s')",
			  opts.socket_path, opts.state_dir);
		return 2;
	}

	r = manager_new(&opts, &m);
	if (r < 0)
		return 1;
	r = manager_run(m);
	manager_free(m);
	return r < 0 ? 1 : 0;
}
