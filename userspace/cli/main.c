/* SPDX-License-Identifier: MIT */
/* main.c - `vigil COMMAND ...`: finds the registered command and runs it. */
#include <stdio.h>
#include <string.h>

#include "cli/command.h"

static struct vigil_command *commands;

void cli_register(struct vigil_command *cmd)
{
	struct vigil_command **p = &commands;

	/* keep the list sorted by name, for `vigil help` */
	while (*p && strcmp((*p)->name, cmd->name) < 0)
		p = &(*p)->next;
	cmd->next = *p;
	*p = cmd;
}

const struct vigil_command *cli_commands(void)
{
	return commands;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vigil COMMAND [ARGS...]\n\ncommands:\n");
	for (const struct vigil_command *c = commands; c; c = c->next)
		fprintf(f, "  %-44s %s\n", c->usage, c->summary);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (const struct vigil_command *c = commands; c; c = c->next)
		if (!strcmp(c->name, argv[1]))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "vigil: unknown command '%s' (try 'vigil help')\n", argv[1]);
	return 2;
}
