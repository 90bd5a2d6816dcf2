/**
 * The demo workspace created on first start, so a new user can log in and
 * see an inbox with conversations in every view.
 */
import type { AppContext } from "../context.js";
import { createWorkspace } from "../usecases/create-workspace.js";
import { createMember } from "../usecases/manage-members.js";
import { receiveCustomerEvent } from "../usecases/receive-inbound.js";
import { performAction } from "../usecases/perform-action.js";
import { newId } from "../ids.js";

export const DEMO = { email: "admin@demo.parley.local", password: "parley-demo", agentEmail: "agent@demo.parley.local" };

export async function seedDemo(ctx: AppContext): Promise<{ created: boolean }> {
  const exists = await ctx.db.selectFrom("workspaces").select("id").where("slug", "=", "demo").executeTakeFirst();
  if (exists) return { created: false };
  const ws = await createWorkspace(ctx, { name: "Parley 示範商店", slug: "demo", admin: { email: DEMO.email, password: DEMO.password, name: "Amy 管理員" } });
  const admin = { workspaceId: ws.id, memberId: ws.adminId, role: "admin" as const, name: "Amy 管理員" };
  const agentId = await createMember(ctx, admin, { email: DEMO.agentEmail, name: "Jess 客服", role: "agent", password: DEMO.password });
  await createMember(ctx, admin, { email: "supervisor@demo.parley.local", name: "Ken 主管", role: "supervisor", password: DEMO.password });
  const now = ctx.clock.now();
  const channelId = newId();
  await ctx.db
    .insertInto("channels")
    .values({ id: channelId, workspace_id: ws.id, platform: "api", name: "API 示範渠道", external_id: null, credentials: JSON.stringify({}), settings: JSON.stringify({}), created_at: now })
    .execute();
  await ctx.db
    .insertInto("keyword_rules")
    .values({ id: newId(), workspace_id: ws.id, kind: "auto_reply", name: "營業時間", keywords: ["營業時間"], match_mode: "contains", replies: JSON.stringify([{ text: "我們的營業時間是週一至週五 10:00–19:00。" }]), assign_member_id: null, channel_ids: null, created_at: now })
    .execute();
  const channel = { id: channelId, workspace_id: ws.id, platform: "api" };
  const say = (userId: string, name: string, text: string) =>
    receiveCustomerEvent(ctx, channel, { type: "message", eventKey: `demo:${newId()}`, at: now, sender: { userId, displayName: name }, platformMessageId: `demo-${newId()}`, message: { kind: "text", text } });
  await say("u-lin", "林小姐", "你好,我想詢問訂單狀態");
  await say("u-chen", "陳先生", "請問營業時間?");
  const wang = await say("u-wang", "王先生", "商品可以退貨嗎?");
  const agent = { workspaceId: ws.id, memberId: agentId, role: "agent" as const, name: "Jess 客服" };
  if (wang.status === "stored") await performAction(ctx, agent, wang.conversationId, { type: "follow" });
  const huang = await say("u-huang", "黃小姐", "謝謝你們的協助!");
  if (huang.status === "stored") {
    await performAction(ctx, admin, huang.conversationId, { type: "follow" });
    await performAction(ctx, admin, huang.conversationId, { type: "close" });
  }
  return { created: true };
}
