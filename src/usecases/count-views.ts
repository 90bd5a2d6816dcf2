/**
 * View counts for the navigation, read from the counter rows the database
 * maintains in the same transaction as every change (never recounted). A
 * count may be spread over several rows (shards, migration 0007): always summed.
 */
import { sql } from "kysely";
import type { AppContext } from "../context.js";
import { can } from "../domain/roles.js";
import type { Actor } from "./actor.js";


export async function countViews(ctx: AppContext, actor: Actor, channelId?: string) {
  let q = ctx.db
    .selectFrom("view_counters")
    .select(["bucket", "member_id", sql<number>`sum(count)::int`.as("n")])
    .where("workspace_id", "=", actor.workspaceId)
    .where("bucket", "<>", "unread")
    .groupBy(["bucket", "member_id"]);
  if (channelId) q = q.where("channel_id", "=", channelId);
  const rows = await q.execute();
  const sum = (bucket: string, pred: (m: string) => boolean = () => true) =>
    rows.filter((r) => r.bucket === bucket && pred(r.member_id)).reduce((a, r) => a + Number(r.n), 0);
  const unread = await ctx.db
    .selectFrom("view_counters")
    .select(sql<number>`coalesce(sum(count), 0)::int`.as("n"))
    .where("workspace_id", "=", actor.workspaceId)
    .where("bucket", "=", "unread")
    .where("member_id", "=", actor.memberId)
    .executeTakeFirst();
  const team = can(actor.role, "view_team");
  const me = actor.memberId;
  return {
    pending_human: sum("pending_human"),
    pending_bot: sum("pending_bot"),
    my_processing: sum("processing", (m) => m === me),
    team_processing: team ? sum("processing", (m) => m !== me) : null,
    my_closed: sum("closed", (m) => m === me),
    team_closed: team ? sum("closed", (m) => m !== me) : null,
    /** Conversations in my processing with unread messages (channel-independent). */
    my_unread_conversations: Number(unread?.n ?? 0),
  };
}
