/* watch.c - `sockstate watch`: every interval, one grouped count by local
 * port (the per-state totals come with it), shown as
 *   - on a terminal: the screen redrawn in place, each state with its
 *     change since the last refresh, then the busiest ports;
 *   - otherwise: one plain line appended per refresh.
 * SIGINT or SIGTERM ends it between two refreshes, with exit 0. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _WIN32
#include <io.h>
#define isatty _isatty
#else
#include <unistd.h>
#endif

#include "cli.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* The actions watch replaces while it runs, given back when it ends:
 * the program around cli_main (python -m sockstate) has its own. */
struct saved_signals {
#ifdef _WIN32
	void (*sigint)(int);
	void (*sigterm)(int);
#else
	struct sigaction sigint;
	struct sigaction sigterm;
#endif
};

static void catch_stop_signals(struct saved_signals *saved)
{
	stop_requested = 0;
#ifdef _WIN32
	saved->sigint = signal(SIGINT, on_stop);
	saved->sigterm = signal(SIGTERM, on_stop);
#else
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the signal must cut the sleep short. */
	sigaction(SIGINT, &sa, &saved->sigint);
	sigaction(SIGTERM, &sa, &saved->sigterm);
#endif
}

static void restore_signals(const struct saved_signals *saved)
{
#ifdef _WIN32
	signal(SIGINT, saved->sigint);
	signal(SIGTERM, saved->sigterm);
#else
	sigaction(SIGINT, &saved->sigint, NULL);
	sigaction(SIGTERM, &saved->sigterm, NULL);
#endif
}

/* A growing text buffer, also a sockstate_write_fn. */
struct frame {
	char *buf;
	size_t len, cap;
	int failed;
};

static int frame_write(void *ctx, const char *p, size_t n)
{
	struct frame *f = ctx;

	if (f->len + n + 1 > f->cap) {
		size_t cap = f->cap ? f->cap : 4096;
		char *nb;

		while (cap < f->len + n + 1)
			cap *= 2;
		nb = realloc(f->buf, cap);
		if (!nb) {
			f->failed = 1;
			return SOCKSTATE_ENOMEM;
		}
		f->buf = nb;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	f->buf[f->len] = '\0';
	return 0;
}

static void frame_printf(struct frame *f, const char *fmt, ...) CLI_PRINTF(2, 3);

static void frame_printf(struct frame *f, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n > 0)
		frame_write(f, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

struct watch {
	const struct cli_args *a;
	struct cli_handle_set set;
	int tty;
	int refreshes;
	uint64_t prev[SOCKSTATE_STATE_COUNT];
	uint64_t prev_total;
	uint32_t seen;              /* states shown once stay on screen */
	struct frame frame;
};

static void format_change(char *buf, size_t len, int first, uint64_t now, uint64_t before)
{
	if (first)
		buf[0] = '\0';
	else if (now >= before)
		snprintf(buf, len, "+%llu", (unsigned long long)(now - before));
	else
		snprintf(buf, len, "-%llu", (unsigned long long)(before - now));
}

/* Now in UTC: ISO 8601 for lines, readable for the screen. */
static void utc_now(char *buf, size_t len, int iso)
{
	time_t t = time(NULL);
	struct tm tm;

#ifdef _WIN32
	gmtime_s(&tm, &t);
#else
	gmtime_r(&t, &tm);
#endif
	if (iso)
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* The screen: a title, the states with their change, the busiest ports. */
static int draw_screen(struct watch *w, sockstate_groups *g, const sockstate_counts *c)
{
	sockstate_write_opts wo;
	char when[32], change[32];
	int first = w->refreshes == 0;

	utc_now(when, sizeof when, 0);
	frame_printf(&w->frame, "sockstate watch  every %gs  %s  backend %s  (Ctrl-C quits)\n\n",
	             w->a->interval, when, sockstate_backend(w->set.h[0]));
	frame_printf(&w->frame, "%-13s %10s %8s\n", "State", "Count", "Change");
	for (int s = 0; s < SOCKSTATE_STATE_COUNT; s++) {
		if (!(w->seen & SOCKSTATE_STATE_BIT(s)))
			continue;
		format_change(change, sizeof change, first, c->by_state[s], w->prev[s]);
		frame_printf(&w->frame, "%-13s %10llu %8s\n",
		             sockstate_state_name((sockstate_state)s),
		             (unsigned long long)c->by_state[s], change);
	}
	format_change(change, sizeof change, first, c->total, w->prev_total);
	frame_printf(&w->frame, "%-13s %10llu %8s\n\nBusiest local ports:\n", "TOTAL",
	             (unsigned long long)c->total, change);
	memset(&wo, 0, sizeof wo);
	wo.size = sizeof wo;
	wo.format = SOCKSTATE_FORMAT_TABLE;
	wo.port = -1;
	return sockstate_groups_write(g, w->a->top, NULL, NULL, &wo, frame_write, &w->frame);
}

/* One line: "2026-11-24T22:00:01Z total=130(-2) LISTEN=5(+1) ... ports=8080:100,22:1". */
static void draw_line(struct watch *w, sockstate_groups *g, const sockstate_counts *c)
{
	char when[32], change[32];
	int first = w->refreshes == 0;
	size_t n = sockstate_groups_size(g);

	utc_now(when, sizeof when, 1);
	format_change(change, sizeof change, first, c->total, w->prev_total);
	frame_printf(&w->frame, "%s total=%llu%s%s%s", when, (unsigned long long)c->total,
	             first ? "" : "(", change, first ? "" : ")");
	for (int s = 0; s < SOCKSTATE_STATE_COUNT; s++) {
		if (!(w->seen & SOCKSTATE_STATE_BIT(s)))
			continue;
		format_change(change, sizeof change, first, c->by_state[s], w->prev[s]);
		frame_printf(&w->frame, " %s=%llu%s%s%s", sockstate_state_name((sockstate_state)s),
		             (unsigned long long)c->by_state[s], first ? "" : "(", change,
		             first ? "" : ")");
	}
	frame_printf(&w->frame, " ports=");
	for (size_t i = 0; i < n && i < w->a->top; i++) {
		const sockstate_group *grp = sockstate_groups_get(g, i);
		frame_printf(&w->frame, "%s%u:%llu", i ? "," : "", (unsigned)grp->port,
		             (unsigned long long)grp->total);
	}
	frame_printf(&w->frame, "\n");
}

/* Put the frame on the terminal over the last one: home, each line
 * cleared to its end, the rest of the screen cleared. One write, so the
 * screen never shows half a frame. */
static int show_frame(struct watch *w)
{
	struct frame out = {0};
	const char *p = w->frame.buf ? w->frame.buf : "";
	int rc = 0;

	if (!w->tty) {
		fputs(p, stdout);
	} else {
		frame_write(&out, w->refreshes == 0 ? "\x1b[H\x1b[2J" : "\x1b[H", w->refreshes == 0 ? 7 : 3);
		for (const char *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
			frame_write(&out, p, (size_t)(nl - p));
			frame_write(&out, "\x1b[K\n", 4);
		}
		frame_write(&out, "\x1b[J", 3);
		if (!out.failed)
			fwrite(out.buf, 1, out.len, stdout);
		rc = out.failed ? -1 : 0;
		free(out.buf);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = -1;
	return rc;
}

static int refresh(struct watch *w, struct cli_error *e)
{
	sockstate_groups *g = NULL;
	sockstate_counts c;
	int rc = sockstate_groups_new(SOCKSTATE_GROUP_PORT, &g);

	for (size_t i = 0; rc == SOCKSTATE_OK && i < w->set.n; i++) {
		rc = sockstate_groups_fill(w->set.h[i], &w->a->query, g);
		if (rc != SOCKSTATE_OK)
			cli_library_error(e, "counting sockets", rc, sockstate_errdetail(w->set.h[i]));
	}
	if (rc != SOCKSTATE_OK) {
		if (!g)
			cli_error_set(e, "out of memory");
		sockstate_groups_free(g);
		return cli_exit_code(rc);
	}
	c = *sockstate_groups_totals(g);
	for (int s = 0; s < SOCKSTATE_STATE_COUNT; s++)
		if (c.by_state[s])
			w->seen |= SOCKSTATE_STATE_BIT(s);
	w->frame.len = 0;
	if (w->tty)
		rc = draw_screen(w, g, &c);
	else
		draw_line(w, g, &c);
	sockstate_groups_free(g);
	if (rc != SOCKSTATE_OK || w->frame.failed || show_frame(w) != 0) {
		cli_error_set(e, "watch: cannot write the output");
		return CLI_EXIT_OS;
	}
	memcpy(w->prev, c.by_state, sizeof w->prev);
	w->prev_total = c.total;
	w->refreshes++;
	return CLI_EXIT_OK;
}

int cli_watch(const struct cli_args *a, struct cli_error *e)
{
	struct saved_signals saved;
	struct watch w;
	int code;

	memset(&w, 0, sizeof w);
	w.a = a;
	w.tty = isatty(1);
	code = cli_handles_open(a, &w.set, e);
	if (code != CLI_EXIT_OK)
		return code;
	catch_stop_signals(&saved);
	while (!stop_requested) {
		code = refresh(&w, e);
		if (code != CLI_EXIT_OK)
			break;
		if (!stop_requested)
			cli_sleep(a->interval);
	}
	restore_signals(&saved);
	if (w.tty && code == CLI_EXIT_OK)
		fflush(stdout);
	free(w.frame.buf);
	code = cli_handles_finish(&w.set, code, e);
	cli_handles_close(&w.set);
	return code;
}
