/** Per-member console preferences, e.g. the remembered channel filter (VIEW-8). */
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table members add column preferences jsonb not null default '{}'::jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table members drop column preferences`.execute(db);
}
