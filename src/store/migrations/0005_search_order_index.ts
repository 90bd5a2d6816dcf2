/**
 * Search lists conversations of every state newest first (VIEW-37); the view
 * indexes are per state, so without this one PostgreSQL sorts the whole
 * workspace before probing messages (docs/benchmarks.md).
 */
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index conv_search_order on conversations (workspace_id, last_message_at desc, id desc) where not is_collaborative`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index conv_search_order`.execute(db);
}
