/* write_prometheus.c - the Prometheus text exposition format (0.0.4).
 *
 * The set of series is the same on every OS and every run: every family x
 * every counted state, zeros included, so dashboards and alerts never
 * meet a series that appears and disappears. (The command line and
 * Python count every state for it; a state a caller's query did not
 * count has no series rather than a 0 that looks measured.) Each metric
 * family is written once, with its HELP and TYPE lines first. */
#include "writer_internal.h"

void sockstate__prom_help_type(sockstate__out *out, const char *name, const char *help,
                               const char *type)
{
	sockstate__out_str(out, "# HELP ");
	sockstate__out_str(out, name);
	sockstate__out_char(out, ' ');
	sockstate__out_str(out, help);
	sockstate__out_str(out, "\n# TYPE ");
	sockstate__out_str(out, name);
	sockstate__out_char(out, ' ');
	sockstate__out_str(out, type);
	sockstate__out_char(out, '\n');
}

static void put_help_type(sockstate__out *out, const char *name, const char *help)
{
	sockstate__prom_help_type(out, name, help, "gauge");
}

/* A label value as the format escapes it: backslash, quote, newline. */
static void put_label_value(sockstate__out *out, const char *s)
{
	sockstate__out_char(out, '"');
	if (s != NULL)
		sockstate__out_text(out, s, strlen(s), SOCKSTATE__TEXT_LABEL);
	sockstate__out_char(out, '"');
}

static void put_value(sockstate__out *out, uint64_t v)
{
	sockstate__out_char(out, ' ');
	sockstate__out_u64(out, v);
	sockstate__out_char(out, '\n');
}

static void put_counts(sockstate__out *out, const sockstate_counts *c, uint32_t shown)
{
	put_help_type(out, "sockstate_tcp_sockets",
	              "TCP sockets by address family and normalized state.");
	for (uint8_t fam = SOCKSTATE_FAMILY_IPV4; fam <= SOCKSTATE_FAMILY_IPV6; fam++) {
		for (size_t i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
			sockstate_state st = sockstate__state_order[i];
			if (!(shown & SOCKSTATE_STATE_BIT(st)))
				continue;
			sockstate__out_str(out, "sockstate_tcp_sockets{family=\"");
			sockstate__out_str(out, sockstate__family_name(fam));
			sockstate__out_str(out, "\",state=\"");
			sockstate__out_str(out, sockstate_state_name(st));
			sockstate__out_str(out, "\"}");
			put_value(out, c->by_family_state[fam - 1][st]);
		}
	}
	put_help_type(out, "sockstate_tcp_receive_queue_bytes",
	              "Bytes received and not yet read, summed over the listed "
	              "TCP sockets (listening sockets excluded).");
	sockstate__out_str(out, "sockstate_tcp_receive_queue_bytes");
	put_value(out, c->rx_queue_total);
	put_help_type(out, "sockstate_tcp_send_queue_bytes",
	              "Bytes sent and not yet acknowledged, summed over the "
	              "listed TCP sockets (listening sockets excluded).");
	sockstate__out_str(out, "sockstate_tcp_send_queue_bytes");
	put_value(out, c->tx_queue_total);
}

void sockstate__prom_info(sockstate__out *out, const char *backend)
{
	put_help_type(out, "sockstate_info",
	              "The backend and library version that produced these metrics.");
	sockstate__out_str(out, "sockstate_info{backend=");
	put_label_value(out, backend);
	sockstate__out_str(out, ",version=");
	put_label_value(out, sockstate_version());
	sockstate__out_str(out, "} 1\n");
}

/* sockstate_tcp_port_sockets{port,side,state} of each port: every side x
 * state shown. */
static void put_ports(sockstate__out *out, const sockstate_port_counts *ports, size_t n,
                      uint32_t shown)
{
	static const char *const sides[2] = {"local", "remote"};

	if (n == 0)
		return;
	put_help_type(out, "sockstate_tcp_port_sockets",
	              "TCP sockets whose local or remote port is the given port, "
	              "by normalized state.");
	for (size_t p = 0; p < n; p++) {
		const uint64_t *by_side[2] = {ports[p].local, ports[p].remote};
		char num[20];
		size_t len = sockstate__fmt_u64(num, ports[p].port);

		for (size_t side = 0; side < 2; side++) {
			for (size_t i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
				sockstate_state st = sockstate__state_order[i];
				if (!(shown & SOCKSTATE_STATE_BIT(st)))
					continue;
				sockstate__out_str(out, "sockstate_tcp_port_sockets{port=\"");
				sockstate__out_bytes(out, num, len);
				sockstate__out_str(out, "\",side=\"");
				sockstate__out_str(out, sides[side]);
				sockstate__out_str(out, "\",state=\"");
				sockstate__out_str(out, sockstate_state_name(st));
				sockstate__out_str(out, "\"}");
				put_value(out, by_side[side][st]);
			}
		}
	}
}

void sockstate__prom_snapshot(sockstate__out *out, const sockstate_snapshot *snap,
                              int32_t port)
{
	sockstate_counts c;
	sockstate_port_counts pc;
	uint32_t shown;

	memset(&c, 0, sizeof c);
	c.size = sizeof c;
	c.states = sockstate__snapshot_states(snap);
	memset(&pc, 0, sizeof pc);
	pc.size = sizeof pc;
	pc.port = port >= 0 ? (uint16_t)port : 0;
	for (size_t i = 0; i < snap->count; i++) {
		sockstate_counts_add(&c, &snap->sockets[i]);
		sockstate_port_counts_add(&pc, 1, &snap->sockets[i]);
	}
	shown = sockstate_counts_states(&c);
	put_counts(out, &c, shown);
	put_ports(out, &pc, port >= 0 ? 1 : 0, shown);
}

void sockstate__prom_counts(sockstate__out *out, const sockstate_counts *c,
                            const sockstate_port_counts *ports, size_t n)
{
	uint32_t shown = sockstate_counts_states(c);

	put_counts(out, c, shown);
	put_ports(out, ports, n, shown);
}
