/**
 * Message search walks conversations newest first and probes each one's
 * messages (src/usecases/search-conversations.ts). The walk filters by what
 * the searcher may see (state, follower, last handler, kind, channel): with
 * those columns in the index it reads only the index, not a heap row per
 * candidate it then discards.
 */
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists conv_search_order`.execute(db);
  await sql`create index conv_search_order on conversations (workspace_id, last_message_at desc, id desc)
            include (state, follower_id, last_handler_id, kind, channel_id, contact_id) where not is_collaborative`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index conv_search_order`.execute(db);
  await sql`create index conv_search_order on conversations (workspace_id, last_message_at desc, id desc) where not is_collaborative`.execute(db);
}
