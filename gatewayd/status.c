/*
 * status.c - the process table as JSON for `clawctl status` (trust zone
 * "parent": root reads /proc/<pid>/status of each child itself, so what
 * is shown is what the kernel says, not what a child claims).
 */
#include <sys/types.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/capability.h>

#include <cJSON.h>

#include "log.h"
#include "parent.h"

struct procinfo {
	long		uid;
	uint64_t	cap_eff;
	uint64_t	cap_prm;
	int		nnp;
	int		seccomp;
};

static int
read_procinfo(pid_t pid, struct procinfo *pi)
{
	char	 path[64], line[256];
	FILE	*f;

	memset(pi, 0, sizeof(*pi));
	pi->uid = -1;
	pi->nnp = pi->seccomp = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Uid:", 4) == 0)
			pi->uid = strtol(line + 4, NULL, 10);
		else if (strncmp(line, "CapEff:", 7) == 0)
			pi->cap_eff = strtoull(line + 7, NULL, 16);
		else if (strncmp(line, "CapPrm:", 7) == 0)
			pi->cap_prm = strtoull(line + 7, NULL, 16);
		else if (strncmp(line, "NoNewPrivs:", 11) == 0)
			pi->nnp = (int)strtol(line + 11, NULL, 10);
		else if (strncmp(line, "Seccomp:", 8) == 0)
			pi->seccomp = (int)strtol(line + 8, NULL, 10);
	}
	fclose(f);
	return 0;
}

static void
cap_names(uint64_t set, char *buf, size_t sz)
{
	char	*n;
	int	 c;

	buf[0] = '\0';
	if (set == 0) {
		snprintf(buf, sz, "none");
		return;
	}
	if (__builtin_popcountll(set) > 8) {
		snprintf(buf, sz, "%d capabilities", __builtin_popcountll(set));
		return;
	}
	for (c = 0; c < 64; c++) {
		if ((set & ((uint64_t)1 << c)) == 0)
			continue;
		n = cap_to_name((cap_value_t)c);
		if (n == NULL)
			continue;
		if (buf[0] != '\0')
			strncat(buf, ",", sz - strlen(buf) - 1);
		strncat(buf, strncmp(n, "cap_", 4) == 0 ? n + 4 : n,
		    sz - strlen(buf) - 1);
		cap_free(n);
	}
}

static void
add_proc(cJSON *arr, const char *role, pid_t pid, const char *user,
    long uptime, unsigned restarts, const char *state)
{
	struct procinfo	 pi;
	cJSON		*o;
	char		 hex[24], names[512];

	if ((o = cJSON_CreateObject()) == NULL)
		return;
	cJSON_AddStringToObject(o, "role", role);
	cJSON_AddNumberToObject(o, "pid", pid > 0 ? pid : 0);
	cJSON_AddStringToObject(o, "user", user);
	if (pid > 0 && read_procinfo(pid, &pi) == 0) {
		cJSON_AddNumberToObject(o, "uid", (double)pi.uid);
		snprintf(hex, sizeof(hex), "%016" PRIx64, pi.cap_eff);
		cJSON_AddStringToObject(o, "cap_eff", hex);
		snprintf(hex, sizeof(hex), "%016" PRIx64, pi.cap_prm);
		cJSON_AddStringToObject(o, "cap_prm", hex);
		cap_names(pi.cap_prm, names, sizeof(names));
		cJSON_AddStringToObject(o, "caps", names);
		cJSON_AddNumberToObject(o, "no_new_privs", pi.nnp);
		cJSON_AddNumberToObject(o, "seccomp", pi.seccomp);
		cJSON_AddNumberToObject(o, "uptime", (double)uptime);
	} else {
		cJSON_AddNullToObject(o, "uid");
		cJSON_AddNullToObject(o, "cap_eff");
		cJSON_AddNullToObject(o, "cap_prm");
		cJSON_AddStringToObject(o, "caps", "-");
		cJSON_AddNullToObject(o, "no_new_privs");
		cJSON_AddNullToObject(o, "seccomp");
		cJSON_AddNumberToObject(o, "uptime", 0);
	}
	cJSON_AddNumberToObject(o, "restarts", restarts);
	cJSON_AddStringToObject(o, "state", state);
	cJSON_AddItemToArray(arr, o);
}

static long
secs_since(const struct timespec *t)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t->tv_sec);
}

char *
status_json(struct parent *p)
{
	cJSON		*root, *arr;
	char		*s, boot[CAP_BOOTIDLEN * 2 + 1];
	struct proc	*q;
	int		 r;

	if ((root = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddBoolToObject(root, "ok", 1);
	for (r = 0; r < CAP_BOOTIDLEN; r++)
		snprintf(boot + 2 * r, 3, "%02x", p->key.bootid[r]);
	cJSON_AddStringToObject(root, "boot", boot);
	arr = cJSON_AddArrayToObject(root, "processes");
	add_proc(arr, "parent", getpid(), "root", secs_since(&p->started), 0,
	    "running");
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++) {
		q = &p->procs[r];
		add_proc(arr, role_name(r), q->pid, p->conf.user[r],
		    secs_since(&q->started), q->restarts,
		    proc_state_name(q->state));
	}
	s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return s;
}
