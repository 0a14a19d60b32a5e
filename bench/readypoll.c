/*
 * readypoll.c - poll an HTTP endpoint on 127.0.0.1 until it answers 200,
 * for bench/startup.sh.  Without the fork and exec of a curl per attempt,
 * one attempt costs a connect() (refused at once while nothing listens)
 * or one short HTTP/1.0 exchange, so the first 200 is seen within about
 * INTERVAL_US of the moment the server can give it.
 *
 *	readypoll PORT PATH TIMEOUT_MS [INTERVAL_US [WATCHPID]]
 *
 * On the first 200 it prints "REALTIME_US ATTEMPTS" (microseconds since
 * the epoch, the clock of bash's $EPOCHREALTIME) and exits 0.  Exits 1 on
 * timeout, 2 if WATCHPID is gone or a zombie, 3 on usage errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long
now_us(clockid_t clk)
{
	struct timespec	ts;

	clock_gettime(clk, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* 1 if pid exists and is not a zombie */
static int
alive(long pid)
{
	char	 path[64], buf[512], *p;
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] == '\0')
		return 0;
	return p[2] != 'Z' && p[2] != 'X';
}

/* one attempt: the HTTP status code, or 0 if there was none */
static int
attempt(const struct sockaddr_in *sin, const char *req, size_t reqlen,
    int wait_ms)
{
	char		 buf[64];
	struct pollfd	 pfd;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd, code = 0;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    write(fd, req, reqlen) != (ssize_t)reqlen)
		goto done;
	pfd.fd = fd;
	pfd.events = POLLIN;
	/* "HTTP/1.x NNN" is all we need */
	while (got < 12) {
		if (poll(&pfd, 1, wait_ms) <= 0)
			goto done;
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			goto done;
		got += n;
	}
	buf[got] = '\0';
	if (strncmp(buf, "HTTP/1.", 7) == 0 && buf[8] == ' ')
		code = atoi(buf + 9);
done:
	close(fd);
	return code;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin;
	struct timespec		 ts;
	char			 req[512];
	long long		 start, deadline, t, lastcheck = 0;
	long			 interval_us = 1000, watch = 0, attempts = 0;
	int			 port, timeout_ms, left;
	size_t			 reqlen;

	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: readypoll PORT PATH TIMEOUT_MS "
		    "[INTERVAL_US [WATCHPID]]\n");
		return 3;
	}
	port = atoi(argv[1]);
	timeout_ms = atoi(argv[3]);
	if (argc > 4)
		interval_us = atol(argv[4]);
	if (argc > 5)
		watch = atol(argv[5]);
	if (port <= 0 || port > 65535 || timeout_ms <= 0 || interval_us < 0)
		return 3;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	reqlen = (size_t)snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n"
	    "Host: 127.0.0.1:%d\r\nConnection: close\r\n\r\n", argv[2], port);

	start = now_us(CLOCK_MONOTONIC);
	deadline = start + (long long)timeout_ms * 1000;
	for (;;) {
		t = now_us(CLOCK_MONOTONIC);
		if (t >= deadline)
			return 1;
		if (watch && t - lastcheck >= 20000) {
			if (!alive(watch))
				return 2;
			lastcheck = t;
		}
		left = (int)((deadline - t) / 1000) + 1;
		attempts++;
		if (attempt(&sin, req, reqlen, left < 1000 ? left : 1000)
		    == 200) {
			printf("%lld %ld\n", now_us(CLOCK_REALTIME), attempts);
			return 0;
		}
		if (interval_us > 0) {
			ts.tv_sec = interval_us / 1000000;
			ts.tv_nsec = (interval_us % 1000000) * 1000;
			while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
				;
		}
	}
}
