/*
 * gatewayd.c - entry point of gatewayd: option parsing, `-n` config check,
 * then the root parent (trust zone "parent") or, when re-executed by the
 * parent with -P front, the network front end (trust zone "front").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gatewayd.h"
#include "log.h"

static void __attribute__((noreturn))
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: gatewayd [-dhnv] [-f file]\n"
	    "  -d       stay in the foreground and log to stderr\n"
	    "  -f file  boot configuration (default %s)\n"
	    "  -h       show this help\n"
	    "  -n       check the configuration, print it normalized, exit\n"
	    "  -v       verbose: log level debug\n", CONF_DEFAULT);
	exit(code);
}

int
main(int argc, char *argv[])
{
	struct gwconf	 conf;
	const char	*file = CONF_DEFAULT, *role = NULL;
	int		 ch, debug = 0, check = 0, verbose = 0;

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		usage(0);
	while ((ch = getopt(argc, argv, "df:hnvP:")) != -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'h':
			usage(0);
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'P':
			role = optarg;
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (role != NULL) {
		if (strcmp(role, "front") != 0) {
			fprintf(stderr, "gatewayd: unknown role %s\n", role);
			exit(2);
		}
		front_main();
	}
	if (conf_parse(file, &conf, geteuid() == 0) == -1) {
		fprintf(stderr, "gatewayd: %s: configuration invalid\n", file);
		exit(1);
	}
	if (check) {
		conf_print(stdout, &conf);
		exit(0);
	}
	parent_main(&conf, debug, verbose);
}
