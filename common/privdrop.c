/*
 * privdrop.c - privilege drop and seccomp loader for every child process.
 * See privdrop.h for the order; each step is checked and fatal on error.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <linux/securebits.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "privdrop.h"

static int
kept(const struct privdrop *pd, cap_value_t c)
{
	int	 i;

	for (i = 0; i < pd->nkeep; i++)
		if (pd->keep[i] == c)
			return 1;
	return 0;
}

static void
set_rlimit(int res, rlim_t v, const char *name)
{
	struct rlimit	 rl;

	rl.rlim_cur = rl.rlim_max = v;
	if (setrlimit(res, &rl) == -1)
		fatal("setrlimit %s", name);
}

static void
verify_caps(const struct privdrop *pd)
{
	cap_t			 caps;
	cap_flag_value_t	 v;
	cap_value_t		 c, last;

	if ((caps = cap_get_proc()) == NULL)
		fatal("cap_get_proc");
	last = (cap_value_t)cap_max_bits();
	for (c = 0; c < last; c++) {
		if (cap_get_flag(caps, c, CAP_EFFECTIVE, &v) == -1)
			fatal("cap_get_flag");
		if (v == CAP_SET)
			fatalx("capability %d still effective", c);
		if (cap_get_flag(caps, c, CAP_INHERITABLE, &v) == -1)
			fatal("cap_get_flag");
		if (v == CAP_SET)
			fatalx("capability %d still inheritable", c);
		if (cap_get_flag(caps, c, CAP_PERMITTED, &v) == -1)
			fatal("cap_get_flag");
		if ((v == CAP_SET) != kept(pd, c))
			fatalx("capability %d permitted set wrong", c);
		if (CAP_IS_SUPPORTED(c) && cap_get_bound(c) != kept(pd, c))
			fatalx("capability %d bounding set wrong", c);
	}
	cap_free(caps);
}

void
privdrop(const struct privdrop *pd)
{
	cap_value_t	 c, last;
	cap_t		 caps;
	uid_t		 ru, eu, su;
	gid_t		 rg, eg, sg;
	unsigned long	 bits;

	if (pd->uid == 0 || pd->gid == 0)
		fatalx("refusing to run a child as root");
	if (pd->chroot_dir != NULL) {
		if (chroot(pd->chroot_dir) == -1)
			fatal("chroot %s", pd->chroot_dir);
		if (chdir("/") == -1)
			fatal("chdir /");
	}

	last = (cap_value_t)cap_max_bits();
	for (c = 0; c < last; c++)
		if (!kept(pd, c) && CAP_IS_SUPPORTED(c) &&
		    cap_drop_bound(c) == -1)
			fatal("cap_drop_bound %d", c);
	if (cap_reset_ambient() == -1)
		fatal("cap_reset_ambient");
	bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	if (pd->nkeep > 0)
		bits |= SECBIT_KEEP_CAPS;
	if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) == -1)
		fatal("PR_SET_SECUREBITS");

	if (setgroups(0, NULL) == -1)
		fatal("setgroups");
	if (setresgid(pd->gid, pd->gid, pd->gid) == -1)
		fatal("setresgid %u", (unsigned)pd->gid);
	if (setresuid(pd->uid, pd->uid, pd->uid) == -1)
		fatal("setresuid %u", (unsigned)pd->uid);

	/* exactly the declared capabilities, permitted but not effective */
	if ((caps = cap_init()) == NULL)
		fatal("cap_init");
	if (pd->nkeep > 0 && cap_set_flag(caps, CAP_PERMITTED, pd->nkeep,
	    pd->keep, CAP_SET) == -1)
		fatal("cap_set_flag");
	if (cap_set_proc(caps) == -1)
		fatal("cap_set_proc");
	cap_free(caps);
	if (pd->nkeep > 0 && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
		fatal("PR_SET_KEEPCAPS");

	/* verify */
	if (getresuid(&ru, &eu, &su) == -1 || ru != pd->uid || eu != pd->uid ||
	    su != pd->uid)
		fatalx("uid drop did not take");
	if (getresgid(&rg, &eg, &sg) == -1 || rg != pd->gid || eg != pd->gid ||
	    sg != pd->gid)
		fatalx("gid drop did not take");
	if (getgroups(0, NULL) != 0)
		fatalx("supplementary groups remain");
	if (setresuid(0, 0, 0) != -1 || seteuid(0) != -1)
		fatalx("could regain root after dropping privileges");
	if (setresgid(0, 0, 0) != -1 || setegid(0) != -1)
		fatalx("could regain gid 0 after dropping privileges");
	verify_caps(pd);

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("PR_SET_DUMPABLE");
	set_rlimit(RLIMIT_CORE, 0, "RLIMIT_CORE");
	if (pd->nproc_zero)
		set_rlimit(RLIMIT_NPROC, 0, "RLIMIT_NPROC");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("PR_SET_NO_NEW_PRIVS");
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		fatalx("no_new_privs did not take");
}

void
seccomp_install(const char *who, const int *allow, size_t n)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 r;

#ifdef CLAWGATE_SANITIZE
	/* ASan/UBSan runtimes need far more; OpenSSH's CI does the same */
	(void)allow;
	(void)n;
	log_warnx("%s: sanitizer build, seccomp filter not loaded", who);
	return;
#endif
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		fatalx("%s: seccomp_init", who);
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS) != 0)
		fatalx("%s: seccomp bad-arch action", who);
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1) != 0)
		fatalx("%s: seccomp no_new_privs", who);
	for (i = 0; i < n; i++)
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allow[i], 0))
		    != 0)
			fatalx("%s: seccomp_rule_add %d: %s", who, allow[i],
			    strerror(-r));
	if ((r = seccomp_load(ctx)) != 0)
		fatalx("%s: seccomp_load: %s", who, strerror(-r));
	seccomp_release(ctx);
}
