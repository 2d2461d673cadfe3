/**
 * The part of durable state a step may use through its context: small
 * key-value records (Reflexion's lessons, the effects of irreversible tools).
 * src/store's SQLite and PostgreSQL stores implement it, and much more.
 */
export interface RunStore {
  kvGet(namespace: string, key: string): Promise<unknown | undefined>;
  kvPut(namespace: string, key: string, value: unknown): Promise<void>;
  kvList(namespace: string): Promise<{ key: string; value: unknown }[]>;
}
