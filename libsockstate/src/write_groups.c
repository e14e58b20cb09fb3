/* write_groups.c - grouped counts as a table, the sockstate/1 counts
 * document with its "groups", or CSV (docs/OUTPUT.md).
 *
 * Unlike the socket table, the group table is measured first (every row
 * is in memory already), so its columns fit their widest cell. */
#include "groups_internal.h"
#include "writer_internal.h"

enum { COLUMN_GAP = 2 };

/* The key bits in the order their columns and JSON keys appear. */
static const uint32_t key_order[] = {
	SOCKSTATE_GROUP_PORT, SOCKSTATE_GROUP_LOCAL, SOCKSTATE_GROUP_REMOTE,
	SOCKSTATE_GROUP_PID, SOCKSTATE_GROUP_PROCESS, SOCKSTATE_GROUP_UID,
	SOCKSTATE_GROUP_NETNS,
};
#define KEY_COUNT (sizeof key_order / sizeof key_order[0])

static const char *key_header(uint32_t key)
{
	switch (key) {
	case SOCKSTATE_GROUP_PORT: return "Port";
	case SOCKSTATE_GROUP_LOCAL: return "Local Address:Port";
	case SOCKSTATE_GROUP_REMOTE: return "Peer Address";
	case SOCKSTATE_GROUP_PID: return "Pid";
	case SOCKSTATE_GROUP_PROCESS: return "Process";
	case SOCKSTATE_GROUP_UID: return "Uid";
	default: return "Netns";
	}
}

/* A group's uid or pid (the UID or PID key), negative when unknown. */
static int64_t id_of(const sockstate_group *grp, uint32_t key)
{
	return key == SOCKSTATE_GROUP_UID ? grp->uid : grp->pid;
}

/* One key cell: either text (a name or an address, which may hold an
 * interface's name: shown escaped, *text set) or plain bytes in buf
 * (SOCKSTATE__ENDPOINT_TEXT bytes). Returns its width in columns. */
static size_t key_cell(const sockstate_group *grp, uint32_t key, char *buf,
                       const char **text)
{
	int n = -1;

	*text = NULL;
	switch (key) {
	case SOCKSTATE_GROUP_PORT:
		return sockstate__fmt_u64(buf, grp->port);
	case SOCKSTATE_GROUP_LOCAL:
		n = sockstate__fmt_endpoint_port(buf, SOCKSTATE__ENDPOINT_TEXT, grp->family,
		                                 &grp->local, grp->zone);
		break;
	case SOCKSTATE_GROUP_REMOTE:
		n = sockstate_endpoint_format_zone((sockstate_family)grp->family, &grp->remote,
		                                   grp->zone, buf, SOCKSTATE__ENDPOINT_TEXT);
		break;
	case SOCKSTATE_GROUP_UID:
	case SOCKSTATE_GROUP_PID:
		if (id_of(grp, key) < 0)
			break;
		return sockstate__fmt_i64(buf, id_of(grp, key));
	case SOCKSTATE_GROUP_PROCESS:
		*text = grp->process;
		break;
	default:
		*text = grp->netns;
		break;
	}
	if (n >= 0)
		*text = buf;
	if (*text != NULL && (*text)[0] != '\0')
		return sockstate__out_text(NULL, *text, strlen(*text), SOCKSTATE__TEXT_TABLE);
	/* Unknown (or unprintable) is '-', as in the socket table. */
	*text = NULL;
	buf[0] = '-';
	return 1;
}

/* A row of the table: a group, or a summary row (label, counts). */
struct row {
	const sockstate_group *grp;      /* NULL for a summary row */
	const char *label;
	uint64_t total;
	const uint64_t *by_state;
};

struct layout {
	uint32_t keys[KEY_COUNT];
	size_t nkeys;
	sockstate_state states[SOCKSTATE_STATE_COUNT];
	size_t nstates;
	size_t key_width[KEY_COUNT];
	size_t total_width;
	size_t state_width[SOCKSTATE_STATE_COUNT];
};

static size_t number_width(uint64_t v)
{
	char num[20];
	return sockstate__fmt_u64(num, v);
}

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

static void layout_row(struct layout *l, const struct row *r)
{
	for (size_t k = 0; k < l->nkeys; k++) {
		char buf[SOCKSTATE__ENDPOINT_TEXT];
		const char *text;
		size_t w = 0;

		if (r->grp)
			w = key_cell(r->grp, l->keys[k], buf, &text);
		else if (k == 0)
			w = strlen(r->label);
		l->key_width[k] = max_size(l->key_width[k], w);
	}
	l->total_width = max_size(l->total_width, number_width(r->total));
	for (size_t i = 0; i < l->nstates; i++)
		l->state_width[i] = max_size(l->state_width[i],
		                             number_width(r->by_state[l->states[i]]));
}

/* A cell and the gap after it; the last cell of a line gets no padding. */
static void put_cell_end(sockstate__out *out, size_t used, size_t width, int last)
{
	if (!last)
		sockstate__out_spaces(out, width + COLUMN_GAP - used);
}

static void put_number_cell(sockstate__out *out, uint64_t v, size_t width, int last)
{
	char num[20];
	size_t n = sockstate__fmt_u64(num, v);

	sockstate__out_bytes(out, num, n);
	put_cell_end(out, n, width, last);
}

static void put_row(sockstate__out *out, const struct layout *l, const struct row *r)
{
	for (size_t k = 0; k < l->nkeys; k++) {
		char buf[SOCKSTATE__ENDPOINT_TEXT];
		const char *text = NULL;
		size_t used = 0;

		if (r->grp) {
			used = key_cell(r->grp, l->keys[k], buf, &text);
			if (text)
				sockstate__out_text_str(out, text);
			else
				sockstate__out_bytes(out, buf, used);
		} else if (k == 0) {
			used = strlen(r->label);
			sockstate__out_str(out, r->label);
		}
		put_cell_end(out, used, l->key_width[k], 0);
	}
	put_number_cell(out, r->total, l->total_width, l->nstates == 0);
	for (size_t i = 0; i < l->nstates; i++)
		put_number_cell(out, r->by_state[l->states[i]], l->state_width[i],
		                i + 1 == l->nstates);
	sockstate__out_char(out, '\n');
}

static void put_header(sockstate__out *out, const struct layout *l)
{
	for (size_t k = 0; k < l->nkeys; k++) {
		const char *h = key_header(l->keys[k]);
		sockstate__out_str(out, h);
		put_cell_end(out, strlen(h), l->key_width[k], 0);
	}
	sockstate__out_str(out, "Total");
	put_cell_end(out, 5, l->total_width, l->nstates == 0);
	for (size_t i = 0; i < l->nstates; i++) {
		const char *name = sockstate_state_name(l->states[i]);
		sockstate__out_str(out, name);
		put_cell_end(out, strlen(name), l->state_width[i], i + 1 == l->nstates);
	}
	sockstate__out_char(out, '\n');
}

void sockstate__table_groups(sockstate__out *out, sockstate_groups *g, size_t shown,
                             uint32_t flags)
{
	const sockstate_counts *all = sockstate_groups_totals(g);
	uint32_t keys = sockstate_groups_keys(g);
	size_t count = sockstate_groups_size(g);
	uint64_t rest_by_state[SOCKSTATE_STATE_COUNT];
	struct row rest = {NULL, "", all->total, rest_by_state};
	struct row total = {NULL, "TOTAL", all->total, all->by_state};
	char more[48];
	struct layout l;

	memset(&l, 0, sizeof l);
	for (size_t k = 0; k < KEY_COUNT; k++)
		if (keys & key_order[k]) {
			l.keys[l.nkeys] = key_order[k];
			l.key_width[l.nkeys] = strlen(key_header(key_order[k]));
			l.nkeys++;
		}
	l.total_width = 5;
	for (size_t i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		sockstate_state st = sockstate__state_order[i];
		if (all->by_state[st] == 0)
			continue;
		l.states[l.nstates] = st;
		l.state_width[l.nstates] = strlen(sockstate_state_name(st));
		l.nstates++;
	}
	memcpy(rest_by_state, all->by_state, sizeof rest_by_state);
	for (size_t i = 0; i < shown; i++) {
		const sockstate_group *grp = sockstate_groups_get(g, i);
		struct row r = {grp, NULL, grp->total, grp->by_state};
		layout_row(&l, &r);
		rest.total -= grp->total;
		for (size_t s = 0; s < SOCKSTATE_STATE_COUNT; s++)
			rest_by_state[s] -= grp->by_state[s];
	}
	if (shown < count) {
		size_t n = 0;
		more[n++] = '(';
		n += sockstate__fmt_u64(more + n, count - shown);
		memcpy(more + n, " more)", 7);
		rest.label = more;
		layout_row(&l, &rest);
	}
	layout_row(&l, &total);
	if (!(flags & SOCKSTATE_W_NO_HEADER))
		put_header(out, &l);
	for (size_t i = 0; i < shown && out->err == 0; i++) {
		const sockstate_group *grp = sockstate_groups_get(g, i);
		struct row r = {grp, NULL, grp->total, grp->by_state};
		put_row(out, &l, &r);
	}
	if (shown < count)
		put_row(out, &l, &rest);
	put_row(out, &l, &total);
}

/* ---- JSON ---- */

static void json_address(sockstate__out *out, const sockstate_group *grp,
                         const sockstate_endpoint *ep)
{
	char addr[SOCKSTATE__ENDPOINT_TEXT];
	int n = sockstate_endpoint_format_zone((sockstate_family)grp->family, ep, grp->zone,
	                                       addr, sizeof addr);

	sockstate__out_str(out, "{\"address\":");
	sockstate__out_json_str(out, n >= 0 ? addr : NULL);
}

/* A uid or pid: null when unknown (negative). */
static void json_id(sockstate__out *out, int64_t id)
{
	if (id >= 0)
		sockstate__out_i64(out, id);
	else
		sockstate__out_str(out, "null");
}

static void json_group(sockstate__out *out, const sockstate_group *grp)
{
	sockstate__out_char(out, '{');
	for (size_t k = 0; k < KEY_COUNT; k++) {
		uint32_t key = key_order[k];
		if (!(grp->keys & key))
			continue;
		sockstate__out_char(out, '"');
		sockstate__out_str(out, sockstate_group_key_name(key));
		sockstate__out_str(out, "\":");
		switch (key) {
		case SOCKSTATE_GROUP_PORT:
			sockstate__out_u64(out, grp->port);
			break;
		case SOCKSTATE_GROUP_LOCAL:
			json_address(out, grp, &grp->local);
			sockstate__out_str(out, ",\"port\":");
			sockstate__out_u64(out, grp->local.port);
			sockstate__out_char(out, '}');
			break;
		case SOCKSTATE_GROUP_REMOTE:
			json_address(out, grp, &grp->remote);
			sockstate__out_char(out, '}');
			break;
		case SOCKSTATE_GROUP_PROCESS:
			sockstate__out_json_str(out, grp->process);
			break;
		case SOCKSTATE_GROUP_UID:
		case SOCKSTATE_GROUP_PID:
			json_id(out, id_of(grp, key));
			break;
		default:
			sockstate__out_json_str(out, grp->netns);
			break;
		}
		sockstate__out_char(out, ',');
	}
	sockstate__out_str(out, "\"total\":");
	sockstate__out_u64(out, grp->total);
	sockstate__out_str(out, ",\"counts\":{");
	int first = 1;
	for (size_t i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		sockstate_state st = sockstate__state_order[i];
		if (grp->by_state[st] == 0)
			continue;
		sockstate__out_str(out, first ? "\"" : ",\"");
		first = 0;
		sockstate__out_str(out, sockstate_state_name(st));
		sockstate__out_str(out, "\":");
		sockstate__out_u64(out, grp->by_state[st]);
	}
	sockstate__out_str(out, "}}");
}

void sockstate__json_groups(sockstate__out *out, sockstate_groups *g, size_t shown,
                            const sockstate_sysinfo *sys, const char *backend)
{
	const sockstate_counts *all = sockstate_groups_totals(g);
	uint32_t keys = sockstate_groups_keys(g);
	int first = 1;

	sockstate__json_head(out, sys, backend, sockstate__groups_pid_source(g),
	                     sockstate__groups_owners_unreadable(g));
	sockstate__json_counts_keys(out, all->by_state, all->total,
	                            sockstate_counts_states(all));
	sockstate__out_str(out, ",\n \"group_by\":[");
	for (size_t k = 0; k < KEY_COUNT; k++) {
		if (!(keys & key_order[k]))
			continue;
		sockstate__out_str(out, first ? "\"" : ",\"");
		first = 0;
		sockstate__out_str(out, sockstate_group_key_name(key_order[k]));
		sockstate__out_char(out, '"');
	}
	sockstate__out_str(out, "],\n \"groups_total\":");
	sockstate__out_u64(out, sockstate_groups_size(g));
	sockstate__out_str(out, ",\n \"groups\":[");
	for (size_t i = 0; i < shown && out->err == 0; i++) {
		sockstate__out_str(out, i == 0 ? "\n  " : ",\n  ");
		json_group(out, sockstate_groups_get(g, i));
	}
	sockstate__out_str(out, shown > 0 ? "\n ]}\n" : "]}\n");
}

/* ---- CSV ---- */

static void csv_header(sockstate__out *out, uint32_t keys, uint32_t shown)
{
	static const char *const names[KEY_COUNT] = {
		"port", "local_address,local_port", "remote_address", "pid", "process", "uid",
		"netns",
	};
	for (size_t k = 0; k < KEY_COUNT; k++)
		if (keys & key_order[k]) {
			sockstate__out_str(out, names[k]);
			sockstate__out_char(out, ',');
		}
	sockstate__out_str(out, "total");
	for (size_t i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		if (!(shown & SOCKSTATE_STATE_BIT(sockstate__state_order[i])))
			continue;
		sockstate__out_char(out, ',');
		sockstate__out_str(out, sockstate_state_name(sockstate__state_order[i]));
	}
	sockstate__out_bytes(out, "\r\n", 2);
}

static void csv_address(sockstate__out *out, const sockstate_group *grp,
                        const sockstate_endpoint *ep, uint32_t flags)
{
	char addr[SOCKSTATE__ENDPOINT_TEXT];

	if (sockstate_endpoint_format_zone((sockstate_family)grp->family, ep, grp->zone, addr,
	                                   sizeof addr) >= 0)
		sockstate__out_csv_str(out, addr, flags);
}

static void csv_group(sockstate__out *out, const sockstate_group *grp, uint32_t shown,
                      uint32_t flags)
{
	for (size_t k = 0; k < KEY_COUNT; k++) {
		uint32_t key = key_order[k];
		if (!(grp->keys & key))
			continue;
		switch (key) {
		case SOCKSTATE_GROUP_PORT:
			sockstate__out_u64(out, grp->port);
			break;
		case SOCKSTATE_GROUP_LOCAL:
			csv_address(out, grp, &grp->local, flags);
			sockstate__out_char(out, ',');
			sockstate__out_u64(out, grp->local.port);
			break;
		case SOCKSTATE_GROUP_REMOTE:
			csv_address(out, grp, &grp->remote, flags);
			break;
		case SOCKSTATE_GROUP_PROCESS:
			sockstate__out_csv_str(out, grp->process, flags);
			break;
		case SOCKSTATE_GROUP_UID:
		case SOCKSTATE_GROUP_PID:
			if (id_of(grp, key) >= 0)
				sockstate__out_i64(out, id_of(grp, key));
			break;
		default:
			sockstate__out_csv_str(out, grp->netns, flags);
			break;
		}
		sockstate__out_char(out, ',');
	}
	sockstate__out_u64(out, grp->total);
	for (size_t i = 0; i < SOCKSTATE_STATE_COUNT; i++) {
		if (!(shown & SOCKSTATE_STATE_BIT(sockstate__state_order[i])))
			continue;
		sockstate__out_char(out, ',');
		sockstate__out_u64(out, grp->by_state[sockstate__state_order[i]]);
	}
	sockstate__out_bytes(out, "\r\n", 2);
}

void sockstate__csv_groups(sockstate__out *out, sockstate_groups *g, size_t shown,
                           uint32_t flags)
{
	uint32_t states = sockstate_counts_states(sockstate_groups_totals(g));

	if (!(flags & SOCKSTATE_W_NO_HEADER))
		csv_header(out, sockstate_groups_keys(g), states);
	for (size_t i = 0; i < shown && out->err == 0; i++)
		csv_group(out, sockstate_groups_get(g, i), states, flags);
}

/* ---- the entry point ---- */

SOCKSTATE_API int sockstate_groups_write(sockstate_groups *g, size_t top,
                                         const sockstate_sysinfo *sys,
                                         const char *backend,
                                         const sockstate_write_opts *o,
                                         sockstate_write_fn fn, void *ctx)
{
	sockstate__out out;
	size_t shown;
	int rc;

	if (g == NULL || fn == NULL || o == NULL || o->size < SOCKSTATE_WRITE_OPTS_FIRST_SIZE ||
	    o->port > 65535 || o->port < -1)
		return SOCKSTATE_EINVAL;
	if (o->format != SOCKSTATE_FORMAT_TABLE && o->format != SOCKSTATE_FORMAT_JSON &&
	    o->format != SOCKSTATE_FORMAT_CSV)
		return SOCKSTATE_EINVAL;
	shown = sockstate_groups_size(g);
	if (top > 0 && top < shown)
		shown = top;
	rc = sockstate__groups_rank(g, shown);
	if (rc < 0)
		return rc;
	if (backend == NULL)
		backend = sockstate__groups_backend(g);
	sockstate__out_init(&out, fn, ctx);
	switch (o->format) {
	case SOCKSTATE_FORMAT_TABLE:
		sockstate__table_groups(&out, g, shown, o->flags);
		break;
	case SOCKSTATE_FORMAT_JSON:
		sockstate__json_groups(&out, g, shown, sys, backend);
		break;
	default:
		sockstate__csv_groups(&out, g, shown, o->flags);
		break;
	}
	return sockstate__out_finish(&out);
}
