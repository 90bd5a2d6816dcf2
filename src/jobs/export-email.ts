/**
 * The `export_email` job (PROF-35, PROF-40): the conversation's CSV is sent
 * as an attachment to the requesting administrator's login email; the export
 * is recorded only once the mail server accepted it.
 */
import type { JobHandler } from "./worker.js";
import { PermanentJobError } from "./worker.js";
import type { Mailer } from "../mail.js";
import { exportConversationCsv } from "../usecases/export-conversation.js";
import { isRole } from "../domain/roles.js";

export function exportEmailJob(mailer: Mailer): JobHandler {
  return async (ctx, job) => {
    const p = job.payload as { workspaceId: string; conversationId: string; memberId: string };
    if (!mailer.configured) throw new PermanentJobError("SMTP_URL is not set");
    const m = await ctx.db.selectFrom("members").select(["id", "email", "display_name", "role", "active"]).where("id", "=", p.memberId).where("workspace_id", "=", p.workspaceId).executeTakeFirst();
    if (!m || !m.active || !isRole(m.role)) throw new PermanentJobError("the requesting member is gone");
    const actor = { workspaceId: p.workspaceId, memberId: m.id, role: m.role, name: m.display_name };
    await exportConversationCsv(ctx, actor, p.conversationId, (file) =>
      mailer.send({
        to: m.email,
        subject: `對話匯出 ${file.fileName}`,
        text: `${m.display_name} 您好,\n\n附件為您要求匯出的對話紀錄(CSV,UTF-8)。建議使用 Google Sheet 開啟。\n`,
        attachments: [{ filename: file.fileName, content: file.csv, contentType: "text/csv; charset=utf-8" }],
      }), "email");
  };
}
