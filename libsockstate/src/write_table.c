/* write_table.c - the human table, one line per socket as `ss -tan`
 * prints them, and the per-state count table.
 *
 * The socket table's columns fit their content: each is as wide as its
 * widest cell (header included, counted in terminal columns), with one
 * space between columns, the last one unpadded. The widths are decided
 * before the first row from the rows measured so far (write_stream.c
 * measures a look-ahead, or a whole snapshot); a table longer than what
 * was measured gets the room its kinds of values need
 * (sockstate__table_room), and a later, longer value pushes the rest of
 * its line right, always keeping one space between columns. */
#include "writer_internal.h"

enum { GAP = 1, W_COUNT_STATE = 13 };

static const char *const headers[SOCKSTATE__T_COLS] = {
	[SOCKSTATE__T_STATE] = "State",
	[SOCKSTATE__T_NATIVE] = "Native",
	[SOCKSTATE__T_RECV_Q] = "Recv-Q",
	[SOCKSTATE__T_SEND_Q] = "Send-Q",
	[SOCKSTATE__T_LOCAL] = "Local Address",
	[SOCKSTATE__T_PEER] = "Peer Address",
	[SOCKSTATE__T_PID] = "Pid",
	[SOCKSTATE__T_PROCESS] = "Process",
	[SOCKSTATE__T_NETNS] = "Netns",
	[SOCKSTATE__T_TIMER] = "Timer",
};

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Whether column c is in this table. */
static int shown(const sockstate__listing *l, int c)
{
	if (c == SOCKSTATE__T_PID || c == SOCKSTATE__T_PROCESS)
		return (l->flags & SOCKSTATE_W_PIDS) != 0;
	if (c == SOCKSTATE__T_NETNS)
		return l->netns;
	if (c == SOCKSTATE__T_TIMER)
		return (l->flags & SOCKSTATE_W_TIMERS) != 0;
	return 1;
}

static int last_column(const sockstate__listing *l)
{
	int last = SOCKSTATE__T_PEER;

	for (int c = SOCKSTATE__T_PID; c < SOCKSTATE__T_COLS; c++)
		if (shown(l, c))
			last = c;
	return last;
}

/* ---- one record's cells ---- */

static int pid_known(const sockstate_socket *s)
{
	return (s->valid & SOCKSTATE_HAS_PID) && s->pid >= 0;
}

/* A text cell: the name, or NULL when it shows as '-'. An empty name
 * shows as '-' too, so no line ends in spaces. */
static const char *process_text(const sockstate_socket *s)
{
	if ((s->valid & SOCKSTATE_HAS_PROCESS) && s->process != NULL && s->process[0] != '\0')
		return s->process;
	return NULL;
}

static const char *netns_text(const sockstate_socket *s)
{
	return s->netns != NULL && s->netns[0] != '\0' ? s->netns : NULL;
}

static size_t queue_cell(char *buf, const sockstate_socket *s, uint32_t q)
{
	if (!(s->valid & SOCKSTATE_HAS_QUEUES)) {
		buf[0] = '-';
		return 1;
	}
	return sockstate__fmt_u64(buf, q);
}

/* "addr:port", "[addr%zone]:port", or "*:port" for a dual-stack
 * wildcard listener (as ss: it answers on every address of both
 * families, which `[::]` alone would not say), into buf
 * (SOCKSTATE__ENDPOINT_TEXT bytes). Returns its length in bytes; *cols
 * gets the terminal columns it takes (the zone is an interface name:
 * anyone's choice of bytes, written through sockstate__out_text) and
 * *addr_cols those before the port's ':'. */
static size_t endpoint_cell(char *buf, const sockstate_socket *s,
                            const sockstate_endpoint *ep, size_t *cols, size_t *addr_cols)
{
	char port[8];
	int n;

	if (ep == &s->local && sockstate__dual_stack_wildcard(s)) {
		buf[0] = '*';
		buf[1] = ':';
		n = 2 + (int)sockstate__fmt_u64(buf + 2, ep->port);
	} else {
		n = sockstate__fmt_endpoint_port(buf, SOCKSTATE__ENDPOINT_TEXT, s->family, ep,
		                                 s->zone);
	}
	if (n < 0) {
		/* Only a broken address formatter gets here (the family was
		 * checked); show that the field is missing, not a guess. */
		buf[0] = '?';
		*cols = *addr_cols = 1;
		return 1;
	}
	*cols = sockstate__out_text(NULL, buf, (size_t)n, SOCKSTATE__TEXT_TABLE);
	*addr_cols = *cols - 1 - sockstate__fmt_u64(port, ep->port);
	return (size_t)n;
}

/* The time left on a timer as `ss -o` prints it (its print_ms_timer):
 * "48sec", "1min12sec", "12min", "1.500ms" (1.5 s), "200ms", "050ms";
 * "0ms" where ss prints nothing. Returns the length (at most 16). */
static size_t fmt_ms_timer(char *buf, uint32_t ms)
{
	uint32_t minutes = ms / 60000, secs = ms / 1000 % 60, msecs = ms % 1000;
	size_t n = 0;

	if (minutes) {
		msecs = 0;
		n += sockstate__fmt_u64(buf + n, minutes);
		memcpy(buf + n, "min", 3);
		n += 3;
		if (minutes > 9)
			secs = 0;
	}
	if (secs) {
		if (secs > 9)
			msecs = 0;
		n += sockstate__fmt_u64(buf + n, secs);
		if (msecs) {
			buf[n++] = '.';
		} else {
			memcpy(buf + n, "sec", 3);
			n += 3;
		}
	}
	if (msecs) {
		buf[n++] = (char)('0' + msecs / 100);
		buf[n++] = (char)('0' + msecs / 10 % 10);
		buf[n++] = (char)('0' + msecs % 10);
	} else if (n == 0) {
		buf[n++] = '0';
	} else {
		return n;
	}
	memcpy(buf + n, "ms", 2);
	return n + 2;
}

/* The Timer cell into buf (80 bytes): "kind,time left,retries" in ss -o's
 * words (its timer:(...) without the wrapper), "off", or "-" when
 * unknown. Returns its length. */
static size_t timer_cell(char *buf, const sockstate_socket *s)
{
	static const char *const ss_names[] = {
		[SOCKSTATE_TIMER_OFF] = "off",
		[SOCKSTATE_TIMER_RETRANSMIT] = "on",
		[SOCKSTATE_TIMER_KEEPALIVE] = "keepalive",
		[SOCKSTATE_TIMER_TIME_WAIT] = "timewait",
		[SOCKSTATE_TIMER_PROBE] = "persist",
	};
	size_t n;

	if (!(s->valid & SOCKSTATE_HAS_TIMER) || s->timer >= sizeof ss_names / sizeof ss_names[0]) {
		buf[0] = '-';
		return 1;
	}
	n = strlen(ss_names[s->timer]);
	memcpy(buf, ss_names[s->timer], n);
	if (s->timer == SOCKSTATE_TIMER_OFF)
		return n;
	buf[n++] = ',';
	n += fmt_ms_timer(buf + n, s->expires_ms);
	buf[n++] = ',';
	return n + sockstate__fmt_u64(buf + n, s->retransmits);
}

/* The owners' width, as put_pids writes them. */
static size_t pids_width(const sockstate_socket *s)
{
	char num[21];
	size_t used = 0;

	if (!pid_known(s))
		return 1;
	if (s->pids == NULL || s->pid_count == 0)
		return sockstate__fmt_i64(num, s->pid);
	for (uint32_t i = 0; i < s->pid_count; i++)
		used += (i > 0) + sockstate__fmt_i64(num, s->pids[i]);
	return used;
}

/* The owners as "1234" or "1234,1240": every pid, so none is hidden. */
static void put_pids(sockstate__out *out, const sockstate_socket *s)
{
	if (!pid_known(s)) {
		sockstate__out_char(out, '-');
		return;
	}
	if (s->pids == NULL || s->pid_count == 0) {
		sockstate__out_i64(out, s->pid);
		return;
	}
	for (uint32_t i = 0; i < s->pid_count; i++) {
		if (i > 0)
			sockstate__out_char(out, ',');
		sockstate__out_i64(out, s->pids[i]);
	}
}

/* ---- widths ---- */

void sockstate__table_widths_init(sockstate__table_widths *w, uint32_t flags)
{
	memset(w, 0, sizeof *w);
	if (flags & SOCKSTATE_W_NO_HEADER)
		return;
	for (int c = 0; c < SOCKSTATE__T_COLS; c++)
		w->col[c] = strlen(headers[c]);
}

void sockstate__table_measure(sockstate__table_widths *w, const sockstate_socket *s)
{
	char buf[SOCKSTATE__ENDPOINT_TEXT];
	size_t cols, addr;
	const char *text;

	w->col[SOCKSTATE__T_STATE] = max_size(w->col[SOCKSTATE__T_STATE],
	                                      strlen(sockstate_state_name((sockstate_state)s->state)));
	w->col[SOCKSTATE__T_NATIVE] = max_size(w->col[SOCKSTATE__T_NATIVE],
	                                       s->native_name ? sockstate__text_width(s->native_name) : 1);
	w->col[SOCKSTATE__T_RECV_Q] = max_size(w->col[SOCKSTATE__T_RECV_Q],
	                                       queue_cell(buf, s, s->rx_queue));
	w->col[SOCKSTATE__T_SEND_Q] = max_size(w->col[SOCKSTATE__T_SEND_Q],
	                                       queue_cell(buf, s, s->tx_queue));
	endpoint_cell(buf, s, &s->local, &cols, &addr);
	w->col[SOCKSTATE__T_LOCAL] = max_size(w->col[SOCKSTATE__T_LOCAL], cols);
	w->addr[0] = max_size(w->addr[0], addr);
	endpoint_cell(buf, s, &s->remote, &cols, &addr);
	w->col[SOCKSTATE__T_PEER] = max_size(w->col[SOCKSTATE__T_PEER], cols);
	w->addr[1] = max_size(w->addr[1], addr);
	w->col[SOCKSTATE__T_PID] = max_size(w->col[SOCKSTATE__T_PID], pids_width(s));
	text = process_text(s);
	w->col[SOCKSTATE__T_PROCESS] = max_size(w->col[SOCKSTATE__T_PROCESS],
	                                        text ? sockstate__text_width(text) : 1);
	text = netns_text(s);
	w->col[SOCKSTATE__T_NETNS] = max_size(w->col[SOCKSTATE__T_NETNS],
	                                      text ? sockstate__text_width(text) : 1);
	w->col[SOCKSTATE__T_TIMER] = max_size(w->col[SOCKSTATE__T_TIMER], timer_cell(buf, s));
}

/* Room for what the rows not measured may hold, known without reading
 * them: the longest name among the states the query lets through (a
 * native name is no longer than its normalized one on any OS's default
 * set), an address seen with a five-digit port (ephemeral ports), and a
 * pid of seven digits (Linux's largest, 4194304). */
void sockstate__table_room(sockstate__table_widths *w, uint32_t states)
{
	size_t state = 0;

	for (unsigned st = 0; st < SOCKSTATE_STATE_COUNT; st++)
		if (states & SOCKSTATE_STATE_BIT(st))
			state = max_size(state, strlen(sockstate_state_name((sockstate_state)st)));
	w->col[SOCKSTATE__T_STATE] = max_size(w->col[SOCKSTATE__T_STATE], state);
	w->col[SOCKSTATE__T_NATIVE] = max_size(w->col[SOCKSTATE__T_NATIVE], state);
	w->col[SOCKSTATE__T_LOCAL] = max_size(w->col[SOCKSTATE__T_LOCAL], w->addr[0] + 6);
	w->col[SOCKSTATE__T_PEER] = max_size(w->col[SOCKSTATE__T_PEER], w->addr[1] + 6);
	w->col[SOCKSTATE__T_PID] = max_size(w->col[SOCKSTATE__T_PID], 7);
}

/* ---- lines ---- */

/* After a cell of `used` columns in column c: pad to the column's width
 * and the gap (at least the gap), or end the line after the last. */
static void cell_end(sockstate__out *out, const sockstate__table_widths *w, int c, int last,
                     size_t used)
{
	if (c == last) {
		sockstate__out_char(out, '\n');
		return;
	}
	sockstate__out_spaces(out, used < w->col[c] ? w->col[c] - used + GAP : GAP);
}

void sockstate__table_header(sockstate__out *out, const sockstate__table_widths *w,
                             const sockstate__listing *l)
{
	int last = last_column(l);

	for (int c = 0; c < SOCKSTATE__T_COLS; c++) {
		if (!shown(l, c))
			continue;
		sockstate__out_str(out, headers[c]);
		cell_end(out, w, c, last, strlen(headers[c]));
	}
}

static void put_text_cell(sockstate__out *out, const sockstate__table_widths *w, int c,
                          int last, const char *text)
{
	if (text != NULL) {
		cell_end(out, w, c, last, sockstate__out_text_str(out, text));
	} else {
		sockstate__out_char(out, '-');
		cell_end(out, w, c, last, 1);
	}
}

void sockstate__table_row(sockstate__out *out, const sockstate_socket *s,
                          const sockstate__table_widths *w, const sockstate__listing *l)
{
	const char *state = sockstate_state_name((sockstate_state)s->state);
	int last = last_column(l);
	char buf[SOCKSTATE__ENDPOINT_TEXT];
	size_t n, cols, addr;

	sockstate__out_str(out, state);
	cell_end(out, w, SOCKSTATE__T_STATE, last, strlen(state));
	put_text_cell(out, w, SOCKSTATE__T_NATIVE, last, s->native_name);
	n = queue_cell(buf, s, s->rx_queue);
	sockstate__out_bytes(out, buf, n);
	cell_end(out, w, SOCKSTATE__T_RECV_Q, last, n);
	n = queue_cell(buf, s, s->tx_queue);
	sockstate__out_bytes(out, buf, n);
	cell_end(out, w, SOCKSTATE__T_SEND_Q, last, n);
	n = endpoint_cell(buf, s, &s->local, &cols, &addr);
	sockstate__out_text(out, buf, n, SOCKSTATE__TEXT_TABLE);
	cell_end(out, w, SOCKSTATE__T_LOCAL, last, cols);
	n = endpoint_cell(buf, s, &s->remote, &cols, &addr);
	sockstate__out_text(out, buf, n, SOCKSTATE__TEXT_TABLE);
	cell_end(out, w, SOCKSTATE__T_PEER, last, cols);
	if (shown(l, SOCKSTATE__T_PID)) {
		put_pids(out, s);
		cell_end(out, w, SOCKSTATE__T_PID, last, pids_width(s));
		put_text_cell(out, w, SOCKSTATE__T_PROCESS, last, process_text(s));
	}
	if (shown(l, SOCKSTATE__T_NETNS))
		put_text_cell(out, w, SOCKSTATE__T_NETNS, last, netns_text(s));
	if (shown(l, SOCKSTATE__T_TIMER)) {
		n = timer_cell(buf, s);
		sockstate__out_bytes(out, buf, n);
		cell_end(out, w, SOCKSTATE__T_TIMER, last, n);
	}
}

/* ---- the count table ---- */

static void put_count_line(sockstate__out *out, const char *name, uint64_t n)
{
	size_t len = strlen(name);
	sockstate__out_bytes(out, name, len);
	sockstate__out_pad(out, len, W_COUNT_STATE);
	sockstate__out_u64(out, n);
	sockstate__out_char(out, '\n');
}

void sockstate__table_counts(sockstate__out *out, const sockstate_counts *c,
                             uint32_t flags)
{
	if (!(flags & SOCKSTATE_W_NO_HEADER)) {
		sockstate__out_str(out, "State");
		sockstate__out_pad(out, 5, W_COUNT_STATE);
		sockstate__out_str(out, "Count\n");
	}
	uint32_t shown = sockstate_counts_states(c);
	for (size_t i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		sockstate_state st = sockstate__state_order[i];
		if (shown & SOCKSTATE_STATE_BIT(st))
			put_count_line(out, sockstate_state_name(st), c->by_state[st]);
	}
	put_count_line(out, "TOTAL", c->total);
}
