/* jsonbuild.c: the jansson helpers shared by the JSON renderers
 * (jsonbuild.h). */
#include <math.h>
#include <stdio.h>

#include "format.h"
#include "jsonbuild.h"

json_t *rpt_jstr(struct rpt_json *c, const char *s)
{
	if (!s)
		return json_null();
	json_t *v = json_string(s);
	if (!v) { /* not UTF-8: replace the bad bytes */
		char *fixed = rpt_utf8_fix(c->arena, s);
		v = fixed ? json_string(fixed) : NULL;
	}
	if (!v)
		c->oom = 1;
	return v;
}

json_t *rpt_jnum(struct rpt_json *c, double d)
{
	if (!isfinite(d))
		return json_null();
	json_t *v = json_real(d);
	if (!v)
		c->oom = 1;
	return v;
}

json_t *rpt_juint(struct rpt_json *c, uint64_t u)
{
	json_t *v;
	if (u > (uint64_t)INT64_MAX) {
		char buf[32];
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)u);
		v = json_string(buf);
	} else {
		v = json_integer((json_int_t)u);
	}
	if (!v)
		c->oom = 1;
	return v;
}

void rpt_jset(struct rpt_json *c, json_t *o, const char *key, json_t *v)
{
	if (!o || json_object_set_new(o, key, v) != 0)
		c->oom = 1;
}

void rpt_jpush(struct rpt_json *c, json_t *a, json_t *v)
{
	if (!a || json_array_append_new(a, v) != 0)
		c->oom = 1;
}
