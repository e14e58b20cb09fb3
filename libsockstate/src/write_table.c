/* write_table.c - the human table, one line per socket as `ss -tan` prints
 * them, and the per-state count table. Column widths are fixed (we stream,
 * so we cannot measure first); a longer value pushes the rest of its line
 * right by what it overflows, always keeping one space between columns. */
#include "writer_internal.h"

/* Each width includes the space that separates the column from the next. */
enum {
	W_STATE = 13,   /* "SYN_RECEIVED" + 1 */
	W_NATIVE = 13,  /* "SYN_RECEIVED" (netstat.exe) + 1 */
	W_QUEUE = 7,    /* "Recv-Q" + 1 */
	W_ENDPOINT = 48, /* "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535" + 1:
	                    every IPv6 address without a zone fits */
	W_PID = 9,      /* "Pid", a 7-digit pid + 1 */
	W_PROCESS = 17, /* a 15-byte Linux comm + 2 */
	W_NETNS = 17,   /* a short namespace name + 2 */
	W_COUNT_STATE = 13
};

static int pid_known(const sockstate_socket *s)
{
	return (s->valid & SOCKSTATE_HAS_PID) && s->pid >= 0;
}

/* The owners as "1234" or "1234,1240": every pid, so none is hidden. */
static size_t put_pids(sockstate__out *out, const sockstate_socket *s)
{
	if (!pid_known(s)) {
		sockstate__out_char(out, '-');
		return 1;
	}
	if (s->pids == NULL || s->pid_count == 0) {
		char num[21];
		size_t n = sockstate__fmt_i64(num, s->pid);
		sockstate__out_bytes(out, num, n);
		return n;
	}
	size_t used = 0;
	for (uint32_t i = 0; i < s->pid_count; i++) {
		char num[22];
		size_t n = 0;
		if (i > 0)
			num[n++] = ',';
		n += sockstate__fmt_i64(num + n, s->pids[i]);
		sockstate__out_bytes(out, num, n);
		used += n;
	}
	return used;
}

static void put_queue(sockstate__out *out, const sockstate_socket *s, uint32_t q)
{
	char num[20];
	size_t n = 1;
	if (s->valid & SOCKSTATE_HAS_QUEUES)
		n = sockstate__fmt_u64(num, q);
	else
		num[0] = '-';
	sockstate__out_bytes(out, num, n);
	sockstate__out_pad(out, n, W_QUEUE);
}

static void put_endpoint(sockstate__out *out, const sockstate_socket *s,
                         const sockstate_endpoint *ep, int pad)
{
	char text[80];
	int n = sockstate__fmt_endpoint_port(text, sizeof text, s->family, ep);
	if (n < 0) {
		/* Only a broken address formatter gets here (the family was
		 * checked); show that the field is missing, not a guess. */
		text[0] = '?';
		n = 1;
	}
	sockstate__out_bytes(out, text, (size_t)n);
	if (pad)
		sockstate__out_pad(out, (size_t)n, W_ENDPOINT);
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

/* The Timer column: "kind,time left,retries" in ss -o's words (its
 * timer:(...) without the wrapper), "off", or "-" when unknown. */
static void put_timer(sockstate__out *out, const sockstate_socket *s)
{
	static const char *const ss_names[] = {
		[SOCKSTATE_TIMER_OFF] = "off",
		[SOCKSTATE_TIMER_RETRANSMIT] = "on",
		[SOCKSTATE_TIMER_KEEPALIVE] = "keepalive",
		[SOCKSTATE_TIMER_TIME_WAIT] = "timewait",
		[SOCKSTATE_TIMER_PROBE] = "persist",
	};
	char text[48];
	size_t n;

	if (!(s->valid & SOCKSTATE_HAS_TIMER) || s->timer >= sizeof ss_names / sizeof ss_names[0]) {
		sockstate__out_char(out, '-');
		return;
	}
	sockstate__out_str(out, ss_names[s->timer]);
	if (s->timer == SOCKSTATE_TIMER_OFF)
		return;
	text[0] = ',';
	n = 1 + fmt_ms_timer(text + 1, s->expires_ms);
	text[n++] = ',';
	n += sockstate__fmt_u64(text + n, s->retransmits);
	sockstate__out_bytes(out, text, n);
}

static void put_header(sockstate__out *out, uint32_t flags, int netns)
{
	sockstate__out_str(out, "State");
	sockstate__out_pad(out, 5, W_STATE);
	sockstate__out_str(out, "Native");
	sockstate__out_pad(out, 6, W_NATIVE);
	sockstate__out_str(out, "Recv-Q Send-Q Local Address:Port");
	sockstate__out_pad(out, 18, W_ENDPOINT);
	sockstate__out_str(out, "Peer Address:Port");
	if (flags & SOCKSTATE_W_PIDS) {
		sockstate__out_pad(out, 17, W_ENDPOINT);
		sockstate__out_str(out, "Pid");
		sockstate__out_pad(out, 3, W_PID);
		sockstate__out_str(out, "Process");
	}
	if (netns) {
		sockstate__out_pad(out, (flags & SOCKSTATE_W_PIDS) ? 7 : 17,
		                   (flags & SOCKSTATE_W_PIDS) ? W_PROCESS : W_ENDPOINT);
		sockstate__out_str(out, "Netns");
	}
	if (flags & SOCKSTATE_W_TIMERS) {
		sockstate__out_pad(out, netns ? 5 : (flags & SOCKSTATE_W_PIDS) ? 7 : 17,
		                   netns ? W_NETNS : (flags & SOCKSTATE_W_PIDS) ? W_PROCESS
		                                                               : W_ENDPOINT);
		sockstate__out_str(out, "Timer");
	}
	sockstate__out_char(out, '\n');
}

void sockstate__table_snapshot(sockstate__out *out, const sockstate_snapshot *snap,
                               uint32_t flags)
{
	int pids = (flags & SOCKSTATE_W_PIDS) != 0;
	int netns = sockstate__snapshot_has_netns(snap);
	int timers = (flags & SOCKSTATE_W_TIMERS) != 0;
	if (!(flags & SOCKSTATE_W_NO_HEADER))
		put_header(out, flags, netns);
	for (size_t i = 0; i < snap->count && out->err == 0; i++) {
		const sockstate_socket *s = &snap->sockets[i];
		const char *state = sockstate_state_name((sockstate_state)s->state);
		const char *native = s->native_name != NULL ? s->native_name : "-";
		size_t n = strlen(state);
		sockstate__out_bytes(out, state, n);
		sockstate__out_pad(out, n, W_STATE);
		n = strlen(native);
		sockstate__out_bytes(out, native, n);
		sockstate__out_pad(out, n, W_NATIVE);
		put_queue(out, s, s->rx_queue);
		put_queue(out, s, s->tx_queue);
		put_endpoint(out, s, &s->local, 1);
		put_endpoint(out, s, &s->remote, pids || netns || timers);
		if (pids) {
			size_t used = 1;
			sockstate__out_pad(out, put_pids(out, s), W_PID);
			/* An empty name shows as '-' too, so no line ends in
			 * spaces. */
			if ((s->valid & SOCKSTATE_HAS_PROCESS) && s->process != NULL &&
			    s->process[0] != '\0')
				used = sockstate__out_text_str(out, s->process);
			else
				sockstate__out_char(out, '-');
			if (netns || timers)
				sockstate__out_pad(out, used, W_PROCESS);
		}
		if (netns) {
			size_t used = 1;
			if (s->netns != NULL && s->netns[0] != '\0')
				used = sockstate__out_text_str(out, s->netns);
			else
				sockstate__out_char(out, '-');
			if (timers)
				sockstate__out_pad(out, used, W_NETNS);
		}
		if (timers)
			put_timer(out, s);
		sockstate__out_char(out, '\n');
	}
}

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
	for (size_t i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		sockstate_state st = sockstate__state_order[i];
		put_count_line(out, sockstate_state_name(st), c->by_state[st]);
	}
	put_count_line(out, "TOTAL", c->total);
}
