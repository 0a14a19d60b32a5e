/*
 * execd.c - execd (trust zone "execd": uid _clawexec).  The sandbox comes
 * later; for now it keeps its LMDB environment, drops to its user keeping
 * only the capabilities it will need to build sandboxes (CAP_SETUID,
 * CAP_SETGID, CAP_SYS_ADMIN) in its permitted set, none effective, and
 * loads its filter.  It is not chrooted: building sandboxes needs the
 * runtime images.  Code execution is off: nothing runs.
 */
#include <seccomp.h>

#include "child.h"
#include "log.h"
#include "privdrop.h"
#include "state.h"

static struct child	 execd;

static const cap_value_t execd_caps[] = { CAP_SETGID, CAP_SETUID,
    CAP_SYS_ADMIN };

static const int execd_syscalls[] = {
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

	log_init("execd", 1, LOG_LVL_INFO);
	child_setup(&execd, ROLE_EXECD);
	if (!execd.have_key)
		fatalx("no capability key from the parent");
	execd.db = state_open_child(&execd.config, 16 * 1024 * 1024);
	if ((execd.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	child_test_hooks();
	child_drop(&execd, execd_caps, sizeof(execd_caps) /
	    sizeof(execd_caps[0]), 0, 0);
	seccomp_install("execd", execd_syscalls,
	    sizeof(execd_syscalls) / sizeof(execd_syscalls[0]));
	child_run(&execd);
}
