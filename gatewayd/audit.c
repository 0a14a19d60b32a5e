/*
 * audit.c - the audit log (trust zone "parent").  One JSON line per
 * security decision, appended by root to log-dir/audit.log (mode 0600).
 * Each line is written at once (a crash of any process loses none) and
 * synced to the disk within AUDIT_SYNC_MS, one fdatasync for all the
 * lines of that window (group commit: a flood of connects would
 * otherwise cost one disk flush each).  Fields come from typed messages
 * and are escaped by cJSON; no secret value is ever passed here.
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
#include <event2/event.h>

#include "log.h"
#include "parent.h"

#define AUDIT_SYNC_MS	20

static int		 audit_fd = -1;
static struct event	*sync_ev;
static int		 dirty;

static void
sync_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	audit_flush();
}

/* sync what was written; at once at shutdown */
void
audit_flush(void)
{
	if (audit_fd == -1 || !dirty)
		return;
	dirty = 0;
	if (fdatasync(audit_fd) == -1)
		log_warn("audit log sync");
}

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
	else if (!dirty) {
		struct timeval	 tv = { 0, AUDIT_SYNC_MS * 1000 };

		dirty = 1;
		if (sync_ev == NULL && env != NULL && env->base != NULL)
			sync_ev = evtimer_new(env->base, sync_cb, NULL);
		if (sync_ev == NULL || evtimer_add(sync_ev, &tv) == -1)
			audit_flush();	/* no loop yet: now */
	}
	s[len] = '\0';
	cJSON_free(s);
}
