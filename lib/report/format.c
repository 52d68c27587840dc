/* format.c: the helpers every eval renderer shares (format.h): how a
 * number, an interval, a parameter list or a check tally is written, which
 * metric columns a task shows, and how user strings (group names, paths,
 * messages) are made safe for terminals, JSON, XML/HTML and Markdown.
 *
 * UTF-8 is decoded strictly (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF); anything else becomes U+FFFD rather than being passed
 * through, because a report is read by browsers, CI systems and terminals
 * that each fail differently on bad bytes.
 *
 * It deliberately does not open files or choose a format: report.c
 * dispatches, and each renderer owns its layout.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "format.h"

/* ---- numbers ---------------------------------------------------------- */

int rpt_has_ci(struct assay_interval ci)
{
	return !isnan(ci.lo) && !isnan(ci.hi);
}

const char *rpt_num(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "—");
	else if (isinf(v))
		snprintf(buf, size, v > 0 ? "inf" : "-inf");
	else if (fabs(v) < 0.0005)
		snprintf(buf, size, "0.000"); /* no "-0.000" for tiny negatives */
	else if (fabs(v) >= 1e9)
		snprintf(buf, size, "%.3e", v);
	else
		snprintf(buf, size, "%.3f", v);
	return buf;
}

const char *rpt_ci(char *buf, size_t size, struct assay_interval ci)
{
	if (!rpt_has_ci(ci)) {
		snprintf(buf, size, "%s", "");
		return buf;
	}
	char lo[RPT_NUM_SIZE], hi[RPT_NUM_SIZE];
	snprintf(buf, size, "[%s, %s]", rpt_num(lo, sizeof lo, ci.lo), rpt_num(hi, sizeof hi, ci.hi));
	return buf;
}

const char *rpt_num_ci(char *buf, size_t size, double v, struct assay_interval ci)
{
	char val[RPT_NUM_SIZE], iv[RPT_NUM_SIZE];
	rpt_num(val, sizeof val, v);
	if (isnan(v) || !rpt_has_ci(ci))
		snprintf(buf, size, "%s", val);
	else
		snprintf(buf, size, "%s %s", val, rpt_ci(iv, sizeof iv, ci));
	return buf;
}

const char *rpt_num_short(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "—");
	else
		snprintf(buf, size, "%.6g", v);
	return buf;
}

const char *rpt_ci_label(char *buf, size_t size, const struct assay_eval_report *r)
{
	double c = r->params.confidence;
	if (r->params.ci_method == ASSAY_CI_NONE || !(c > 0 && c < 1))
		snprintf(buf, size, "CI");
	else
		snprintf(buf, size, "%.4g%% CI", c * 100.0);
	return buf;
}

/* ---- columns ---------------------------------------------------------- */

static void add_column(struct rpt_columns *c, enum assay_metric m)
{
	if (c->n < RPT_MAX_COLUMNS)
		c->m[c->n++] = m;
}

void rpt_table_columns(const struct assay_eval_report *r, struct rpt_columns *c)
{
	c->n = 0;
	if (r->params.task == ASSAY_TASK_REGRESSION) {
		add_column(c, ASSAY_M_MAE);
		add_column(c, ASSAY_M_RMSE);
		add_column(c, ASSAY_M_R2);
		add_column(c, ASSAY_M_MEAN_PREDICTION);
		add_column(c, ASSAY_M_MEAN_RESIDUAL);
		return;
	}
	add_column(c, ASSAY_M_SELECTION_RATE);
	add_column(c, ASSAY_M_RECALL);
	add_column(c, ASSAY_M_FPR);
	add_column(c, ASSAY_M_PRECISION);
	add_column(c, ASSAY_M_ACCURACY);
	if (r->params.score)
		add_column(c, ASSAY_M_ROC_AUC);
}

void rpt_chart_columns(const struct assay_eval_report *r, struct rpt_columns *c)
{
	c->n = 0;
	if (r->params.task == ASSAY_TASK_REGRESSION) {
		add_column(c, ASSAY_M_MAE);
		add_column(c, ASSAY_M_RMSE);
		return;
	}
	add_column(c, ASSAY_M_SELECTION_RATE);
	add_column(c, ASSAY_M_RECALL);
	add_column(c, ASSAY_M_FPR);
	if (r->params.score)
		add_column(c, ASSAY_M_ROC_AUC);
}

const char *rpt_metric_label(enum assay_metric m)
{
	switch (m) {
	case ASSAY_M_SELECTION_RATE:
		return "selection rate";
	case ASSAY_M_RECALL:
		return "TPR";
	case ASSAY_M_FPR:
		return "FPR";
	case ASSAY_M_PRECISION:
		return "precision";
	case ASSAY_M_ACCURACY:
		return "accuracy";
	case ASSAY_M_ROC_AUC:
		return "AUC";
	case ASSAY_M_MAE:
		return "MAE";
	case ASSAY_M_RMSE:
		return "RMSE";
	case ASSAY_M_R2:
		return "R²";
	case ASSAY_M_MEAN_PREDICTION:
		return "mean prediction";
	case ASSAY_M_MEAN_RESIDUAL:
		return "mean residual";
	default:
		return assay_metric_name(m);
	}
}

int rpt_metric_is_unit(enum assay_metric m)
{
	return assay_metric_is_rate(m) || m == ASSAY_M_ROC_AUC || m == ASSAY_M_BALANCED_ACCURACY ||
	       m == ASSAY_M_F1 || m == ASSAY_M_AVERAGE_PRECISION;
}

/* ---- the report ------------------------------------------------------- */

int rpt_validate(const struct assay_eval_report *r, struct assay_error *err)
{
	if (r->nslices == 0 || !r->slices)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "eval report has no overall slice");
	for (size_t i = 0; i < r->nslicings; i++)
		if (r->slicings[i].first > r->nslices ||
		    r->slicings[i].count > r->nslices - r->slicings[i].first)
			return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0,
			                       "eval report: slicing %zu points past the %zu slices", i,
			                       r->nslices);
	for (size_t i = 0; i < r->nslices; i++) {
		int s = r->slices[i].slicing;
		if (s < -1 || (s >= 0 && (size_t)s >= r->nslicings))
			return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0,
			                       "eval report: slice %zu names slicing %d of %zu", i, s,
			                       r->nslicings);
	}
	for (size_t i = 0; i < r->ndisparities; i++) {
		int s = r->disparities[i].slicing;
		if (s < 0 || (size_t)s >= r->nslicings || (unsigned)r->disparities[i].kind >= ASSAY_D__COUNT)
			return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0,
			                       "eval report: disparity %zu is out of range", i);
	}
	for (size_t i = 0; i < r->ndi; i++) {
		const struct assay_di_result *d = &r->di[i];
		if (d->slicing < 0 || (size_t)d->slicing >= r->nslicings || d->slice >= r->nslices ||
		    d->reference_slice >= r->nslices)
			return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0,
			                       "eval report: disparate impact %zu is out of range", i);
	}
	return 0;
}

const char *rpt_slicing_name(const struct assay_eval_report *r, int i)
{
	if (i < 0 || (size_t)i >= r->nslicings)
		return "overall";
	return r->slicings[i].name ? r->slicings[i].name : "?";
}

void rpt_tally_checks(const struct assay_eval_report *r, struct rpt_tally *t)
{
	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < r->nchecks; i++) {
		switch (r->checks[i].status) {
		case ASSAY_CHECK_PASS:
			t->pass++;
			break;
		case ASSAY_CHECK_FAIL:
			t->fail++;
			break;
		default:
			t->inconclusive++;
			break;
		}
	}
}

const char *rpt_tally_text(char *buf, size_t size, const struct assay_eval_report *r)
{
	struct rpt_tally t;
	rpt_tally_checks(r, &t);
	if (r->nchecks == 0) {
		snprintf(buf, size, "no checks");
		return buf;
	}
	int n = snprintf(buf, size, "%zu check%s, %zu passed, %zu failed", r->nchecks,
	                 r->nchecks == 1 ? "" : "s", t.pass, t.fail);
	if (t.inconclusive && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, ", %zu inconclusive", t.inconclusive);
	return buf;
}

const char *rpt_task_name(enum assay_task t)
{
	return t == ASSAY_TASK_REGRESSION ? "regression" : "binary";
}

const char *rpt_ci_method_name(enum assay_ci_method m)
{
	switch (m) {
	case ASSAY_CI_BOOTSTRAP:
		return "bootstrap";
	case ASSAY_CI_WILSON:
		return "wilson";
	default:
		return "none";
	}
}

static const char *join(struct assay_arena *a, const char *const *v, size_t n, const char *sep)
{
	if (n == 0)
		return "—";
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(v[i] ? v[i] : "") + strlen(sep);
	char *s = assay_arena_alloc(a, len);
	if (!s)
		return "?";
	s[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, sep);
		strcat(s, v[i] ? v[i] : "");
	}
	return s;
}

static const char *or_dash(const char *s)
{
	return s ? s : "—";
}

size_t rpt_params(const struct assay_eval_report *r, struct assay_arena *a, struct rpt_kv *kv)
{
	const struct assay_eval_params *p = &r->params;
	size_t n = 0;
	char ci[RPT_NUM_SIZE];
#define KV(k, v) (kv[n].key = (k), kv[n].value = (v), n++)
	KV("task", rpt_task_name(p->task));
	KV("label", or_dash(p->label));
	KV("pred", or_dash(p->pred));
	if (p->pred_from)
		KV("pred from", p->pred_from);
	KV("score", or_dash(p->score));
	KV("sensitive", join(a, p->sensitive, p->nsensitive, ", "));
	if (p->task != ASSAY_TASK_REGRESSION)
		KV("positive label", p->pos_label ? p->pos_label : "1/true");
	if (!isnan(p->threshold))
		KV("threshold", assay_arena_printf(a, "%.6g", p->threshold));
	if (p->nwhere)
		KV("where", join(a, p->where, p->nwhere, " and "));
	KV("min group size",
	   assay_arena_printf(a, "%llu%s", (unsigned long long)p->min_group_size,
	                      p->include_small ? " (small groups kept in disparities)" : ""));
	if (p->ci_method == ASSAY_CI_BOOTSTRAP)
		KV("intervals",
		   assay_arena_printf(a, "%s, bootstrap B=%u, seed %llu", rpt_ci_label(ci, sizeof ci, r),
		                      p->bootstrap, (unsigned long long)p->seed));
	else if (p->ci_method == ASSAY_CI_WILSON)
		KV("intervals", assay_arena_printf(a, "%s, Wilson score", rpt_ci_label(ci, sizeof ci, r)));
	else
		KV("intervals", "none");
	KV("reference group", p->reference_group ? p->reference_group : "largest group");
	KV("inconclusive", p->inconclusive_fails ? "counts as failure" : "reported, not failing");
#undef KV
	for (size_t i = 0; i < n; i++)
		if (!kv[i].value)
			kv[i].value = "?"; /* arena out of memory: show something */
	return n;
}

const char *rpt_basename(const char *path)
{
	if (!path)
		return "";
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

const char *rpt_short_sha(char buf[13], const char *sha)
{
	snprintf(buf, 13, "%.12s", sha ? sha : "");
	return buf;
}

const char *rpt_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1000 && u + 1 < sizeof unit / sizeof *unit) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, size, "%.1f %s", v, unit[u]);
	return buf;
}

/* ---- strings ---------------------------------------------------------- */

size_t rpt_utf8_next(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c = s[0];
	size_t len;
	uint32_t min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2, min = 0x80, c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, min = 0x800, c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) { /* also stops at the terminating NUL */
			*cp = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = c;
	return len;
}

size_t rpt_width(const char *s)
{
	size_t w = 0;
	uint32_t cp;
	while (*s) {
		s += rpt_utf8_next(s, &cp);
		w++;
	}
	return w;
}

static size_t put_utf8(char *d, uint32_t c)
{
	if (c < 0x80) {
		d[0] = (char)c;
		return 1;
	} else if (c < 0x800) {
		d[0] = (char)(0xC0 | (c >> 6));
		d[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	} else if (c < 0x10000) {
		d[0] = (char)(0xE0 | (c >> 12));
		d[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		d[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | (c >> 18));
	d[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	d[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	d[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static int is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

/* Re-encode s, replacing invalid sequences (and controls when asked). A
 * replaced byte grows to 3 bytes at most, so 3 * len + 1 is enough. */
static char *recode(struct assay_arena *a, const char *s, int controls)
{
	char *d = assay_arena_alloc(a, 3 * strlen(s) + 1);
	if (!d)
		return NULL;
	size_t o = 0;
	uint32_t cp;
	while (*s) {
		s += rpt_utf8_next(s, &cp);
		if (controls && is_control(cp))
			cp = 0xFFFD;
		o += put_utf8(d + o, cp);
	}
	d[o] = '\0';
	return d;
}

char *rpt_clean(struct assay_arena *a, const char *s)
{
	char *c = recode(a, s ? s : "", 1);
	return c ? c : (char *)"?";
}

char *rpt_utf8_fix(struct assay_arena *a, const char *s)
{
	return s ? recode(a, s, 0) : NULL;
}

void rpt_put_xml(FILE *out, const char *s)
{
	if (!s)
		return;
	uint32_t cp;
	char u[4];
	while (*s) {
		s += rpt_utf8_next(s, &cp);
		switch (cp) {
		case '&':
			fputs("&amp;", out);
			continue;
		case '<':
			fputs("&lt;", out);
			continue;
		case '>':
			fputs("&gt;", out);
			continue;
		case '"':
			fputs("&quot;", out);
			continue;
		case '\'':
			fputs("&#39;", out);
			continue;
		default:
			break;
		}
		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF)
			cp = 0xFFFD;
		fwrite(u, 1, put_utf8(u, cp), out);
	}
}

void rpt_put_md(FILE *out, const char *s)
{
	if (!s)
		return;
	uint32_t cp;
	char u[4];
	while (*s) {
		s += rpt_utf8_next(s, &cp);
		if (is_control(cp))
			cp = 0xFFFD;
		switch (cp) {
		case '&':
			fputs("&amp;", out);
			continue;
		case '<':
			fputs("&lt;", out);
			continue;
		case '>':
			fputs("&gt;", out);
			continue;
		case '|':
		case '\\':
		case '`':
		case '*':
		case '_':
		case '[':
		case ']':
		case '~':
		case '#':
		case '!':
			fputc('\\', out);
			fputc((int)cp, out);
			continue;
		default:
			break;
		}
		fwrite(u, 1, put_utf8(u, cp), out);
	}
}

void rpt_put_md_code(FILE *out, const char *s)
{
	uint32_t cp;
	char u[4];
	fputc('`', out);
	while (s && *s) {
		s += rpt_utf8_next(s, &cp);
		if (is_control(cp))
			cp = 0xFFFD;
		else if (cp == '`')
			cp = '\'';
		if (cp == '|')
			fputc('\\', out); /* GFM splits cells even inside code spans */
		fwrite(u, 1, put_utf8(u, cp), out);
	}
	fputc('`', out);
}

int rpt_finish(FILE *out, struct assay_error *err)
{
	if (fflush(out) != 0 || ferror(out))
		return assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the report: %s",
		                       strerror(errno ? errno : EIO));
	return 0;
}
