/* migrations.h: the SQL of each schema migration, one symbol per
 * migration, defined in the file of the feature that owns it. The ordered
 * list is MIGRATIONS[] in migrations.c. */
#ifndef ASSAY_REGISTRY_MIGRATIONS_H
#define ASSAY_REGISTRY_MIGRATIONS_H

/* 1: systems, blobs, evidence, counters, audit trail, signing keys
 * (lib/registry/schema.c). */
extern const char assay_migration_registry_sql[];
/* 2: reviews, decisions, findings, waivers, incidents, gate runs, role
 * grants and the workflow's state changes (lib/registry/workflow_schema.c). */
extern const char assay_migration_workflow_sql[];

#endif
