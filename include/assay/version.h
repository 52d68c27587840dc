/* assay/version.h: the tool and library version, carried by every result. */
#ifndef ASSAY_VERSION_H
#define ASSAY_VERSION_H

#define ASSAY_VERSION "0.1.0"

const char *assay_version(void);

#endif
