/** Failed logins, for rate limiting that holds across server processes. */
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
create table login_failures (
  id bigserial primary key,
  email text not null,
  ip text not null,
  at timestamptz not null
);
create index login_failures_email on login_failures (email, at);
create index login_failures_ip on login_failures (ip, at);
`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table login_failures`.execute(db);
}
