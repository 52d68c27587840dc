/* migrations.c: the ordered list of schema migrations (assay/store.h).
 * Append a line to add one; never edit or reorder a shipped entry. Each
 * is applied once, in its own transaction, and recorded in
 * schema_migrations(version, name, applied_at). */
#include "assay/store.h"
#include "migrations.h"

static const struct assay_migration MIGRATIONS[] = {
    {1, "registry", assay_migration_registry_sql},
    {2, "workflow", assay_migration_workflow_sql},
};

const struct assay_migration *assay_migrations(size_t *n)
{
	*n = sizeof MIGRATIONS / sizeof *MIGRATIONS;
	return MIGRATIONS;
}
