/* patterns.c: the built-in detectors: one row per pattern, written for
 * this project (Hyperscan syntax, ASCII after normalisation).
 *
 * Conventions: the database each row goes to (DB_MAIN, DB_DIGIT,
 * DB_WINDOW, DB_AT, DB_NONE) and why is in scan_internal.h; digit entities
 * are bounded by \b so a match never starts or
 * ends inside a longer number. The DB_DIGIT rows are run only where
 * sweep.c opens windows, which relies on their shapes: at most 6 bytes of
 * " .-()xXeEtT" between two digits, at most 1 byte before the first digit,
 * none after the last, 7 digits at least to validate (IPv4: 3 dots; IBAN:
 * 2 letters, then at most 42 bytes). Change a row and sweep.c together,
 * and run bench/scan_diff.sh; every entity pattern asks for its start
 * (SOM, leftmost) because validators need the exact span; injection
 * markers and decode windows only need their end. Secret formats are
 * anchored on the provider's fixed prefix; entropy is only a secondary
 * signal (validate.c / match.c). Detectors whose shape alone is weak
 * (national phone formats, postal codes, dates of birth) require a
 * context word.
 *
 * Deliberately not here: named entities (people, places, organisations),
 * which need a model, not a pattern.
 */
#include <string.h>

#include "scan_internal.h"

#define C   HS_FLAG_CASELESS
#define S   HS_FLAG_SOM_LEFTMOST
#define M   HS_FLAG_MULTILINE
#define PII ASSAY_SCAN_PII
#define SEC ASSAY_SCAN_SECRETS
#define INJ ASSAY_SCAN_INJECTION

static const char *const CTX_PHONE[] = {"phone", "telephone", "tel",       "call",     "calling", "mobile",
                                        "cell",  "cellphone", "fax",       "desk",     "office",  "contact",
                                        "reach", "dial",      "answering", "whatsapp", "sms",     "landline",
                                        "ph",    "message",   "messages",  "text",     "texts",   NULL};
static const char *const CTX_CARD[] = {"card",    "credit",   "debit",   "visa",   "mastercard",
                                       "amex",    "maestro",  "payment", "cc",     "pan",
                                       "billing", "discover", "jcb",     "diners", NULL};
static const char *const CTX_SSN[] = {"ssn", "social", "security", "ssns", NULL};
static const char *const CTX_IBAN[] = {"iban", "account", "bank", "transfer", "wire", NULL};
static const char *const CTX_DOB[] = {"born", "birth", "birthday", "dob", "birthdate", NULL};
static const char *const CTX_POSTAL[] = {"zip",  "zipcode",      "postal", "postcode",
                                         "post", "postleitzahl", NULL};

/* clang-format off */
static const struct scan_det BUILTIN[] = {
	/* ---- personal data ---- */
	{"email", "EMAIL_ADDRESS",
	 "[a-z0-9._%+-]@[a-z0-9][a-z0-9-]*(?:\\.[a-z0-9-]+)*\\.[a-z]{2,24}\\b",
	 C, PII, V_EMAIL, K_ENTITY, CTX_NONE, 0.95f, 0, NULL, START_EMAIL, DB_AT, TAIL_NONE},
	{"credit-card", "CREDIT_CARD",
	 "\\b(?:\\d{4}[ -]?){2,4}\\d{1,4}\\b",
	 S, PII, V_CARD, K_ENTITY, CTX_BOOST, 0.8f, 0, CTX_CARD, START_SOM, DB_DIGIT, TAIL_NONE},
	{"credit-card-short", "CREDIT_CARD", /* 12-digit Maestro / 13-digit Visa: only with a context word */
	 "\\b\\d{12,13}\\b",
	 S, PII, V_CARD, K_ENTITY, CTX_REQUIRED, 0.6f, 0, CTX_CARD, START_SOM, DB_DIGIT, TAIL_NONE},
	{"iban", "IBAN_CODE",
	 "\\b[a-z]{2}\\d{2}(?: ?[a-z0-9]{4}){2,7}(?: ?[a-z0-9]{1,4})?\\b",
	 C | S, PII, V_IBAN, K_ENTITY, CTX_BOOST, 0.9f, 0, CTX_IBAN, START_SOM, DB_DIGIT, TAIL_NONE},
	{"us-ssn", "US_SSN",
	 "\\b\\d{3}-\\d{2}-\\d{4}\\b|\\b\\d{3} \\d{2} \\d{4}\\b",
	 S, PII, V_SSN, K_ENTITY, CTX_BOOST, 0.7f, 0, CTX_SSN, START_SOM, DB_DIGIT, TAIL_NONE},
	{"us-ssn-bare", "US_SSN",
	 "\\b\\d{9}\\b",
	 S, PII, V_SSN, K_ENTITY, CTX_REQUIRED, 0.6f, 0, CTX_SSN, START_SOM, DB_DIGIT, TAIL_NONE},
	{"ipv4", "IP_ADDRESS",
	 "\\b(?:\\d{1,3}\\.){3}\\d{1,3}\\b",
	 S, PII, V_IPV4, K_ENTITY, CTX_NONE, 0.9f, 0, NULL, START_SOM, DB_DIGIT, TAIL_NONE},
	{"ipv6", "IP_ADDRESS",
	 "(?:\\b[0-9a-f]{1,4}|::)(?::{1,2}[0-9a-f]{1,4}){1,7}(?:::)?\\b|\\b[0-9a-f]{1,4}::",
	 C | S, PII, V_IPV6, K_ENTITY, CTX_NONE, 0.85f, 0, NULL, START_SOM, DB_WINDOW, TAIL_NONE},
	{"phone-intl", "PHONE_NUMBER", /* E.164 with the usual grouping: +41 (0)62 585 51 90 */
	 "\\+\\d{1,3}[ .-]?(?:\\(0\\) ?)?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{1,5}(?:[ .-]?\\d{2,5}){0,4}(?: ?(?:x|ext\\.?) ?\\d{1,5})?\\b",
	 C | S, PII, V_PHONE, K_ENTITY, CTX_BOOST, 0.7f, 0, CTX_PHONE, START_SOM, DB_DIGIT, TAIL_NONE},
	{"phone-nanp", "PHONE_NUMBER", /* 555-123-4567, (555)123-4567, 001-555-123-4567x89 (the tail: TAIL_PHONE_EXT) */
	 "(?:\\b001[ .-]|\\b1[ .-])?(?:\\(\\d{3}\\) ?|\\b\\d{3}[ .-])\\d{3}[ .-]\\d{4}",
	 C | S, PII, V_PHONE, K_ENTITY, CTX_BOOST, 0.6f, 0, CTX_PHONE, START_SOM, DB_DIGIT, TAIL_PHONE_EXT},
	{"phone-national", "PHONE_NUMBER", /* 0490 75 40 81, (08) 8747 6301, 9469 9966 */
	 "(?:\\(\\d{2,4}\\) ?|\\b\\d{2,5}[ .-])\\d{2,8}(?:[ .-]\\d{2,8}){0,3}\\b|\\b\\d{10,11}\\b",
	 S, PII, V_PHONE, K_ENTITY, CTX_REQUIRED, 0.5f, 0, CTX_PHONE, START_SOM, DB_DIGIT, TAIL_NONE},
	{"date-of-birth", "DATE_OF_BIRTH",
	 "\\b(?:\\d{1,2}[/.-]\\d{1,2}[/.-](?:\\d{4}|\\d{2})|\\d{4}-\\d{2}-\\d{2}|\\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\\.? \\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\\.? \\d{1,2}(?:st|nd|rd|th)?,? \\d{4})\\b",
	 C | S, PII, V_DATE, K_ENTITY, CTX_REQUIRED, 0.8f, 0, CTX_DOB, START_SOM, DB_WINDOW, TAIL_NONE},
	{"postal-code", "POSTAL_CODE", /* US ZIP(+4), UK, Canada, NL, PL and other digit groups */
	 "\\b(?:\\d{5}(?:-\\d{4})?|\\d{3} ?\\d{2}|\\d{4}(?: ?[a-z]{2})?|\\d{2}-\\d{3}|[a-z]{1,2}\\d[a-z\\d]? ?\\d[a-z]{2}|[a-z]\\d[a-z] ?\\d[a-z]\\d)\\b",
	 C | S, PII, V_NONE, K_ENTITY, CTX_REQUIRED, 0.6f, 0, CTX_POSTAL, START_SOM, DB_WINDOW, TAIL_NONE},
	{"url", "URL",
	 "\\b(?:https?|ftp)://[a-z0-9][a-z0-9-]*(?:\\.[a-z0-9-]+)+(?::\\d{1,5})?(?:[/?#][^\\s<>\"'`|\\\\]*)?",
	 C | S, PII, V_URL, K_ENTITY, CTX_NONE, 0.6f, 0, NULL, START_SOM, DB_MAIN, TAIL_NONE},
	{"url-credentials", "URL_CREDENTIALS",
	 "\\b[a-z][a-z0-9+.-]{1,15}://[^\\s:/@]{1,}:[^\\s/@]{1,}@[a-z0-9.-]{1,}",
	 C | S, SEC, V_NONE, K_ENTITY, CTX_NONE, 0.98f, 0, NULL, START_SOM, DB_MAIN, TAIL_NONE},

	/* ---- secrets ---- */
	{"aws-access-key", "AWS_ACCESS_KEY",
	 "\\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|ANPA)[A-Z2-7]{16}\\b",
	 S, SEC, V_ENTROPY, K_ENTITY, CTX_NONE, 0.9f, 0, NULL, START_SOM, DB_MAIN, TAIL_NONE},
	{"github-token", "GITHUB_TOKEN",
	 "\\bgh[pousr]_[A-Za-z0-9]{36,}\\b|\\bgithub_pat_[A-Za-z0-9_]{70,}\\b",
	 0, SEC, V_ENTROPY, K_ENTITY, CTX_NONE, 0.95f, 0, NULL, START_TOKEN, DB_MAIN, TAIL_NONE},
	{"slack-token", "SLACK_TOKEN",
	 "\\bxox[abposr]-[A-Za-z0-9-]{10,}\\b|https://hooks\\.slack\\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,32}",
	 S, SEC, V_ENTROPY, K_ENTITY, CTX_NONE, 0.9f, 0, NULL, START_SOM, DB_MAIN, TAIL_NONE},
	{"stripe-key", "STRIPE_KEY",
	 "\\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{20,}\\b",
	 S, SEC, V_ENTROPY, K_ENTITY, CTX_NONE, 0.9f, 0, NULL, START_SOM, DB_MAIN, TAIL_NONE},
	{"openai-key", "OPENAI_KEY",
	 "\\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\\b|\\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}\\b",
	 S, SEC, V_ENTROPY, K_ENTITY, CTX_NONE, 0.95f, 0, NULL, START_SOM, DB_MAIN, TAIL_NONE},
	{"anthropic-key", "ANTHROPIC_KEY",
	 "\\bsk-ant-(?:api|admin)\\d{2}-[A-Za-z0-9_-]{80,}\\b",
	 S, SEC, V_ENTROPY, K_ENTITY, CTX_NONE, 0.95f, 0, NULL, START_SOM, DB_MAIN, TAIL_NONE},
	{"google-api-key", "GOOGLE_API_KEY",
	 "\\bAIza[0-9A-Za-z_-]{35}\\b",
	 S, SEC, V_ENTROPY, K_ENTITY, CTX_NONE, 0.9f, 0, NULL, START_SOM, DB_MAIN, TAIL_NONE},
	{"private-key", "PRIVATE_KEY",
	 "-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----",
	 S, SEC, V_NONE, K_ENTITY, CTX_NONE, 0.99f, 0, NULL, START_SOM, DB_MAIN, TAIL_NONE},
	{"jwt", "JWT",
	 "\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\b",
	 S, SEC, V_JWT, K_ENTITY, CTX_NONE, 0.9f, 0, NULL, START_SOM, DB_MAIN, TAIL_NONE},
	{"generic-secret", "GENERIC_SECRET", /* key = value; kept only with a high-entropy value */
	 "\\b(?:api[_-]?key|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|password|passwd)[\"']?\\s{0,3}[:=]\\s{0,3}[\"']?[A-Za-z0-9_+/=.-]{16,}",
	 C, SEC, V_ENTROPY, K_ENTITY, CTX_NONE, 0.7f, 0, NULL, START_ASSIGN, DB_MAIN, TAIL_NONE},

	/* ---- injection markers (scored per sentence) ---- */
	{"ignore-previous", "PROMPT_INJECTION",
	 "\\b(?:ignore|disregard|forget|skip|override)\\s+(?:all\\s+|any\\s+|the\\s+|your\\s+|of\\s+)*(?:previous|prior|above|earlier|preceding|former|original|system|initial)\\s+(?:instructions?|prompts?|rules|directions|directives|guidelines|context|messages?)",
	 C, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.8f, NULL, START_SOM, DB_MARKER, TAIL_NONE},
	{"ignore-everything", "PROMPT_INJECTION",
	 "\\b(?:ignore|forget|disregard)\\s+(?:everything|all)\\s+(?:you\\s+were\\s+told|above|before|that\\s+came\\s+before)",
	 C, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.7f, NULL, START_SOM, DB_MARKER, TAIL_NONE},
	{"new-instructions", "PROMPT_INJECTION",
	 "\\b(?:new|updated|real|actual|true)\\s+(?:system\\s+)?instructions\\s*:",
	 C, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.5f, NULL, START_SOM, DB_MARKER, TAIL_NONE},
	{"override-safety", "PROMPT_INJECTION",
	 "\\b(?:bypass|override|disable|turn\\s+off|ignore)\\s+(?:your\\s+|the\\s+|all\\s+|any\\s+)?(?:safety|content|ethical|moderation)\\s+(?:filters?|polic(?:y|ies)|guidelines|rules|restrictions|guardrails)",
	 C, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.7f, NULL, START_SOM, DB_MARKER, TAIL_NONE},
	{"developer-mode", "PROMPT_INJECTION",
	 "\\b(?:developer|debug|god|admin|sudo)\\s+mode\\b",
	 C, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.4f, NULL, START_SOM, DB_MARKER, TAIL_NONE},
	{"you-are-now", "PROMPT_INJECTION",
	 "\\byou\\s+are\\s+now\\s+(?:in\\s+)?(?:an?\\s+)?(?:dan|jailbroken|unrestricted|unfiltered|uncensored|evil|free|developer\\s+mode)\\b",
	 C, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.7f, NULL, START_SOM, DB_MARKER, TAIL_NONE},
	{"do-anything-now", "PROMPT_INJECTION",
	 "\\bdo\\s+anything\\s+now\\b|\\bjailbr(?:eak|oken)\\b",
	 C, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.5f, NULL, START_SOM, DB_MARKER, TAIL_NONE},
	{"roleplay-frame", "PROMPT_INJECTION",
	 "\\b(?:pretend|imagine)\\s+(?:that\\s+)?you\\s+(?:are|have)\\b|\\bact\\s+as\\s+(?:if\\s+you|an?\\s+(?:ai|assistant|model)\\s+(?:with|without))\\b|\\broleplay\\s+as\\b",
	 C, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.25f, NULL, START_SOM, DB_MARKER, TAIL_NONE},
	{"no-restrictions", "PROMPT_INJECTION",
	 "\\b(?:no|without\\s+(?:any\\s+)?)\\s*(?:restrictions|limitations|filters|censorship|guidelines|rules)\\b",
	 C, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.3f, NULL, START_SOM, DB_MARKER, TAIL_NONE},
	{"reveal-system-prompt", "PROMPT_INJECTION",
	 "\\b(?:reveal|print|show|repeat|output|display|leak|tell\\s+me|what\\s+(?:is|are))\\s+(?:me\\s+)?(?:your|the)\\s+(?:system\\s+prompt|hidden\\s+(?:instructions|prompt)|initial\\s+(?:instructions|prompt)|original\\s+(?:instructions|prompt)|secret\\s+instructions)",
	 C, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.7f, NULL, START_SOM, DB_MARKER, TAIL_NONE},
	{"role-token", "PROMPT_INJECTION", /* chat-template tokens smuggled into text */
	 "<\\|(?:im_start|im_end|system|user|assistant|endoftext|begin_of_text|start_header_id|end_header_id|eot_id)\\|>|\\[/?INST\\]|<</?SYS>>",
	 C, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.8f, NULL, START_SOM, DB_MARKER, TAIL_NONE},
	{"role-spoof", "PROMPT_INJECTION", /* a line that pretends to start a system/assistant turn */
	 "^\\s{0,8}(?:#{1,4}\\s*)?(?:system|assistant|developer)\\s*(?:prompt|message)?\\s*:|</?(?:system|instructions?)>|\\b(?:end|begin)\\s+of\\s+(?:system\\s+)?(?:prompt|instructions)\\b",
	 C | M, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.5f, NULL, START_SOM, DB_MARKER, TAIL_NONE},
	{"rot13-override", "PROMPT_INJECTION", /* the phrases above, rot13-encoded */
	 "\\bvtaber\\s+(?:nyy\\s+)?(?:cerivbhf|cevbe|nobir)\\s+vafgehpgvbaf|\\bqvfertneq\\s+(?:nyy\\s+)?(?:cerivbhf|cevbe)\\s+vafgehpgvbaf|\\bqrirybcre\\s+zbqr\\b|\\bflfgrz\\s+cebzcg\\b",
	 C, INJ, V_NONE, K_MARKER, CTX_NONE, 0, 0.8f, NULL, START_SOM, DB_MARKER, TAIL_NONE},

	/* ---- decode windows (also an injection marker when the payload is text) ---- */
	{"base64-run", "ENCODED_PAYLOAD", "[A-Za-z0-9+/_-]{24}", 0, INJ | SEC | PII, V_NONE, K_B64RUN, CTX_NONE, 0, 0.3f, NULL, START_SOM, DB_NONE, TAIL_NONE},
	{"hex-run", "ENCODED_PAYLOAD", "[0-9a-fA-F]{32}", 0, INJ | SEC | PII, V_NONE, K_HEXRUN, CTX_NONE, 0, 0.3f, NULL, START_SOM, DB_NONE, TAIL_NONE},
};
/* clang-format on */

/* Triggers of the DB_WINDOW and DB_MARKER rows. Their patterns are
 * compiled into the main database only on CPUs without AVX-512 VBMI;
 * elsewhere literals.c finds the same words (its table follows these
 * rows: keep the two in step). Triggers of the DB_WINDOW rows. Every IPv6 match contains a hex digit
 * followed by ':' and a hex digit or a second ':' (the pattern asks for
 * two groups or ends in "::"); every date of birth and postal code needs
 * a word of its context list (CTX_REQUIRED), and every word of CTX_DOB and
 * CTX_POSTAL starts with one of the trigger's literals. Postal codes were
 * 1.8 GB/s alone in Hyperscan and tens of thousands of context lookups on
 * the bench corpus; "zip"/"post" occur 74 times per MB there. The context trigger has no left boundary
 * (Hyperscan's \b counts '_' as a word character, context.c does not): match.c reads the whole word back and
 * compares it. */
static const struct scan_trig TRIGGERS[] = {
    {NULL, 0, TRIG_HEX_COLON, NULL, DB_WINDOW, ANCHOR_ANY},
    {"(?:born|birth|dob)", C, TRIG_CONTEXT, CTX_DOB, DB_WINDOW, ANCHOR_ANY},
    {"(?:zip|post)", C, TRIG_CONTEXT, CTX_POSTAL, DB_WINDOW, ANCHOR_ANY},
    /* every injection-marker match holds one of these (per row: its
     * required first, last or only words), with the neighbours the row
     * requires where that keeps common words out: the first words are
     * followed by white space, "turn" by "off", and "now" is preceded by
     * white space and ends a word (you-are-now; do-anything-now, which
     * needs no "anything" anchor then). The bare "now", "turn" and
     * "anything" matched 13,400 times per 30 MB of the bench corpus
     * ("know", "return"), against 230 now: half the anchors, and the
     * anchors' cost in the main database fell by 40%. */
    {"(?:(?:ignore|disregard|forget|skip|override|bypass|disable)\\s|turn\\s+off|\\snow\\b"
     "|jailbr|pretend|imagine|act\\s+as|roleplay|<\\||\\[/?inst\\]|<</"
     "?sys>>|vtaber|qvfertneq|qrirybcre|flfgrz)",
     C, TRIG_SEGMENT, NULL, DB_MARKER, ANCHOR_ANY},
    /* Words that rows need only in some alternatives, the others holding
     * an anchor above: they open a segment only with what those
     * alternatives put around them, checked in C (passes.c, anchor_ok;
     * enum scan_anchor_check): "mode" its first word (developer-mode;
     * you-are-now's "developer mode" holds " now"); the no-restrictions
     * words the end of "no", "without" or "any" before them;
     * "system", "assistant" and "developer" role-spoof's ':' or '>';
     * "prompt" and "instruction" the words of reveal-system-prompt,
     * role-spoof and new-instructions around them. As Hyperscan
     * patterns these neighbours more than doubled the main database's
     * time (42 -> 105 ms per 100 MB of the corpus); the bare words
     * matched ~79,000 times per 100 MB of the bench prose (20,000
     * "mode", 18,000 "rules", 9,000 "system"): its marker segments went
     * from 74,910 to 18,160 (1.64 MB to 0.27 MB; the marker database's
     * stage 7 -> 3.4 ms per 100 MB). */
    {"mode", C, TRIG_SEGMENT, NULL, DB_MARKER, ANCHOR_MODE},
    {"(?:restrictions|limitations|filters|censorship|guidelines|rules)", C, TRIG_SEGMENT, NULL, DB_MARKER,
     ANCHOR_NOLIST},
    {"(?:system|assistant|developer)", C, TRIG_SEGMENT, NULL, DB_MARKER, ANCHOR_ROLE},
    {"prompt", C, TRIG_SEGMENT, NULL, DB_MARKER, ANCHOR_PROMPT},
    {"instruction", C, TRIG_SEGMENT, NULL, DB_MARKER, ANCHOR_INSTR},
};

const struct scan_trig *scan_triggers(size_t *n)
{
	*n = sizeof TRIGGERS / sizeof TRIGGERS[0];
	return TRIGGERS;
}

const struct scan_det *scan_builtin(size_t *n)
{
	*n = sizeof BUILTIN / sizeof BUILTIN[0];
	return BUILTIN;
}

static const char *const VALIDATOR_NAMES[] = {"none",  "card", "iban", "ssn",  "ipv4",    "ipv6", "email",
                                              "phone", "date", "jwt",  "luhn", "entropy", "url"};

const char *const *scan_validator_names(size_t *n)
{
	*n = sizeof VALIDATOR_NAMES / sizeof VALIDATOR_NAMES[0];
	return VALIDATOR_NAMES;
}

int scan_validator_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof VALIDATOR_NAMES / sizeof VALIDATOR_NAMES[0]; i++)
		if (strcmp(name, VALIDATOR_NAMES[i]) == 0)
			return (int)i;
	return -1;
}
