/*
 * front_seccomp.c - the seccomp allow-list of the front (trust zone
 * "front").  Everything not listed kills the process.  No open, no
 * socket, no connect, no exec: front only serves descriptors it was given.
 */
#include <stddef.h>

#include <seccomp.h>

#include "front.h"
#include "privdrop.h"

static const int front_syscalls[] = {
	/* event loop and descriptors it was given */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(poll), SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(write),
	SCMP_SYS(writev), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
	SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(close),
	SCMP_SYS(fcntl), SCMP_SYS(ioctl),
	/* HTTP and control listeners */
	SCMP_SYS(accept4), SCMP_SYS(accept), SCMP_SYS(shutdown),
	SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(setsockopt),
	SCMP_SYS(getsockopt),
	/* challenge nonces (libsodium) */
	SCMP_SYS(getrandom),
	/* memory, time, exit */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group),
};

void
front_seccomp(void)
{
	seccomp_install("front", front_syscalls,
	    sizeof(front_syscalls) / sizeof(front_syscalls[0]));
}
