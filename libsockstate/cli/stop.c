/* stop.c - SIGINT and SIGTERM as a request to stop, for the commands that
 * run until the user ends them (watch, trace): the signal sets a flag the
 * loop reads between two steps, and cuts a sleep short, so the command
 * ends with exit 0 after writing what it has. The actions in place before
 * are given back at the end: the program around cli_main (python -m
 * sockstate) has its own. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <string.h>

#include "cli.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

#ifdef _WIN32

static void (*saved_sigint)(int);
static void (*saved_sigterm)(int);

void cli_stop_catch(void)
{
	stop_requested = 0;
	saved_sigint = signal(SIGINT, on_stop);
	saved_sigterm = signal(SIGTERM, on_stop);
}

void cli_stop_release(void)
{
	signal(SIGINT, saved_sigint);
	signal(SIGTERM, saved_sigterm);
}

#else

static struct sigaction saved_sigint;
static struct sigaction saved_sigterm;

void cli_stop_catch(void)
{
	struct sigaction sa;

	stop_requested = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the signal must cut a sleep or a wait short. */
	sigaction(SIGINT, &sa, &saved_sigint);
	sigaction(SIGTERM, &sa, &saved_sigterm);
}

void cli_stop_release(void)
{
	sigaction(SIGINT, &saved_sigint, NULL);
	sigaction(SIGTERM, &saved_sigterm, NULL);
}

#endif

int cli_stop_requested(void)
{
	return stop_requested != 0;
}
