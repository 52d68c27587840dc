/* version.c: the version string every result carries. */
#include "assay/version.h"

const char *assay_version(void)
{
	return ASSAY_VERSION;
}
