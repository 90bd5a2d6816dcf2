/**
 * Export one conversation as CSV (PROF-35..PROF-40): administrators only, and
 * only where the workspace has the feature; UTF-8 with a byte-order mark so
 * spreadsheet programs read Chinese correctly (PROF-24); one row per message:
 * time (ISO 8601 in the team's time zone), sent by, name, content. Updates
 * the last export time and the state log.
 */
import type { AppContext } from "../context.js";
import { inTransaction } from "../context.js";
import { can } from "../domain/roles.js";
import { refuse, TEXT } from "../domain/errors.js";
import { lockConversation, toFacts, writeLog } from "../store/conversations.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";

const SENDER: Record<string, string> = { customer: "客人", bot: "機器人自動回覆", agent: "客服人員", system: "系統訊息" };
const KIND: Record<string, string> = { image: "圖片", video: "影片", audio: "音訊", file: "檔案", sticker: "貼圖", location: "位置" };

export function csvCell(v: string): string {
  // Formula injection: a cell starting with = + - @ is read as a formula by spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** ISO 8601 with the team's UTC offset, e.g. 2026-03-02T10:00:00+08:00. */
export function isoInZone(d: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "longOffset" })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  const offset = (parts.timeZoneName ?? "GMT").replace("GMT", "") || "+00:00";
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

/** PROF-38, PROF-39: administrators only, and only where the workspace has the feature. Returns the team's time zone. */
export async function checkExportAllowed(ctx: AppContext, actor: Actor): Promise<string> {
  if (!can(actor.role, "export_conversation")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
  const ws = await ctx.db.selectFrom("workspaces").select("settings").where("id", "=", actor.workspaceId).executeTakeFirstOrThrow();
  const settings = ws.settings as Record<string, unknown>;
  if (!settings.conversationExport)
    throw new AppError("forbidden", "此功能為特殊設定,如您有需要可與您的專屬顧問或線上客服團隊提出申請", { messageEn: "Conversation export is a special setting; ask to have it enabled" });
  return typeof settings.timeZone === "string" ? settings.timeZone : "Asia/Taipei";
}

/**
 * Builds the CSV and records the export (last export time, state log) in one
 * transaction; `deliver` runs inside it, so an email that cannot be sent
 * records nothing (PROF-40: the time is updated on every successful export).
 */
export async function exportConversationCsv(
  ctx: AppContext,
  actor: Actor,
  conversationId: string,
  deliver: (file: { fileName: string; csv: string }) => Promise<void> = async () => {},
  format: "csv" | "email" = "csv",
): Promise<{ fileName: string; csv: string }> {
  const timeZone = await checkExportAllowed(ctx, actor);
  return inTransaction(ctx, async (tx) => {
    const now = ctx.clock.now();
    const conv = await lockConversation(tx, actor.workspaceId, conversationId);
    const rows = await tx
      .selectFrom("messages as m")
      .leftJoin("members as mb", "mb.id", "m.sender_member_id")
      .select(["m.created_at", "m.sender_kind", "m.kind", "m.text", "m.content", "mb.display_name"])
      .where("m.conversation_id", "=", conv.id)
      .orderBy("m.created_at")
      .orderBy("m.id")
      .execute();
    const lines = [["時間", "由誰發出", "名字", "對話內容"].join(",")];
    for (const r of rows) {
      const content = typeof r.content === "string" ? JSON.parse(r.content) : r.content;
      const media = (content as { media?: { url?: string; fileName?: string } }).media;
      const body = r.kind === "text" ? r.text : `[${KIND[r.kind] ?? r.kind}] ${media?.fileName ?? media?.url ?? r.text}`.trim();
      const name = r.sender_kind === "agent" ? (r.display_name ?? "") : "";
      lines.push([isoInZone(new Date(r.created_at), timeZone), SENDER[r.sender_kind] ?? r.sender_kind, name, body].map(csvCell).join(","));
    }
    const file = { fileName: `conversation-${conv.id}.csv`, csv: `\uFEFF${lines.join("\r\n")}\r\n` };
    await deliver(file);
    await tx.updateTable("conversations").set({ last_exported_at: now }).where("id", "=", conv.id).execute();
    await writeLog(tx, conv, toFacts(conv), [{ kind: "exported", actorId: actor.memberId, text: `${actor.name} 導出了對話。`, data: { format } }], now);
    return file;
  });
}
