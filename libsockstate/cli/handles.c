/* handles.c - the library handles one command runs on: the caller's
 * network namespace, the one --netns names, or every one (--all-netns,
 * a handle each), and what to say about those that could not be entered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int handle_open(const struct cli_args *a, const char *netns, sockstate_handle **h)
{
	sockstate_options opts;

	memset(&opts, 0, sizeof opts);
	opts.size = sizeof opts;
	opts.backend = a->backend;
	opts.pid_source = a->pid_source;
	opts.netns = netns;
	return sockstate_open(h, &opts);
}

/* What a failed open is about: the namespace option (the library's detail
 * names the namespace itself), else the backend. */
static void what_failed(const struct cli_args *a, const char *netns, char *buf, size_t len)
{
	if (netns)
		snprintf(buf, len, "%s", a->all_netns ? "--all-netns" : "--netns");
	else
		snprintf(buf, len, "backend %s", a->backend ? a->backend : "auto");
}

static int set_add(struct cli_handle_set *set, sockstate_handle *h)
{
	sockstate_handle **p = realloc(set->h, (set->n + 1) * sizeof *p);

	if (!p)
		return -1;
	set->h = p;
	set->h[set->n++] = h;
	return 0;
}

static int set_fail(struct cli_handle_set *set, const char *msg)
{
	char **p = realloc(set->failed, (set->nfailed + 1) * sizeof *p);

	if (!p)
		return -1;
	set->failed = p;
	size_t len = strlen(msg) + 1;

	if (!(set->failed[set->nfailed] = malloc(len)))
		return -1;
	memcpy(set->failed[set->nfailed], msg, len);
	set->nfailed++;
	return 0;
}

static int open_every_namespace(const struct cli_args *a, struct cli_handle_set *set,
                                struct cli_error *e)
{
	sockstate_handle *base = NULL;
	sockstate_netns *list = NULL;
	size_t count = 0;
	int first_err = 0;
	int rc = handle_open(a, NULL, &base);

	if (rc != SOCKSTATE_OK) {
		char what[128];
		what_failed(a, NULL, what, sizeof what);
		cli_library_error(e, what, rc, sockstate_errdetail(NULL));
		return cli_exit_code(rc);
	}
	rc = sockstate_netns_list(base, &list, &count);
	if (rc != SOCKSTATE_OK) {
		cli_library_error(e, "--all-netns: listing network namespaces", rc,
		                  sockstate_errdetail(base));
		sockstate_close(base);
		return cli_exit_code(rc);
	}
	sockstate_close(base);
	for (size_t i = 0; i < count; i++) {
		sockstate_handle *h = NULL;
		struct cli_error one;

		rc = handle_open(a, list[i].spec, &h);
		if (rc == SOCKSTATE_OK) {
			if (set_add(set, h) == 0)
				continue;
			sockstate_close(h);
			rc = SOCKSTATE_ENOMEM;
		}
		if (!first_err)
			first_err = rc;
		char what[128];
		what_failed(a, list[i].spec, what, sizeof what);
		cli_library_error(&one, what, rc, sockstate_errdetail(NULL));
		if (set_fail(set, one.msg) < 0) {
			sockstate_netns_list_free(list);
			cli_error_set(e, "out of memory");
			return CLI_EXIT_OS;
		}
	}
	sockstate_netns_list_free(list);
	if (set->n == 0) {
		/* Nothing to show at all: that is a failure, not a part. */
		for (size_t i = 0; i + 1 < set->nfailed; i++)
			cli_say(set->failed[i]);
		cli_error_set(e, "%s", set->nfailed ? set->failed[set->nfailed - 1]
		              : "--all-netns: no network namespace found");
		return set->nfailed ? cli_exit_code(first_err) : CLI_EXIT_OS;
	}
	return CLI_EXIT_OK;
}

int cli_handles_open(const struct cli_args *a, struct cli_handle_set *set,
                     struct cli_error *e)
{
	sockstate_handle *h = NULL;
	int code;
	int rc;

	memset(set, 0, sizeof *set);
	if (a->all_netns) {
		code = open_every_namespace(a, set, e);
		if (code != CLI_EXIT_OK)
			cli_handles_close(set);
		return code;
	}
	rc = handle_open(a, a->netns, &h);
	if (rc != SOCKSTATE_OK) {
		char what[128];
		what_failed(a, a->netns, what, sizeof what);
		cli_library_error(e, what, rc, sockstate_errdetail(NULL));
		return cli_exit_code(rc);
	}
	if (set_add(set, h) < 0) {
		sockstate_close(h);
		cli_error_set(e, "out of memory");
		return CLI_EXIT_OS;
	}
	return CLI_EXIT_OK;
}

void cli_handles_close(struct cli_handle_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		sockstate_close(set->h[i]);
	for (size_t i = 0; i < set->nfailed; i++)
		free(set->failed[i]);
	free(set->h);
	free(set->failed);
	memset(set, 0, sizeof *set);
}

/* One line when owners were asked for and some could not be read: how
 * many sockets, why, what to do (the result stays whole otherwise: every
 * socket is listed, its owner unknown). */
static void say_owners_unreadable(const struct cli_handle_set *set)
{
	unsigned long long sockets = 0;
	const char *why = "";

	for (size_t i = 0; i < set->n; i++) {
		const char *one;
		uint64_t n = sockstate_owners_unreadable(set->h[i], &one);

		if (n && !sockets)
			why = one;
		sockets += n;
	}
	if (sockets) {
		char line[512];

		snprintf(line, sizeof line, "the owners of %llu socket%s could not be read: "
		         "%s; run as root to see every owner", sockets,
		         sockets == 1 ? "" : "s", why);
		cli_say(line);
	}
}

int cli_handles_finish(const struct cli_handle_set *set, int code, struct cli_error *e)
{
	if (code == CLI_EXIT_OK || code == CLI_EXIT_NOT_MET)
		say_owners_unreadable(set);
	if (code != CLI_EXIT_OK || set->nfailed == 0)
		return code;
	for (size_t i = 0; i < set->nfailed; i++)
		cli_say(set->failed[i]);
	cli_error_set(e, "partial result: %zu of %zu network namespaces could not be "
	              "entered; the rest is shown", set->nfailed, set->nfailed + set->n);
	return CLI_EXIT_PARTIAL;
}
