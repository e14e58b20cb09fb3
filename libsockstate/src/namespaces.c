/* namespaces.c - the list of network namespaces, as the handle's backend
 * finds them, packed into one allocation (entries, then their specs). */
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

struct found_list {
	sockstate_netns *items;
	char **specs;
	size_t n, cap;
};

static int found_one(void *ctx, const char *spec, uint64_t inode, int32_t pid, int current)
{
	struct found_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		sockstate_netns *items = realloc(l->items, cap * sizeof *items);
		char **specs;

		if (!items)
			return SOCKSTATE_ENOMEM;
		l->items = items;
		specs = realloc(l->specs, cap * sizeof *specs);
		if (!specs)
			return SOCKSTATE_ENOMEM;
		l->specs = specs;
		l->cap = cap;
	}
	l->specs[l->n] = strdup(spec);
	if (!l->specs[l->n])
		return SOCKSTATE_ENOMEM;
	l->items[l->n] = (sockstate_netns){
		.size = sizeof(sockstate_netns), .pid = pid, .inode = inode,
		.current = current ? 1 : 0,
	};
	l->n++;
	return 0;
}

static void found_free(struct found_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->specs[i]);
	free(l->specs);
	free(l->items);
}

SOCKSTATE_API int sockstate_netns_list(sockstate_handle *h, sockstate_netns **out, size_t *count)
{
	const sockstate__backend *b = sockstate__handle_backend(h);
	struct found_list l = {0};
	size_t strings = 0, off;
	char *base;
	int rc;

	if (out)
		*out = NULL;
	if (count)
		*count = 0;
	if (!h || !out || !count)
		return SOCKSTATE_EINVAL;
	if (!b || !b->netns_list)
		return sockstate__fail(h, SOCKSTATE_ENOTSUP, "backend %s has no network namespaces",
		                       b ? b->name : "(none)");
	rc = b->netns_list(h, found_one, &l);
	if (rc < 0) {
		found_free(&l);
		return rc == SOCKSTATE_ENOMEM ? sockstate__fail(h, rc, "out of memory") : rc;
	}
	for (size_t i = 0; i < l.n; i++)
		strings += strlen(l.specs[i]) + 1;
	off = l.n * sizeof *l.items;
	base = malloc(off + strings + 1);
	if (!base) {
		found_free(&l);
		return sockstate__fail(h, SOCKSTATE_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < l.n; i++) {
		sockstate_netns *e = (sockstate_netns *)(void *)base + i;
		size_t len = strlen(l.specs[i]) + 1;

		*e = l.items[i];
		memcpy(base + off, l.specs[i], len);
		e->spec = base + off;
		off += len;
	}
	*out = (sockstate_netns *)(void *)base;
	*count = l.n;
	found_free(&l);
	return 0;
}

SOCKSTATE_API void sockstate_netns_list_free(sockstate_netns *list)
{
	free(list);
}
