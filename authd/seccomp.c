/*
 * seccomp.c - the seccomp allow-list of authd (trust zone "authd").
 * No open, no socket, no connect, no exec: authd works on the messages
 * and descriptors it is given.
 */
#include <stddef.h>

#include <seccomp.h>

#include "authd.h"
#include "privdrop.h"

static const int authd_syscalls[] = {
	/* event loop and its edges */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(poll), SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg), SCMP_SYS(close), SCMP_SYS(fcntl),
	/* credentials of a control client (SO_PEERCRED, SO_PEERGROUPS) */
	SCMP_SYS(getsockopt), SCMP_SYS(getsockname),
	/* LMDB commits (tokens) */
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
authd_seccomp(void)
{
	seccomp_install("authd", authd_syscalls,
	    sizeof(authd_syscalls) / sizeof(authd_syscalls[0]));
}
