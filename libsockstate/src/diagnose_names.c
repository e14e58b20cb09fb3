/* diagnose_names.c - the stable names of a diagnosis' vocabulary: the
 * finding codes, severities, check statuses, notes and probe outcomes,
 * and their parsers. The JSON document and the CLI print these names;
 * scripts and the Ansible module match on them. */
#include <string.h>

#include "diagnose_internal.h"

static const char *const finding_names[SOCKSTATE_FINDING_COUNT] = {
	[SOCKSTATE_FINDING_NO_LISTENER] = "no-listener",
	[SOCKSTATE_FINDING_LISTENER_NOT_ON_ADDRESS] = "listener-not-on-address",
	[SOCKSTATE_FINDING_IPV6_ONLY_LISTENER] = "ipv6-only-listener",
	[SOCKSTATE_FINDING_ACCEPT_QUEUE_OVERFLOW] = "accept-queue-overflow",
	[SOCKSTATE_FINDING_SYN_RECEIVED_PILE] = "syn-received-pile",
	[SOCKSTATE_FINDING_CLOSE_WAIT_LEAK] = "close-wait-leak",
	[SOCKSTATE_FINDING_SYN_SENT_UNANSWERED] = "syn-sent-unanswered",
	[SOCKSTATE_FINDING_EPHEMERAL_PORTS_LOW] = "ephemeral-ports-low",
	[SOCKSTATE_FINDING_TIME_WAIT_PILE] = "time-wait-pile",
	[SOCKSTATE_FINDING_RETRANSMISSIONS_HIGH] = "retransmissions-high",
	[SOCKSTATE_FINDING_CONNECTION_REFUSED] = "connection-refused",
	[SOCKSTATE_FINDING_CONNECTION_TIMEOUT] = "connection-timeout",
	[SOCKSTATE_FINDING_NO_ROUTE] = "no-route",
	[SOCKSTATE_FINDING_NO_EPHEMERAL_PORT] = "no-ephemeral-port",
};

static const char *const severity_names[] = {
	[SOCKSTATE_SEVERITY_INFO] = "info",
	[SOCKSTATE_SEVERITY_WARNING] = "warning",
	[SOCKSTATE_SEVERITY_CRITICAL] = "critical",
};

static const char *const status_names[] = {
	[SOCKSTATE_CHECK_CLEAR] = "clear",
	[SOCKSTATE_CHECK_FOUND] = "found",
	[SOCKSTATE_CHECK_NOT_ASKED] = "not-asked",
	[SOCKSTATE_CHECK_NOT_CHECKED] = "not-checked",
	[SOCKSTATE_CHECK_NOT_JUDGED] = "not-judged",
};

/* In the order of the SOCKSTATE_NOTE_* bits. */
static const char *const note_names[SOCKSTATE_NOTE_COUNT] = {
	"needs-port", "needs-address", "needs-to", "needs-probe", "no-counters",
	"counter-unknown", "since-boot", "no-backlog", "no-v6only", "no-port-range",
	"port-range-assumed", "no-retransmits", "owners-unknown",
};

static const char *const probe_names[] = {
	[SOCKSTATE_PROBE_NONE] = "none",
	[SOCKSTATE_PROBE_CONNECTED] = "connected",
	[SOCKSTATE_PROBE_REFUSED] = "refused",
	[SOCKSTATE_PROBE_TIMEOUT] = "timeout",
	[SOCKSTATE_PROBE_NO_ROUTE] = "no-route",
	[SOCKSTATE_PROBE_NO_PORT] = "no-port",
	[SOCKSTATE_PROBE_ERROR] = "error",
};

#define NAME_OF(table, i) \
	((unsigned)(i) < sizeof(table) / sizeof(table)[0] ? (table)[(unsigned)(i)] : NULL)

/* Does text spell name, case aside, with '-', '_' and ' ' alike? */
static int same_name(const char *text, const char *name)
{
	for (; *text && *name; text++, name++) {
		char a = *text, b = *name;

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a == '_' || a == ' ')
			a = '-';
		if (a != b)
			return 0;
	}
	return *text == '\0' && *name == '\0';
}

/* The index of text among table's n names (NULL rows skipped), or -1. */
static int find_name(const char *text, const char *const *table, size_t n)
{
	if (!text)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (table[i] && same_name(text, table[i]))
			return (int)i;
	return -1;
}

SOCKSTATE_API const char *sockstate_finding_name(sockstate_finding_code c)
{
	return NAME_OF(finding_names, c);
}

SOCKSTATE_API int sockstate_finding_parse(const char *text, sockstate_finding_code *out)
{
	int i = find_name(text, finding_names, SOCKSTATE_FINDING_COUNT);

	if (i < 0 || !out)
		return SOCKSTATE_EINVAL;
	*out = (sockstate_finding_code)i;
	return 0;
}

SOCKSTATE_API const char *sockstate_severity_name(sockstate_severity s)
{
	return NAME_OF(severity_names, s);
}

SOCKSTATE_API int sockstate_severity_parse(const char *text, sockstate_severity *out)
{
	int i = find_name(text, severity_names,
	                  sizeof severity_names / sizeof severity_names[0]);

	if (i < 0 || !out)
		return SOCKSTATE_EINVAL;
	*out = (sockstate_severity)i;
	return 0;
}

SOCKSTATE_API const char *sockstate_check_status_name(sockstate_check_status s)
{
	return NAME_OF(status_names, s);
}

SOCKSTATE_API const char *sockstate_check_note_name(uint32_t note)
{
	for (unsigned i = 0; i < SOCKSTATE_NOTE_COUNT; i++)
		if (note == 1u << i)
			return note_names[i];
	return NULL;
}

SOCKSTATE_API const char *sockstate_probe_result_name(sockstate_probe_result r)
{
	return NAME_OF(probe_names, r);
}
