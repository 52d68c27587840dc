/* assay/normalize.h: text normalised for matching, with a map back to the
 * original bytes.
 *
 * Unicode NFKC and case folding (utf8proc), zero-width, bidirectional and
 * variation-selector characters removed, Unicode tag characters turned
 * into the ASCII they smuggle. Scanners match the normalised text and
 * report offsets in the original through the segment map. Used by the
 * text scanners (lib/scan) and the red-team detectors (lib/genai).
 */
#ifndef ASSAY_NORMALIZE_H
#define ASSAY_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

/* A run of normalised bytes and where it came from. */
struct assay_norm_seg {
	uint64_t norm, orig; /* start of the segment in each text */
	uint32_t orig_len;   /* expanded segment: bytes of the one original code point; 0: copy */
};

struct assay_norm {
	char *buf; /* normalised text (NULL when the input was pure ASCII) */
	size_t len, cap;
	struct assay_norm_seg *seg;
	size_t nseg, segcap;
	uint64_t invisible; /* zero-width / bidi / variation selectors removed */
	uint64_t tags;      /* Unicode tag characters turned into ASCII */
	/* where the first hidden characters were (injection markers) */
	struct assay_norm_hidden {
		uint64_t norm, orig;
		int kind; /* 0 zero-width, 1 bidi control, 2 tag character */
	} hidden[32];
	size_t nhidden;
};

/* Normalise text (n zeroed before first use; reusable). Returns 0 or
 * ASSAY_ENOMEM. When the text is pure ASCII n->buf stays NULL and the
 * caller matches the original. */
int assay_normalize(struct assay_norm *n, const char *text, size_t len);
void assay_norm_free(struct assay_norm *n);
/* Map a normalised start / exclusive end back to original offsets. */
uint64_t assay_norm_map_start(const struct assay_norm *n, uint64_t p);
uint64_t assay_norm_map_end(const struct assay_norm *n, const char *orig, uint64_t p);

#endif
