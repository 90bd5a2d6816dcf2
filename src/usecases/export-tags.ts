/**
 * Tag data export (PROF-18..PROF-24): team-wide, for 管理員/主管/客服經理,
 * a range of at most 30 days; 貼標統計數據 (one row per tag with its count)
 * or 貼標逐筆紀錄 (one row per tagging record: time, customer, channel, tag,
 * method, actor). CSV in UTF-8 with a BOM.
 */
import type { AppContext } from "../context.js";
import { can } from "../domain/roles.js";
import { refuse, TEXT } from "../domain/errors.js";
import { AppError } from "./errors.js";
import { csvCell, isoInZone } from "./export-conversation.js";
import type { Actor } from "./actor.js";

export const MAX_EXPORT_DAYS = 30;
export const RANGE_TOO_LONG = { zh: "目前最多僅能選擇30天的資料匯出", en: "At most 30 days of data can currently be exported" }; // PROF-19, PROF-22
const METHOD_ZH: Record<string, string> = { manual: "手動", automation: "自動", other: "其他" };

export async function exportTags(ctx: AppContext, actor: Actor, kind: "statistics" | "records", from: Date, to: Date): Promise<string> {
  if (!can(actor.role, "export_tags")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
  if (!(from < to)) throw new AppError("validation", "開始時間需早於結束時間", { messageEn: "from must be before to" });
  if (to.getTime() - from.getTime() > MAX_EXPORT_DAYS * 86_400_000) throw new AppError("validation", RANGE_TOO_LONG.zh, { messageEn: RANGE_TOO_LONG.en });
  const ws = await ctx.db.selectFrom("workspaces").select("settings").where("id", "=", actor.workspaceId).executeTakeFirstOrThrow();
  const tz = String((ws.settings as Record<string, unknown>).timeZone ?? "Asia/Taipei");
  const base = ctx.db
    .selectFrom("tag_applications as a")
    .innerJoin("tags as t", "t.id", "a.tag_id")
    .where("a.workspace_id", "=", actor.workspaceId)
    .where("a.at", ">=", from)
    .where("a.at", "<", to);
  const lines: string[] = [];
  if (kind === "statistics") {
    const rows = await base.select(["t.name", (eb) => eb.fn.countAll<string>().as("n")]).groupBy("t.name").orderBy("t.name").execute();
    lines.push(["標籤", "貼標次數"].join(","));
    for (const r of rows) lines.push([csvCell(r.name), String(Number(r.n))].join(","));
  } else {
    const rows = await base
      .innerJoin("contacts as c", "c.id", "a.contact_id")
      .leftJoin("channels as ch", "ch.id", "a.channel_id")
      .leftJoin("members as m", "m.id", "a.actor_member_id")
      .select(["a.at", "c.display_name", "c.id as contact_id", "ch.name as channel", "t.name as tag", "a.automation", "a.actor_member_id", "m.display_name as actor"])
      .orderBy("a.at")
      .orderBy("a.id")
      .execute();
    lines.push(["時間", "客人名稱", "客人ID", "渠道", "標籤", "方式", "貼標者"].join(","));
    for (const r of rows) {
      const method = r.actor_member_id ? "manual" : r.automation === "other" ? "other" : "automation";
      lines.push([isoInZone(new Date(r.at), tz), r.display_name, r.contact_id, r.channel ?? "", r.tag, METHOD_ZH[method], r.actor ?? r.automation ?? ""].map((v) => csvCell(String(v))).join(","));
    }
  }
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}
