/* finding.c: finding fingerprints and repeat detection (issue 6,
 * "Findings"). A fingerprint is the SHA-256 of the system slug, the
 * control id and the root cause normalised so that wording noise does not
 * hide a recurrence: NFKC with Unicode case folding (utf8proc), every run
 * of characters that are neither letters nor digits becomes one space,
 * trimmed. "FNR gap, applicants >60!" and "fnr gap applicants 60" are the
 * same root cause; "gap for 60" and "gap for 65" are not (digits count).
 * What it does not do: stemming or synonyms; a differently worded cause is
 * a different fingerprint, by design (predictable beats clever here).
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "assay/hash.h"
#include "assay/workflow.h"

int assay_finding_normalise(const char *text, char *out, size_t size, struct assay_error *err)
{
	utf8proc_uint8_t *folded = NULL;
	utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)text, 0, &folded,
	                                    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
	                                        UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);
	if (len < 0)
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "root cause is not valid UTF-8: %s",
		                       utf8proc_errmsg(len));
	size_t o = 0;
	int pending_space = 0;
	for (utf8proc_ssize_t i = 0; i < len;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(folded + i, len - i, &cp);
		if (l <= 0)
			break;
		utf8proc_category_t c = utf8proc_category(cp);
		int keep =
		    (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) || c == UTF8PROC_CATEGORY_ND;
		if (!keep) {
			pending_space = o > 0;
		} else {
			size_t need = (size_t)l + (pending_space ? 1 : 0);
			if (o + need >= size)
				break;
			if (pending_space)
				out[o++] = ' ';
			memcpy(out + o, folded + i, (size_t)l);
			o += (size_t)l;
			pending_space = 0;
		}
		i += l;
	}
	if (size)
		out[o < size ? o : size - 1] = '\0';
	free(folded);
	return 0;
}

int assay_finding_fingerprint(const char *system, const char *control, const char *root_cause, char out[65],
                              struct assay_error *err)
{
	char norm[1024];
	int rc = assay_finding_normalise(root_cause ? root_cause : "", norm, sizeof norm, err);
	if (rc)
		return rc;
	size_t ls = strlen(system), lc = strlen(control ? control : ""), ln = strlen(norm);
	char *buf = malloc(ls + lc + ln + 3);
	if (!buf)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	memcpy(buf, system, ls);
	buf[ls] = '\n';
	memcpy(buf + ls + 1, control ? control : "", lc);
	buf[ls + 1 + lc] = '\n';
	memcpy(buf + ls + lc + 2, norm, ln);
	assay_sha256_hex(buf, ls + lc + ln + 2, out);
	free(buf);
	return 0;
}

int assay_finding_is_repeat_of(int earlier_state)
{
	return earlier_state == ASSAY_FS_RESOLVED || earlier_state == ASSAY_FS_VERIFIED ||
	       earlier_state == ASSAY_FS_CLOSED;
}
