/* bot.h: the deterministic test assistant shared by the OpenAI-compatible
 * test server (server.c) and the exec bot (exec_bot.c). Its rules are in
 * bot.c; integration tests derive their expected counts from them. */
#ifndef ASSAY_TEST_BOT_H
#define ASSAY_TEST_BOT_H

#include <stddef.h>

struct bot_reply {
	char *text;      /* malloc'd */
	char *tool_name; /* malloc'd, or NULL: no tool call */
	char *tool_args; /* malloc'd JSON, or NULL */
};

/* system: the system prompt (may be NULL); user: the last user message;
 * tools: the request offered tools (tool calls only then). */
void bot_answer(const char *system, const char *user, int tools, struct bot_reply *out);
void bot_reply_free(struct bot_reply *r);
/* 1 when text contains one of the bot's trigger words (its "safety filter") */
int bot_triggered(const char *text);

#endif
