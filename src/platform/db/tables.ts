// Tables owned by the platform itself. Each module declares its own tables in its repo and
// widens the Kysely instance with `db.withTables<ModuleTables>()`, so no module sees another's.
export interface PlatformTables {
  schema_migrations: {
    version: number;
    name: string;
    checksum: string;
    applied_at: Date;
  };
}
