/**
 * The store's one SQL port. PGlite (embedded) and PostgreSQL speak the same dialect and report
 * the same SQLSTATE codes, so every query and migration runs unchanged on both.
 */
export interface Sql {
  query<T = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of several statements (no parameters): migrations. */
  exec(script: string): Promise<void>;
}

export type Row = Record<string, unknown>;

export interface SqlClient extends Sql {
  readonly driver: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
