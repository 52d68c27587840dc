/* exec_bot.c: the deterministic test assistant as a local command for
 * exec: targets: the prompt on stdin, the answer on stdout, by the rules of
 * bot.c; the system prompt comes from ASSAY_MESSAGES (the conversation as
 * JSON, set by assay). Exec targets have no tool channel, so the bot is
 * called without tools.
 *
 * usage: rt_exec_bot [--sleep-if WORD SECONDS] [--fail-if WORD]
 *   --sleep-if  sleep that long when the prompt contains WORD (timeouts)
 *   --fail-if   exit 3 without an answer when the prompt contains WORD
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bot.h"

int main(int argc, char **argv)
{
	const char *sleep_word = NULL, *fail_word = NULL;
	int sleep_s = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sleep-if") && i + 2 < argc) {
			sleep_word = argv[++i];
			sleep_s = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--fail-if") && i + 1 < argc) {
			fail_word = argv[++i];
		}
	}
	char *in = NULL;
	size_t n = 0, cap = 0;
	char buf[8192];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, stdin)) > 0) {
		if (n + k + 1 > cap)
			in = realloc(in, cap = 2 * (n + k + 1));
		memcpy(in + n, buf, k);
		n += k;
	}
	if (!in)
		in = calloc(1, 1);
	in[n] = '\0';
	if (fail_word && strstr(in, fail_word))
		return 3;
	if (sleep_word && strstr(in, sleep_word))
		sleep((unsigned)sleep_s);
	const char *system = NULL;
	json_t *msgs = getenv("ASSAY_MESSAGES") ? json_loads(getenv("ASSAY_MESSAGES"), 0, NULL) : NULL;
	size_t i;
	json_t *m;
	json_array_foreach(msgs, i, m)
	{
		const char *role = json_string_value(json_object_get(m, "role"));
		if (role && !strcmp(role, "system"))
			system = json_string_value(json_object_get(m, "content"));
	}
	struct bot_reply r;
	bot_answer(system, in, 0, &r);
	fputs(r.text, stdout);
	bot_reply_free(&r);
	json_decref(msgs);
	free(in);
	return 0;
}
