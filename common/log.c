/*
 * log.c - logging for every clawgate process (all trust zones).
 * See log.h.  Lines are bounded (LOG_MAXLINE) and stripped of control
 * characters so that nothing a peer sends can forge a log line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_MAXLINE	1024

static const char	*procname = "clawgate";
static int		 use_stderr = 1;
static int		 verbosity = LOG_LVL_INFO;
static log_sink_fn	 sink;

void
log_init(const char *name, int to_stderr, int level)
{
	procname = name;
	use_stderr = to_stderr;
	verbosity = level;
	if (!to_stderr)
		openlog(name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setlevel(int level)
{
	verbosity = level;
}

int
log_getlevel(void)
{
	return verbosity;
}

void
log_setsink(log_sink_fn fn)
{
	sink = fn;
}

const char *
log_procname(void)
{
	return procname;
}

int
log_level_parse(const char *s)
{
	if (strcmp(s, "warning") == 0)
		return LOG_LVL_WARN;
	if (strcmp(s, "info") == 0)
		return LOG_LVL_INFO;
	if (strcmp(s, "debug") == 0)
		return LOG_LVL_DEBUG;
	return -1;
}

const char *
log_level_name(int level)
{
	switch (level) {
	case LOG_LVL_WARN:
		return "warning";
	case LOG_LVL_DEBUG:
		return "debug";
	default:
		return "info";
	}
}

void
log_emit(int level, const char *line)
{
	char		 clean[LOG_MAXLINE];
	size_t		 i;
	struct timespec	 ts;
	struct tm	 tm;
	char		 tbuf[32];

	if (level > verbosity)
		return;
	for (i = 0; line[i] != '\0' && i < sizeof(clean) - 1; i++)
		clean[i] = (line[i] < 0x20 || line[i] == 0x7f) ? '?' : line[i];
	clean[i] = '\0';

	if (sink != NULL) {
		sink(level, clean);
		return;
	}
	if (use_stderr) {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ %s[%d]: %s\n", tbuf,
		    ts.tv_nsec / 1000000, procname, (int)getpid(), clean);
		fflush(stderr);
	} else
		syslog(level == LOG_LVL_WARN ? LOG_WARNING :
		    level == LOG_LVL_DEBUG ? LOG_DEBUG : LOG_INFO, "%s", clean);
}

static void
vlog(int level, int with_errno, const char *fmt, va_list ap)
{
	char		 line[LOG_MAXLINE];
	const char	*e;
	size_t		 n, m;
	int		 saved = errno;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (with_errno) {
		e = strerror(saved);
		n = strlen(line);
		m = strlen(e);
		if (n + 2 + m < sizeof(line)) {
			memcpy(line + n, ": ", 2);
			memcpy(line + n + 2, e, m + 1);
		}
	}
	log_emit(level, line);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
