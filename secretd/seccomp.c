/*
 * seccomp.c - the seccomp allow-list of secretd (trust zone "secretd").
 * No open, no socket, no connect, no exec: files and commands come from
 * the parent as descriptors.
 */
#include <stddef.h>

#include <seccomp.h>

#include "privdrop.h"
#include "secretd.h"

static const int secretd_syscalls[] = {
	/* event loop and its edges */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(poll), SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg), SCMP_SYS(close), SCMP_SYS(fcntl),
	/* an exec provider's socket: the request, then half-close */
	SCMP_SYS(sendto), SCMP_SYS(shutdown),
	/* the vault's commits */
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(lseek),
	SCMP_SYS(writev), SCMP_SYS(fdatasync), SCMP_SYS(msync),
	/* libsodium: randomness, guarded and locked memory */
	SCMP_SYS(getrandom), SCMP_SYS(mprotect), SCMP_SYS(mlock),
	SCMP_SYS(munlock), SCMP_SYS(madvise),
	/* memory, time, exit */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(futex), SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group),
};

void
secretd_seccomp(void)
{
	seccomp_install("secretd", secretd_syscalls,
	    sizeof(secretd_syscalls) / sizeof(secretd_syscalls[0]));
}
