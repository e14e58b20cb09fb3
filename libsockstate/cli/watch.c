/* watch.c - `sockstate watch`: every interval, one grouped count by local
 * port (the per-state totals come with it), shown as
 *   - on a terminal: the screen redrawn in place, fitted to the
 *     terminal's size (read at each refresh; a resize, SIGWINCH, redraws
 *     at once): a title with the active filters, each state with its
 *     change since the last refresh, then as many of the busiest ports as
 *     fit; no line is wider than the terminal and the last one ends
 *     without a newline, so nothing ever scrolls; colour unless NO_COLOR
 *     is set (https://no-color.org) or TERM is "dumb";
 *   - otherwise (a pipe, a file, TERM=dumb): one plain line per refresh.
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
#include <windows.h>
#define isatty _isatty
#else
#include <sys/ioctl.h>
#include <unistd.h>
#endif

#include "cli.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

#ifndef _WIN32
static volatile sig_atomic_t resized;

static void on_resize(int sig)
{
	(void)sig;
	resized = 1;
}
#endif

/* The actions watch replaces while it runs, given back when it ends:
 * the program around cli_main (python -m sockstate) has its own. */
struct saved_signals {
#ifdef _WIN32
	void (*sigint)(int);
	void (*sigterm)(int);
#else
	struct sigaction sigint;
	struct sigaction sigterm;
	struct sigaction sigwinch;
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
	resized = 0;
	sa.sa_handler = on_resize;
	sigaction(SIGWINCH, &sa, &saved->sigwinch);
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
	sigaction(SIGWINCH, &saved->sigwinch, NULL);
#endif
}

/* Whether the terminal was resized since the last call. */
static int take_resize(void)
{
#ifdef _WIN32
	return 0;       /* no SIGWINCH: the size is read at every refresh */
#else
	int was = resized != 0;
	resized = 0;
	return was;
#endif
}

/* The terminal's size on standard output; 24 x 80 when it will not say. */
static void terminal_size(size_t *rows, size_t *cols)
{
	*rows = 24;
	*cols = 80;
#ifdef _WIN32
	CONSOLE_SCREEN_BUFFER_INFO info;

	if (GetConsoleScreenBufferInfo(GetStdHandle(STD_OUTPUT_HANDLE), &info)) {
		*rows = (size_t)(info.srWindow.Bottom - info.srWindow.Top + 1);
		*cols = (size_t)(info.srWindow.Right - info.srWindow.Left + 1);
	}
#else
	struct winsize ws;

	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
#endif
}

/* SGR sequences, or "" each when colour is off. */
struct palette {
	const char *title;      /* the title bar */
	const char *heading;    /* column headings, section titles */
	const char *up;         /* a positive change */
	const char *down;       /* a negative change */
	const char *reset;
};

static const struct palette no_colour = {"", "", "", "", ""};
static const struct palette ansi_colour = {"\x1b[7m", "\x1b[1m", "\x1b[32m",
                                           "\x1b[31m", "\x1b[m"};

/* Redraw in place on a terminal, unless TERM says it cannot move the
 * cursor. */
static int screen_capable(void)
{
	const char *term = getenv("TERM");

	return isatty(1) && !(term != NULL && strcmp(term, "dumb") == 0);
}

/* Colour as https://no-color.org asks: never when NO_COLOR is set and
 * not empty. */
static int colour_wanted(void)
{
	const char *no_colour_env = getenv("NO_COLOR");

	return no_colour_env == NULL || no_colour_env[0] == '\0';
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
	const struct palette *colour;
	char filters[512];          /* the active filters, as options */
	size_t rows, cols;          /* the terminal's size at this refresh */
	int refreshes;
	uint64_t prev[SOCKSTATE_STATE_COUNT];
	uint64_t prev_total;
	uint32_t seen;              /* states shown once stay on screen */
	struct frame frame;
};

/* ---- the active filters, written back as the options that set them ---- */

static void add_word(char *buf, size_t len, const char *word)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used ? " " : "", word);
}

static void add_number(char *buf, size_t len, const char *option, long long v)
{
	char word[48];

	snprintf(word, sizeof word, "%s %lld", option, v);
	add_word(buf, len, word);
}

static void add_prefix(char *buf, size_t len, const char *option,
                       const sockstate_prefix *p)
{
	sockstate_endpoint ep;
	char addr[64], word[96];
	int full = p->family == SOCKSTATE_FAMILY_IPV4 ? 32 : 128;

	if (p->family == 0)
		return;
	memset(&ep, 0, sizeof ep);
	memcpy(ep.addr, p->addr, sizeof ep.addr);
	if (sockstate_endpoint_format((sockstate_family)p->family, &ep, addr, sizeof addr) < 0)
		return;
	if (p->bits == full)
		snprintf(word, sizeof word, "%s %s", option, addr);
	else
		snprintf(word, sizeof word, "%s %s/%u", option, addr, (unsigned)p->bits);
	add_word(buf, len, word);
}

static void describe_filters(const struct cli_args *a, char *buf, size_t len)
{
	const sockstate_query *q = &a->query;
	char printable[128];

	buf[0] = '\0';
	if (q->states == SOCKSTATE_STATES_ALL) {
		add_word(buf, len, "--state all");
	} else if (q->states != 0 && q->states != SOCKSTATE_STATES_DEFAULT) {
		char list[256] = "--state ";
		const char *sep = "";

		/* In the writers' order: UNKNOWN (0) last. */
		for (int i = 1; i <= SOCKSTATE_STATE_COUNT; i++) {
			sockstate_state st = (sockstate_state)(i % SOCKSTATE_STATE_COUNT);
			size_t used = strlen(list);

			if (!(q->states & SOCKSTATE_STATE_BIT(st)))
				continue;
			snprintf(list + used, sizeof list - used, "%s%s", sep,
			         sockstate_state_name(st));
			sep = ",";
		}
		add_word(buf, len, list);
	}
	if (q->families == 1u << SOCKSTATE_FAMILY_IPV4)
		add_word(buf, len, "-4");
	if (q->families == 1u << SOCKSTATE_FAMILY_IPV6)
		add_word(buf, len, "-6");
	if (q->port >= 0)
		add_number(buf, len, "--port", q->port);
	if (q->sport >= 0)
		add_number(buf, len, "--sport", q->sport);
	if (q->dport >= 0)
		add_number(buf, len, "--dport", q->dport);
	add_prefix(buf, len, "--addr", &q->addr);
	add_prefix(buf, len, "--saddr", &q->saddr);
	add_prefix(buf, len, "--daddr", &q->daddr);
	if (q->pid > 0)
		add_number(buf, len, "--pid", q->pid);
	if (q->uid >= 0)
		add_number(buf, len, "--uid", q->uid);
	if (a->netns != NULL) {
		add_word(buf, len, "--netns");
		add_word(buf, len, cli_printable(a->netns, 60, printable, sizeof printable));
	}
	if (a->all_netns)
		add_word(buf, len, "--all-netns");
}

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

/* The title: what runs, its filters, then as much of the rest as fits
 * the width (the backend and the way out go first, then the date). On
 * colour terminals a bar across the whole width. */
static void draw_title(struct watch *w)
{
	const struct palette *p = w->colour;
	char when[32], title[768];
	int len = 0;

	utc_now(when, sizeof when, 0);
	for (int level = 0; level < 4; level++) {
		/* when + 11: the time without the date. */
		len = snprintf(title, sizeof title, "sockstate watch%s%s  every %gs  %s%s%s%s",
		               w->filters[0] ? "  " : "", w->filters, w->a->interval,
		               level >= 2 ? when + 11 : when,
		               level >= 1 ? "" : "  backend ",
		               level >= 1 ? "" : sockstate_backend(w->set.h[0]),
		               level >= 3 ? "" : "  (Ctrl-C quits)");
		if (len < 0)
			len = 0;
		if ((size_t)len > sizeof title - 1)
			len = (int)sizeof title - 1;
		if ((size_t)len <= w->cols)
			break;
	}
	frame_write(&w->frame, p->title, strlen(p->title));
	frame_write(&w->frame, title, (size_t)len);
	/* The bar reaches the right edge; without colour no line ends in
	 * spaces. */
	if (p->title[0] != '\0')
		for (size_t i = (size_t)len; i < w->cols; i++)
			frame_write(&w->frame, " ", 1);
	frame_printf(&w->frame, "%s\n\n", p->reset);
}

/* "STATE  count  change", the change coloured by its sign. */
static void draw_state_row(struct watch *w, const char *name, uint64_t now,
                           uint64_t before)
{
	const struct palette *p = w->colour;
	char change[32];
	const char *tint = "";
	size_t n;

	format_change(change, sizeof change, w->refreshes == 0, now, before);
	if (w->refreshes > 0 && now != before)
		tint = now > before ? p->up : p->down;
	frame_printf(&w->frame, "%-13s %10llu ", name, (unsigned long long)now);
	for (n = strlen(change); n < 8; n++)
		frame_write(&w->frame, " ", 1);
	frame_printf(&w->frame, "%s%s%s\n", tint, change, tint[0] ? p->reset : "");
}

/* The busiest ports, as many as fit in `room` lines: the groups table
 * (header, the ports, "(N more)" when some are cut, TOTAL), its header in
 * the heading colour. Nothing when not even one port would fit. */
static int draw_ports(struct watch *w, sockstate_groups *g, size_t room)
{
	const struct palette *p = w->colour;
	size_t groups = sockstate_groups_size(g);
	size_t top = groups < w->a->top ? groups : w->a->top;
	sockstate_write_opts wo;
	struct frame table = {0};
	size_t header;
	int rc;

	/* Header, TOTAL, and the "(N more)" row when ports are cut. */
	while (top > 0 && 2 + top + (top < groups) > room)
		top--;
	if (2 + top + (top < groups) > room || (top == 0 && groups > 0))
		return SOCKSTATE_OK;
	memset(&wo, 0, sizeof wo);
	wo.size = sizeof wo;
	wo.format = SOCKSTATE_FORMAT_TABLE;
	wo.port = -1;
	rc = sockstate_groups_write(g, top, NULL, NULL, &wo, frame_write, &table);
	if (rc == SOCKSTATE_OK && table.buf != NULL) {
		header = strcspn(table.buf, "\n");
		frame_printf(&w->frame, "\n%sBusiest local ports:%s\n%s", p->heading, p->reset,
		             p->heading);
		frame_write(&w->frame, table.buf, header);
		frame_printf(&w->frame, "%s", p->reset);
		frame_write(&w->frame, table.buf + header, table.len - header);
	}
	free(table.buf);
	return table.failed ? SOCKSTATE_ENOMEM : rc;
}

/* The screen: a title, the states with their change, the busiest ports
 * (as many as the rows left allow). */
static int draw_screen(struct watch *w, sockstate_groups *g, const sockstate_counts *c)
{
	const struct palette *p = w->colour;
	size_t used;

	draw_title(w);
	frame_printf(&w->frame, "%s%-13s %10s %8s%s\n", p->heading, "State", "Count",
	             "Change", p->reset);
	/* Title, blank, heading, TOTAL; then a state a line. */
	used = 4;
	for (int s = 0; s < SOCKSTATE_STATE_COUNT; s++) {
		if (!(w->seen & SOCKSTATE_STATE_BIT(s)))
			continue;
		draw_state_row(w, sockstate_state_name((sockstate_state)s), c->by_state[s],
		               w->prev[s]);
		used++;
	}
	draw_state_row(w, "TOTAL", c->total, w->prev_total);
	/* The ports' section: a blank line and its title, then the table. */
	if (w->rows < used + 2)
		return SOCKSTATE_OK;
	return draw_ports(w, g, w->rows - used - 2);
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

/* One line of the frame cut to the terminal's width: columns counted
 * as a terminal counts them (escape sequences none, a UTF-8 sequence
 * one). Writes the line and returns its columns. */
static size_t put_fitted(struct frame *out, const char *line, size_t len, size_t cols,
                         const struct palette *p)
{
	size_t i = 0, shown = 0;
	int cut = 0;

	while (i < len) {
		if (line[i] == '\x1b') {
			/* CSI: ESC [ parameters final-byte. */
			i += 2;
			while (i < len && !(line[i] >= '@' && line[i] <= '~'))
				i++;
			i++;
			continue;
		}
		if (((unsigned char)line[i] & 0xC0) != 0x80) {
			if (shown == cols) {
				cut = 1;
				break;
			}
			shown++;
		}
		i++;
	}
	if (i > len)
		i = len;
	frame_write(out, line, i);
	if (cut && p->reset[0] != '\0')
		frame_write(out, p->reset, strlen(p->reset));
	return shown;
}

/* Put the frame on the terminal over the last one: home, each line cut
 * to the width and cleared to its end, at most as many lines as the
 * terminal has, the last without a newline (so nothing scrolls), the
 * rest of the screen cleared. One write, so the screen never shows half
 * a frame. */
static int show_frame(struct watch *w)
{
	struct frame out = {0};
	const char *p = w->frame.buf ? w->frame.buf : "";
	size_t lines = 0;
	int rc = 0;

	if (!w->tty) {
		fputs(p, stdout);
	} else {
		frame_write(&out, w->refreshes == 0 ? "\x1b[H\x1b[2J" : "\x1b[H", w->refreshes == 0 ? 7 : 3);
		for (const char *nl; (nl = strchr(p, '\n')) != NULL && lines < w->rows;
		     p = nl + 1) {
			if (lines++ > 0)
				frame_write(&out, "\n", 1);
			/* A full line needs no clearing, and clearing there would
			 * erase its last column on some terminals. */
			if (put_fitted(&out, p, (size_t)(nl - p), w->cols, w->colour) < w->cols)
				frame_write(&out, "\x1b[K", 3);
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
	if (w->tty) {
		terminal_size(&w->rows, &w->cols);
		rc = draw_screen(w, g, &c);
	} else {
		draw_line(w, g, &c);
	}
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
	w.tty = screen_capable();
	w.colour = w.tty && colour_wanted() ? &ansi_colour : &no_colour;
	describe_filters(a, w.filters, sizeof w.filters);
	code = cli_handles_open(a, &w.set, e);
	if (code != CLI_EXIT_OK)
		return code;
	catch_stop_signals(&saved);
	while (!stop_requested) {
		(void)take_resize();
		code = refresh(&w, e);
		if (code != CLI_EXIT_OK)
			break;
		/* A resize during the refresh or the sleep redraws at once. */
		if (!stop_requested && !take_resize())
			cli_sleep(a->interval);
	}
	restore_signals(&saved);
	/* The shell's prompt goes below the last frame, not over it. */
	if (w.tty && w.refreshes > 0) {
		fputs("\n", stdout);
		fflush(stdout);
	}
	free(w.frame.buf);
	code = cli_handles_finish(&w.set, code, e);
	cli_handles_close(&w.set);
	return code;
}
