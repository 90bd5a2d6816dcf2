/** A new tenant with its first administrator. */
import type { AppContext } from "../context.js";
import { inTransaction } from "../context.js";
import { newId } from "../ids.js";
import { hashPassword } from "./auth.js";
import { AppError } from "./errors.js";

export const DEFAULT_SETTINGS = {
  timeZone: "Asia/Taipei",
  autoCloseMinutes: null as number | null, // LIFE-45: disabled by default
  autoCloseReminderMinutesBefore: null as number | null, // LIFE-44
  autoCloseReminderText: "",
  satisfactionSurveyText: "", // LIFE-39: empty = no survey
  omo: false,
  pixel: false,
  referralLinks: false,
  collaboration: false,
  conversationExport: false,
  whatsappStickers: false,
};

export interface NewWorkspace {
  name: string;
  slug?: string;
  admin: { email: string; password: string; name: string };
  settings?: Partial<typeof DEFAULT_SETTINGS>;
}

function slugify(s: string): string {
  const base = s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return base || "ws";
}

export async function createWorkspace(ctx: AppContext, input: NewWorkspace) {
  const now = ctx.clock.now();
  const passwordHash = await hashPassword(input.admin.password);
  return inTransaction(ctx, async (tx) => {
    let slug = input.slug ?? slugify(input.name);
    if (await tx.selectFrom("workspaces").select("id").where("slug", "=", slug).executeTakeFirst()) {
      if (input.slug) throw new AppError("conflict", "此工作區代稱已被使用", { messageEn: "This workspace slug is taken" });
      slug = `${slug}-${newId().slice(-6)}`;
    }
    const id = newId(now.getTime());
    await tx.insertInto("workspaces").values({ id, name: input.name, slug, settings: JSON.stringify({ ...DEFAULT_SETTINGS, ...input.settings }), created_at: now }).execute();
    const adminId = newId(now.getTime());
    await tx
      .insertInto("members")
      .values({ id: adminId, workspace_id: id, email: input.admin.email.trim(), display_name: input.admin.name, role: "admin", region_id: null, branch_id: null, password_hash: passwordHash, avatar_url: null, created_at: now, deactivated_at: null })
      .execute();
    return { id, slug, name: input.name, adminId };
  });
}
