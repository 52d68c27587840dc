/* cli.h: the command table and helpers shared by the command files. */
#ifndef ASSAY_CLI_H
#define ASSAY_CLI_H

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_eval(int argc, char **argv);

#endif
