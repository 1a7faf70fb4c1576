// Events the catalog appends. Payloads are ids and small facts.
export type CatalogEvents = {
  'catalog.catalog.changed': { organization_id: string; version: number; store_ids: string[] | null };
};
