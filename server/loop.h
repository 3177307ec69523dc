/* loop.h: netboot-serve's event loop: poll(2) over every socket, and timers. One thread. */
#ifndef NBC_SERVER_LOOP_H
#define NBC_SERVER_LOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct srv_loop;

/* Called when fd is ready; revents as poll(2) reports them. */
typedef void (*srv_fd_cb)(struct srv_loop *l, int fd, short revents, void *ctx);
typedef void (*srv_timer_cb)(struct srv_loop *l, void *ctx);

struct srv_loop *srv_loop_new(void);
/* Frees the loop; does not close the fds still registered. */
void srv_loop_free(struct srv_loop *l);
/* Watches fd for events (POLLIN, POLLOUT). Returns 0, or -1 (out of memory). */
int srv_loop_add(struct srv_loop *l, int fd, short events, srv_fd_cb cb, void *ctx);
/* Changes the events watched on fd. */
void srv_loop_mod(struct srv_loop *l, int fd, short events);
/* Stops watching fd (safe inside a callback, also for fd itself). */
void srv_loop_del(struct srv_loop *l, int fd);
/* Runs cb once, after `after` seconds. Returns a timer id (> 0), or 0 (out of memory). */
uint64_t srv_timer_add(struct srv_loop *l, double after, srv_timer_cb cb, void *ctx);
/* Cancels a timer that has not fired; unknown or fired ids are ignored. */
void srv_timer_cancel(struct srv_loop *l, uint64_t id);
/* Monotonic seconds. */
double srv_now(void);
/* Runs until srv_loop_stop or a signal set by srv_loop_stop_on_signals. Returns 0, or -1 on a poll error. */
int srv_loop_run(struct srv_loop *l);
void srv_loop_stop(struct srv_loop *l);
/* SIGINT/SIGTERM stop the loop (the handler only sets a flag); SIGPIPE is ignored. */
void srv_loop_stop_on_signals(void);

#endif
