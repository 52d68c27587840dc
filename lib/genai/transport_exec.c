/* transport_exec.c: exec:CMD targets: one child per request, run by
 * /bin/sh -c CMD in its own process group, the prompt (the last user
 * message) written to its stdin, the answer read from its stdout; the whole
 * conversation is in the environment as ASSAY_MESSAGES (JSON, with the
 * system prompt). Exit status 0 is an answer; anything else, or no answer
 * before the timeout (the process group is then killed with SIGKILL), is a
 * failed attempt.
 *
 * All children are multiplexed with poll(2) in the caller's thread. stdin
 * is a socketpair written with MSG_NOSIGNAL, so a child that exits without
 * reading cannot kill the run with SIGPIPE (the library changes no signal
 * dispositions).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target_internal.h"

int rt_exec_start(struct assay_client *c, struct rt_job *j, struct assay_error *err)
{
	int in[2], out[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in))
		return assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot create a pipe: %s",
		                       strerror(errno));
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot create a pipe: %s",
		                       strerror(errno));
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot start the target command: %s",
		                       strerror(errno));
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(in[1], 0);
		dup2(out[1], 1);
		setenv("ASSAY_MESSAGES", j->msgs, 1);
		execl("/bin/sh", "sh", "-c", c->t.url, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(in[1]);
	close(out[1]);
	fcntl(in[0], F_SETFL, O_NONBLOCK);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	j->pid = pid;
	j->fd_in = in[0];
	j->fd_out = out[0];
	j->written = 0;
	j->deadline = j->started + c->t.timeout_s;
	j->next = c->flight;
	c->flight = j;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* the child is done (or killed): reap it and take it off the flight list */
static int reap(struct assay_client *c, struct rt_job *j, int block)
{
	int st = 0;
	pid_t r = waitpid(j->pid, &st, block ? 0 : WNOHANG);
	if (r == 0)
		return 0;
	if (r == j->pid) {
		if (WIFEXITED(st))
			j->status = WEXITSTATUS(st);
		else {
			j->status = 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
			if (!j->transport_error)
				snprintf(j->errbuf, sizeof j->errbuf, "the command was killed by signal %d",
				         WIFSIGNALED(st) ? WTERMSIG(st) : 0);
			j->transport_error = 1;
		}
	}
	j->pid = -1;
	close_fd(&j->fd_in);
	close_fd(&j->fd_out);
	for (struct rt_job **pp = &c->flight; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	j->next = NULL;
	return 1;
}

void rt_exec_kill_all(struct assay_client *c)
{
	while (c->flight) {
		struct rt_job *j = c->flight;
		if (j->pid > 0) {
			kill(-j->pid, SIGKILL);
			reap(c, j, 1);
		} else {
			c->flight = j->next;
		}
		free(j->body);
		free(j->msgs);
		free(j->resp.p);
		free(j);
	}
}

int rt_exec_wait(struct assay_client *c, int timeout_ms, struct rt_job **done, struct assay_error *err)
{
	size_t n = 0;
	for (struct rt_job *j = c->flight; j; j = j->next)
		n++;
	struct pollfd *pf = n ? calloc(2 * n, sizeof *pf) : NULL;
	struct rt_job **who = n ? calloc(2 * n, sizeof *who) : NULL;
	if (n && (!pf || !who)) {
		free(pf);
		free(who);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	double now = rt_now();
	size_t k = 0;
	int ms = timeout_ms;
	for (struct rt_job *j = c->flight; j; j = j->next) {
		int left = (int)((j->deadline - now) * 1000) + 1;
		if (left < ms)
			ms = left < 0 ? 0 : left;
		if (j->fd_in >= 0) {
			pf[k] = (struct pollfd){j->fd_in, POLLOUT, 0};
			who[k++] = j;
		}
		if (j->fd_out >= 0) {
			pf[k] = (struct pollfd){j->fd_out, POLLIN, 0};
			who[k++] = j;
		} else if (ms > 10) {
			ms = 10; /* stdout closed, waiting for the exit status */
		}
	}
	if (k || ms > 0)
		poll(pf, k, ms);
	for (size_t i = 0; i < k; i++) {
		struct rt_job *j = who[i];
		if (!pf[i].revents)
			continue;
		if (pf[i].fd == j->fd_in) {
			size_t len = strlen(j->body);
			ssize_t w = len > j->written
			                ? send(j->fd_in, j->body + j->written, len - j->written, MSG_NOSIGNAL)
			                : 0;
			if (w > 0)
				j->written += (size_t)w;
			if (j->written >= len || (w < 0 && errno != EAGAIN)) {
				shutdown(j->fd_in, SHUT_WR);
				close_fd(&j->fd_in);
			}
		} else {
			char buf[16384];
			ssize_t r;
			while ((r = read(j->fd_out, buf, sizeof buf)) > 0)
				if (rt_buf_put(&j->resp, buf, (size_t)r)) {
					free(pf);
					free(who);
					return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0,
					                       "out of memory");
				}
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
				close_fd(&j->fd_out);
		}
	}
	free(pf);
	free(who);
	now = rt_now();
	struct rt_job *tail = NULL;
	for (struct rt_job *j = c->flight, *next; j; j = next) {
		next = j->next;
		int fin = 0;
		if (now >= j->deadline) {
			kill(-j->pid, SIGKILL);
			j->transport_error = 1;
			snprintf(j->errbuf, sizeof j->errbuf, "no answer within %g s; the command was killed",
			         c->t.timeout_s);
			fin = reap(c, j, 1);
		} else if (j->fd_out < 0) {
			fin = reap(c, j, 0);
		}
		if (fin) {
			if (tail)
				tail->next = j;
			else
				*done = j;
			tail = j;
		}
	}
	return 0;
}
