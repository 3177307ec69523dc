/* loop.c: netboot-serve's event loop: poll(2) over every socket, and timers. One thread. */
#include "server/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct watch {
	int fd;
	short events;
	srv_fd_cb cb;
	void *ctx;
	bool dead;		/* removed during a dispatch; compacted afterwards */
};

struct timer {
	uint64_t id;
	double at;
	srv_timer_cb cb;
	void *ctx;
};

struct srv_loop {
	struct watch *w;
	size_t nw;
	size_t capw;
	struct timer *t;	/* unsorted; timers are few (one per transfer at most) */
	size_t nt;
	size_t capt;
	uint64_t next_id;
	bool stop;
	struct pollfd *pfd;
	size_t cappfd;
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

void srv_loop_stop_on_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

double srv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct srv_loop *srv_loop_new(void)
{
	struct srv_loop *l = calloc(1, sizeof(*l));

	if (l)
		l->next_id = 1;
	return l;
}

void srv_loop_free(struct srv_loop *l)
{
	if (!l)
		return;
	free(l->w);
	free(l->t);
	free(l->pfd);
	free(l);
}

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *n;

	if (need <= *cap)
		return true;
	nc = *cap ? *cap * 2 : 16;
	while (nc < need)
		nc *= 2;
	n = realloc(*arr, nc * elem);
	if (!n)
		return false;
	*arr = n;
	*cap = nc;
	return true;
}

int srv_loop_add(struct srv_loop *l, int fd, short events, srv_fd_cb cb, void *ctx)
{
	if (!grow((void **)&l->w, &l->capw, l->nw + 1, sizeof(*l->w)))
		return -1;
	l->w[l->nw].fd = fd;
	l->w[l->nw].events = events;
	l->w[l->nw].cb = cb;
	l->w[l->nw].ctx = ctx;
	l->w[l->nw].dead = false;
	l->nw++;
	return 0;
}

void srv_loop_mod(struct srv_loop *l, int fd, short events)
{
	for (size_t i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd && !l->w[i].dead)
			l->w[i].events = events;
}

void srv_loop_del(struct srv_loop *l, int fd)
{
	for (size_t i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd)
			l->w[i].dead = true;
}

uint64_t srv_timer_add(struct srv_loop *l, double after, srv_timer_cb cb, void *ctx)
{
	if (!grow((void **)&l->t, &l->capt, l->nt + 1, sizeof(*l->t)))
		return 0;
	l->t[l->nt].id = l->next_id++;
	l->t[l->nt].at = srv_now() + after;
	l->t[l->nt].cb = cb;
	l->t[l->nt].ctx = ctx;
	return l->t[l->nt++].id;
}

void srv_timer_cancel(struct srv_loop *l, uint64_t id)
{
	for (size_t i = 0; i < l->nt; i++)
		if (l->t[i].id == id) {
			l->t[i] = l->t[--l->nt];
			return;
		}
}

void srv_loop_stop(struct srv_loop *l)
{
	l->stop = true;
}

static void compact(struct srv_loop *l)
{
	size_t k = 0;

	for (size_t i = 0; i < l->nw; i++)
		if (!l->w[i].dead)
			l->w[k++] = l->w[i];
	l->nw = k;
}

/* Fires every timer that is due (a callback may add or cancel timers). */
static void run_timers(struct srv_loop *l)
{
	double now = srv_now();

	for (;;) {
		size_t due = l->nt;

		for (size_t i = 0; i < l->nt; i++)
			if (l->t[i].at <= now && (due == l->nt || l->t[i].at < l->t[due].at))
				due = i;
		if (due == l->nt)
			return;
		{
			struct timer t = l->t[due];

			l->t[due] = l->t[--l->nt];
			t.cb(l, t.ctx);
		}
	}
}

static int next_timeout_ms(const struct srv_loop *l)
{
	double now = srv_now();
	double soonest = -1;

	for (size_t i = 0; i < l->nt; i++)
		if (soonest < 0 || l->t[i].at < soonest)
			soonest = l->t[i].at;
	if (soonest < 0)
		return 1000;	/* wake now and then to notice signals */
	if (soonest <= now)
		return 0;
	return (int)((soonest - now) * 1000.0) + 1;
}

int srv_loop_run(struct srv_loop *l)
{
	l->stop = false;
	while (!l->stop && !got_signal) {
		size_t n;
		int rc;

		compact(l);
		n = l->nw;
		if (!grow((void **)&l->pfd, &l->cappfd, n + 1, sizeof(*l->pfd)))
			return -1;
		for (size_t i = 0; i < n; i++) {
			l->pfd[i].fd = l->w[i].fd;
			l->pfd[i].events = l->w[i].events;
			l->pfd[i].revents = 0;
		}
		rc = poll(l->pfd, (nfds_t)n, next_timeout_ms(l));
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (size_t i = 0; i < n && !l->stop; i++) {
			/* The watch array may grow in a callback: index, do not hold pointers. */
			if (!l->pfd[i].revents || l->w[i].dead || l->w[i].fd != l->pfd[i].fd)
				continue;
			l->w[i].cb(l, l->w[i].fd, l->pfd[i].revents, l->w[i].ctx);
		}
		run_timers(l);
	}
	return 0;
}
