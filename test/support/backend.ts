/**
 * Which database the storage/API tests run on. PGlite by default; with
 * PARLEY_TEST_BACKEND=postgres every test app gets a fresh PostgreSQL
 * database of its own (created from TEST_DATABASE_URL's server), dropped
 * afterwards. Under CI=true an unreachable PostgreSQL fails the run.
 */
import pg from "pg";
import { randomBytes } from "node:crypto";

export const backend = (process.env.PARLEY_TEST_BACKEND ?? "pglite") as "pglite" | "postgres";
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> } | null> {
  if (backend !== "postgres") return null;
  const name = `parley_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
