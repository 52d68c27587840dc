-- A registry database at schema version 1, made by assay with ASSAY_NOW pinned
-- (tests/integration/registry_migration.sh): 2 systems, 1 URL evidence, a tier
-- override and their 4 audit events. Never regenerate it: it stands for the
-- databases users already have.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
);
INSERT INTO schema_migrations VALUES(1,'registry','2025-06-01T09:00:00Z');
CREATE TABLE registry_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO registry_meta VALUES('audit_head','4:2f890bcf4e2453c6fb91d0473496848585f6e895f323479b639e6617b8d0fc3f');
CREATE TABLE counters (
  kind TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO counters VALUES('E',1);
CREATE TABLE systems (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  ai_type TEXT,
  lifecycle_stage TEXT,
  tier TEXT,
  computed_tier TEXT,
  tier_source TEXT NOT NULL,
  override_reason TEXT,
  tier_rationale TEXT NOT NULL,
  policy_version TEXT,
  policy_hash TEXT,
  intake TEXT NOT NULL,
  intake_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  retired_at TEXT,
  version INTEGER NOT NULL
);
INSERT INTO systems VALUES('01JWNBG8M06PB86V04C00C5DS3','credit-scoring','Credit Scoring','classical_ml','validate','high','high','policy',NULL,'[{"cite":"EU AI Act Art. 6(2), Annex III 5","decisive":true,"rule":"annex-iii-5","text":"Annex III point 5(b) (access to essential private and public services): high-risk under Art. 6(2)","tier":"high"},{"cite":"EU AI Act Art. 6(3); GDPR Art. 22","decisive":false,"rule":"profiling","text":"Profiles natural persons: automated assessment of individuals needs fairness and privacy review","tier":"medium"}]','2026.11.0','0e9e49184861cbb0ed26e16d03b172c24ceabe66e965e8ab6547d4ea33a417e3','{"affected_persons":["loan applicants"],"ai_type":"classical_ml","annex_i_product":false,"annex_iii_points":["5(b)"],"art50_triggers":[],"art5_practices":[],"art6_3_exemptions":[],"artifacts":{"data":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","model":"3b1f4e0c9a7d2e5f8b6c1d0a9e8f7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a"},"business_owner":"head-of-retail-credit@example.com","components":[{"kind":"model","name":"credit-gbm","version":"3.2.0"},{"kind":"dataset","name":"applications-2020-2025","version":"2025-10"}],"deployment_context":"customer_facing","description":"Gradient-boosted model scoring consumer loan applications for default risk","eu_role":"provider","geographies":["EU","GB"],"intended_purpose":"Estimate the probability of default of consumer loan applicants to support credit decisions","lifecycle_stage":"validate","name":"Credit Scoring","out_of_scope_uses":["employment screening","insurance pricing"],"profiles_natural_persons":true,"slug":"credit-scoring","technical_owner":"credit-ml-team@example.com","tool_access":[]}','4ace0d26c01231e63e4e8fa483fb9ce2089c67f3f1eb4c3ad7c768bceab85fac','2025-06-01T09:00:00Z','alice','2025-06-01T09:00:00Z',NULL,1);
INSERT INTO systems VALUES('01JWNBG8M0B5XVF0ZBDT2JZ911','support-assistant','Support Assistant','rag','deployed','high','medium','override','customer-facing in a regulated market','[{"cite":"EU AI Act Art. 50(1)","decisive":true,"rule":"art50-1","text":"Interacts directly with natural persons: they must be told they are dealing with an AI system (Art. 50(1))","tier":"medium"},{"cite":"NIST AI 600-1 2.2, 2.8","decisive":true,"rule":"customer-facing-genai","text":"Generative AI (rag, customer_facing) reaching customers or the public: confabulation and information-integrity risks reach people directly","tier":"medium"}]','2026.11.0','0e9e49184861cbb0ed26e16d03b172c24ceabe66e965e8ab6547d4ea33a417e3','{"affected_persons":["customers"],"ai_type":"rag","annex_i_product":false,"annex_iii_points":[],"art50_triggers":["50(1)"],"art5_practices":[],"art6_3_exemptions":[],"artifacts":{"prompt":"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"},"business_owner":"head-of-support@example.com","components":[{"kind":"foundation_model","licence":"commercial API terms","name":"hosted-llm","vendor":"ExampleAI"},{"kind":"prompt","name":"support-system-prompt","version":"14"},{"kind":"dataset","name":"help-centre-articles"}],"deployment_context":"customer_facing","description":"Answers customer questions about orders and returns from the help-centre articles","eu_role":"deployer","geographies":["EU"],"intended_purpose":"Answer customer questions about orders, shipping and returns","lifecycle_stage":"deployed","name":"Support Assistant","out_of_scope_uses":["legal advice","credit decisions"],"profiles_natural_persons":false,"slug":"support-assistant","technical_owner":"support-platform@example.com","tool_access":[]}','ed5467823910f73590f8d11c5b0974184d8e024797e5ad460dea9e02775f672c','2025-06-01T09:00:00Z','alice','2025-06-03T10:00:00Z',NULL,2);
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE evidence (
  id TEXT PRIMARY KEY,
  number INTEGER NOT NULL UNIQUE,
  system_id TEXT NOT NULL REFERENCES systems (id),
  requirement_key TEXT NOT NULL,
  control_id TEXT,
  kind TEXT NOT NULL,
  source TEXT NOT NULL,
  uri TEXT,
  sha256 TEXT REFERENCES blobs (sha256),
  filename TEXT,
  media_type TEXT,
  size INTEGER,
  author TEXT NOT NULL,
  collected_at TEXT NOT NULL,
  expires_at TEXT,
  meta TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  CHECK ((uri IS NULL) <> (sha256 IS NULL))
);
INSERT INTO evidence VALUES('01JWR1AV80FHE1Q9E4AH0WKDKP',1,'01JWNBG8M06PB86V04C00C5DS3','model-card','model-card','document','manual','https://wiki.example.com/credit/model-card',NULL,NULL,NULL,NULL,'alice','2025-06-02T10:00:00Z',NULL,NULL,'2025-06-02T10:00:00Z','alice');
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY,
  ts TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  entity_id TEXT,
  system_id TEXT,
  diff TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  key_id TEXT,
  sig TEXT
);
INSERT INTO audit_events VALUES(1,'2025-06-01T09:00:00Z','alice','system.add','system','01JWNBG8M06PB86V04C00C5DS3','01JWNBG8M06PB86V04C00C5DS3','{"after":{"ai_type":"classical_ml","computed_tier":"high","intake":{"affected_persons":["loan applicants"],"ai_type":"classical_ml","annex_i_product":false,"annex_iii_points":["5(b)"],"art50_triggers":[],"art5_practices":[],"art6_3_exemptions":[],"artifacts":{"data":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","model":"3b1f4e0c9a7d2e5f8b6c1d0a9e8f7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a"},"business_owner":"head-of-retail-credit@example.com","components":[{"kind":"model","name":"credit-gbm","version":"3.2.0"},{"kind":"dataset","name":"applications-2020-2025","version":"2025-10"}],"deployment_context":"customer_facing","description":"Gradient-boosted model scoring consumer loan applications for default risk","eu_role":"provider","geographies":["EU","GB"],"intended_purpose":"Estimate the probability of default of consumer loan applicants to support credit decisions","lifecycle_stage":"validate","name":"Credit Scoring","out_of_scope_uses":["employment screening","insurance pricing"],"profiles_natural_persons":true,"slug":"credit-scoring","technical_owner":"credit-ml-team@example.com","tool_access":[]},"intake_sha256":"4ace0d26c01231e63e4e8fa483fb9ce2089c67f3f1eb4c3ad7c768bceab85fac","lifecycle_stage":"validate","name":"Credit Scoring","override_reason":null,"policy":{"sha256":"0e9e49184861cbb0ed26e16d03b172c24ceabe66e965e8ab6547d4ea33a417e3","version":"2026.11.0"},"retired_at":null,"slug":"credit-scoring","tier":"high","tier_rationale":[{"cite":"EU AI Act Art. 6(2), Annex III 5","decisive":true,"rule":"annex-iii-5","text":"Annex III point 5(b) (access to essential private and public services): high-risk under Art. 6(2)","tier":"high"},{"cite":"EU AI Act Art. 6(3); GDPR Art. 22","decisive":false,"rule":"profiling","text":"Profiles natural persons: automated assessment of individuals needs fairness and privacy review","tier":"medium"}],"tier_source":"policy","version":1}}','0000000000000000000000000000000000000000000000000000000000000000','6459ac0292c72e73304dd843da1ffc6bd4807330d9d7225b18a23cea415d5576',NULL,NULL);
INSERT INTO audit_events VALUES(2,'2025-06-01T09:00:00Z','alice','system.add','system','01JWNBG8M0B5XVF0ZBDT2JZ911','01JWNBG8M0B5XVF0ZBDT2JZ911','{"after":{"ai_type":"rag","computed_tier":"medium","intake":{"affected_persons":["customers"],"ai_type":"rag","annex_i_product":false,"annex_iii_points":[],"art50_triggers":["50(1)"],"art5_practices":[],"art6_3_exemptions":[],"artifacts":{"prompt":"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"},"business_owner":"head-of-support@example.com","components":[{"kind":"foundation_model","licence":"commercial API terms","name":"hosted-llm","vendor":"ExampleAI"},{"kind":"prompt","name":"support-system-prompt","version":"14"},{"kind":"dataset","name":"help-centre-articles"}],"deployment_context":"customer_facing","description":"Answers customer questions about orders and returns from the help-centre articles","eu_role":"deployer","geographies":["EU"],"intended_purpose":"Answer customer questions about orders, shipping and returns","lifecycle_stage":"deployed","name":"Support Assistant","out_of_scope_uses":["legal advice","credit decisions"],"profiles_natural_persons":false,"slug":"support-assistant","technical_owner":"support-platform@example.com","tool_access":[]},"intake_sha256":"ed5467823910f73590f8d11c5b0974184d8e024797e5ad460dea9e02775f672c","lifecycle_stage":"deployed","name":"Support Assistant","override_reason":null,"policy":{"sha256":"0e9e49184861cbb0ed26e16d03b172c24ceabe66e965e8ab6547d4ea33a417e3","version":"2026.11.0"},"retired_at":null,"slug":"support-assistant","tier":"medium","tier_rationale":[{"cite":"EU AI Act Art. 50(1)","decisive":true,"rule":"art50-1","text":"Interacts directly with natural persons: they must be told they are dealing with an AI system (Art. 50(1))","tier":"medium"},{"cite":"NIST AI 600-1 2.2, 2.8","decisive":true,"rule":"customer-facing-genai","text":"Generative AI (rag, customer_facing) reaching customers or the public: confabulation and information-integrity risks reach people directly","tier":"medium"}],"tier_source":"policy","version":1}}','6459ac0292c72e73304dd843da1ffc6bd4807330d9d7225b18a23cea415d5576','dcf78b43077f411922fb74e1117b0814c5ccc699e572941588b48805dc0ee78d',NULL,NULL);
INSERT INTO audit_events VALUES(3,'2025-06-02T10:00:00Z','alice','evidence.add','evidence','01JWR1AV80FHE1Q9E4AH0WKDKP','01JWNBG8M06PB86V04C00C5DS3','{"after":{"author":"alice","collected_at":"2025-06-02T10:00:00Z","control":"model-card","expires_at":null,"filename":null,"id":"01JWR1AV80FHE1Q9E4AH0WKDKP","kind":"document","media_type":null,"meta":null,"ref":"E-1","requirement":"model-card","sha256":null,"size":null,"source":"manual","system_id":"01JWNBG8M06PB86V04C00C5DS3","uri":"https://wiki.example.com/credit/model-card"}}','dcf78b43077f411922fb74e1117b0814c5ccc699e572941588b48805dc0ee78d','fa3e778438b6ca04d2a359cc3d2208d0ebeeae67a50653b90d4f381e712c915e',NULL,NULL);
INSERT INTO audit_events VALUES(4,'2025-06-03T10:00:00Z','alice','system.tier_override','system','01JWNBG8M0B5XVF0ZBDT2JZ911','01JWNBG8M0B5XVF0ZBDT2JZ911','{"after":{"override_reason":"customer-facing in a regulated market","tier":"high","tier_source":"override","version":2},"before":{"override_reason":null,"tier":"medium","tier_source":"policy","version":1},"note":{"reason":"customer-facing in a regulated market"}}','fa3e778438b6ca04d2a359cc3d2208d0ebeeae67a50653b90d4f381e712c915e','2f890bcf4e2453c6fb91d0473496848585f6e895f323479b639e6617b8d0fc3f',NULL,NULL);
CREATE TABLE signing_keys (
  key_id TEXT PRIMARY KEY,
  algorithm TEXT NOT NULL,
  public_key TEXT NOT NULL,
  from_seq INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  retired_at TEXT
);
CREATE TABLE audit_checkpoints (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  ts TEXT NOT NULL,
  key_id TEXT NOT NULL REFERENCES signing_keys (key_id),
  sig TEXT NOT NULL
);
CREATE INDEX systems_tier ON systems (tier);
CREATE INDEX systems_stage ON systems (lifecycle_stage);
CREATE INDEX evidence_system ON evidence (system_id, requirement_key);
CREATE INDEX audit_events_system ON audit_events (system_id, seq);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, seq);
COMMIT;
