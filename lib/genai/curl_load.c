/* curl_load.c: libcurl, loaded with dlopen() when a client first needs
 * HTTP (openai: and http: targets), not linked into the assay binary.
 *
 * Why: libcurl brings 30 more shared libraries (GnuTLS, Kerberos, LDAP,
 * SSH, RTMP, ...) whose loading, relocation and constructors every assay
 * process paid at start, whatever it did: an empty program linked with
 * -lcurl starts in 5.3 ms against 0.9 ms without (hyperfine, 40 runs, this
 * 2-core VM), and `assay --version` took 8.3-15 ms. That is 4-10% of an
 * `assay eval` on 1M rows. Only red-team runs against network targets
 * load it now.
 *
 * The table holds exactly the functions transport_http.c calls, resolved
 * by name from libcurl.so.4 (the soname of Debian's libcurl4, which
 * libcurl4-openssl-dev, the build dependency, pulls in); the header is
 * still libcurl's own, so the types are checked at compile time.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "target_internal.h"

#define CURL_SONAME "libcurl.so.4"

int rt_curl_load(struct rt_curl *k, struct assay_error *err)
{
	if (k->dl)
		return 0;
	void *dl = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		const char *why = dlerror();
		assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                "http: and openai: targets need libcurl, which cannot be loaded: %s",
		                why ? why : CURL_SONAME " not found");
		assay_error_hint(err,
		                 "install it (Debian: apt-get install libcurl4), or use an exec: target");
		return err->code;
	}
	struct {
		const char *name;
		void **slot;
	} fns[] = {
#define FN(f) {"curl_" #f, (void **)&k->f}
	    FN(global_init),   FN(global_cleanup),   FN(multi_init),
	    FN(multi_setopt),  FN(multi_add_handle), FN(multi_remove_handle),
	    FN(multi_perform), FN(multi_poll),       FN(multi_info_read),
	    FN(multi_cleanup), FN(easy_init),        FN(easy_setopt),
	    FN(easy_getinfo),  FN(easy_cleanup),     FN(easy_strerror),
	    FN(slist_append),  FN(slist_free_all),   FN(getdate),
#undef FN
	};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		/* POSIX: a function pointer may be stored through a void *. */
		*fns[i].slot = dlsym(dl, fns[i].name);
		if (!*fns[i].slot) {
			assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "%s has no %s: it is too old",
			                CURL_SONAME, fns[i].name);
			assay_error_hint(err, "install libcurl 7.66 or newer (Debian 12 has 7.88)");
			dlclose(dl);
			memset(k, 0, sizeof *k);
			return err->code;
		}
	}
	/* Reference-counted and thread-safe since libcurl 7.84; each load
	 * pairs with the cleanup in rt_curl_unload. */
	if (k->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		dlclose(dl);
		memset(k, 0, sizeof *k);
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "libcurl failed to initialise");
	}
	k->dl = dl;
	return 0;
}

void rt_curl_unload(struct rt_curl *k)
{
	if (!k->dl)
		return;
	k->global_cleanup();
	dlclose(k->dl);
	memset(k, 0, sizeof *k);
}
