/* SPDX-License-Identifier: MIT */
/*
 * command.h - how a `vigil SUBCOMMAND` registers itself.
 *
 * Each command lives in its own cli/cmd_*.c and ends with
 *     VIGIL_COMMAND(capture, cmd_capture, "capture -w FILE [-d S] [-n N]",
 *                   "record events into a capture file");
 * The registration runs before main() (a constructor), so main.c never
 * lists commands and two commands never edit the same file.
 */
#ifndef VIGIL_CLI_COMMAND_H
#define VIGIL_CLI_COMMAND_H

struct vigil_command {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the command name */
	const char *usage;
	const char *summary;
	struct vigil_command *next;
};

void cli_register(struct vigil_command *cmd);
const struct vigil_command *cli_commands(void);

#define VIGIL_COMMAND(id, fn, usage_, summary_)				\
	static struct vigil_command vigil_cmd_##id = {			\
		.name = #id, .run = fn, .usage = usage_,		\
		.summary = summary_,					\
	};								\
	__attribute__((constructor)) static void vigil_cmd_reg_##id(void) \
	{								\
		cli_register(&vigil_cmd_##id);				\
	}

/* The same for a command whose name is not a C identifier ("alert-test"). */
#define VIGIL_COMMAND_NAMED(id, name_, fn, usage_, summary_)		\
	static struct vigil_command vigil_cmd_##id = {			\
		.name = name_, .run = fn, .usage = usage_,		\
		.summary = summary_,					\
	};								\
	__attribute__((constructor)) static void vigil_cmd_reg_##id(void) \
	{								\
		cli_register(&vigil_cmd_##id);				\
	}

#endif
