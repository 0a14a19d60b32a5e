/*
 * seccomp.c - the seccomp allow-list of agentd (trust zone "agentd").
 * Outbound network (socket, connect) comes with the model providers;
 * until then agentd opens nothing and writes only its edges and its LMDB
 * environment (the config store).
 */
#include <stddef.h>

#include <seccomp.h>

#include "agentd.h"
#include "privdrop.h"

static const int agentd_syscalls[] = {
	/* event loop and its edges */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(poll), SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg), SCMP_SYS(close), SCMP_SYS(fcntl),
	/* LMDB commits (the config store) */
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(lseek),
	SCMP_SYS(writev), SCMP_SYS(fdatasync), SCMP_SYS(msync),
	/* randomness for libsodium */
	SCMP_SYS(getrandom),
	/* memory, time, exit */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group),
};

void
agentd_seccomp(void)
{
	seccomp_install("agentd", agentd_syscalls,
	    sizeof(agentd_syscalls) / sizeof(agentd_syscalls[0]));
}
