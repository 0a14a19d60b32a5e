/*
 * audit.c - the audit log (trust zone "parent").  One JSON line per
 * security decision, appended by root to log-dir/audit.log (mode 0600)
 * and synced.  Fields come from typed messages and are escaped by cJSON;
 * no secret value is ever passed here.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "log.h"
#include "parent.h"

static int	 audit_fd = -1;

void
audit_open(const char *dir)
{
	char	 path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/audit.log", dir) >=
	    sizeof(path))
		fatalx("audit log path too long");
	audit_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (audit_fd == -1)
		fatal("open %s", path);
	if (fchown(audit_fd, 0, 0) == -1 || fchmod(audit_fd, 0600) == -1)
		fatal("fchown/fchmod %s", path);
}

void
audit_write(const char *process, const char *principal, const char *action,
    const char *object, const char *outcome, const char *detail)
{
	cJSON		*o;
	char		*s, tbuf[40];
	struct timespec	 ts;
	struct tm	 tm;
	size_t		 len;

	if (audit_fd == -1)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(tbuf + strlen(tbuf), sizeof(tbuf) - strlen(tbuf), ".%03ldZ",
	    ts.tv_nsec / 1000000);
	if ((o = cJSON_CreateObject()) == NULL)
		fatalx("audit: out of memory");
	cJSON_AddStringToObject(o, "time", tbuf);
	cJSON_AddStringToObject(o, "process", process);
	cJSON_AddStringToObject(o, "principal", principal);
	cJSON_AddStringToObject(o, "action", action);
	cJSON_AddStringToObject(o, "object", object);
	cJSON_AddStringToObject(o, "outcome", outcome);
	if (detail != NULL && detail[0] != '\0')
		cJSON_AddStringToObject(o, "detail", detail);
	if ((s = cJSON_PrintUnformatted(o)) == NULL)
		fatalx("audit: out of memory");
	cJSON_Delete(o);
	len = strlen(s);
	s[len] = '\n';
	if (write(audit_fd, s, len + 1) != (ssize_t)(len + 1))
		log_warn("audit log write");
	else if (fdatasync(audit_fd) == -1)
		log_warn("audit log sync");
	s[len] = '\0';
	cJSON_free(s);
}
