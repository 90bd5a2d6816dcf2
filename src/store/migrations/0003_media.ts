/**
 * Media files agents send (and, later, inbound media fetched from platforms).
 * Bytes live in the database so every server process and both backends see
 * the same files; platforms fetch them by an unguessable URL.
 */
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
create table media_files (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  conversation_id uuid references conversations(id) on delete cascade,
  token text not null,
  kind text not null check (kind in ('image','video','audio','file')),
  mime_type text not null,
  file_name text not null,
  size int not null,
  sha256 text not null,
  bytes bytea not null,
  expires_at timestamptz,
  created_at timestamptz not null
);
create index media_files_conversation on media_files (conversation_id);
`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table media_files`.execute(db);
}
