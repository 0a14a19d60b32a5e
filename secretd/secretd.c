/*
 * secretd.c - secretd (trust zone "secretd": uid _clawsec, no
 * capabilities, not dumpable, chrooted to its state directory).  The
 * secret store comes later; for now it holds its LMDB environment, drops
 * privileges, loads its filter and keeps its edges to authd and agentd,
 * which carry no messages yet (anything sent on them is a violation).
 */
#include <limits.h>
#include <stdio.h>

#include <seccomp.h>

#include "child.h"
#include "log.h"
#include "privdrop.h"
#include "state.h"

static struct child	 secretd;

static const int secretd_syscalls[] = {
	/* event loop and its edges */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(poll), SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg), SCMP_SYS(close), SCMP_SYS(fcntl),
	/* memory, time, exit */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group),
};

int
main(void)
{

	log_init("secretd", 1, LOG_LVL_INFO);
	child_setup(&secretd, ROLE_SECRETD);
	if (secretd.have_key)
		fatalx("secretd must not hold the capability key");
	/* opened before the chroot: LMDB keeps its descriptors */
	secretd.db = state_open_child(&secretd.config, 16 * 1024 * 1024);
	if ((secretd.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	child_test_hooks();
	child_drop(&secretd, NULL, 0, 0, 1);
	seccomp_install("secretd", secretd_syscalls,
	    sizeof(secretd_syscalls) / sizeof(secretd_syscalls[0]));
	child_run(&secretd);
}
