import { describe, it, expect } from "vitest";
import { canSendSurvey, canSendAutoCloseReminder, reminderDueAt } from "../../src/domain/automated-messages.js";

describe("automated messages", () => {
  it("LIFE-39: a satisfaction survey can be sent on close on every channel", () => {
    for (const p of ["line", "messenger", "instagram", "whatsapp", "wechat", "webchat"]) expect(canSendSurvey(p)).toBe(true);
    expect(canSendSurvey("fax")).toBe(false);
  });

  it("LIFE-44: the auto-close reminder exists on LINE, Facebook, WhatsApp and Instagram only", () => {
    expect(["line", "messenger", "whatsapp", "instagram"].every(canSendAutoCloseReminder)).toBe(true);
    expect(canSendAutoCloseReminder("webchat")).toBe(false);
    expect(canSendAutoCloseReminder("wechat")).toBe(false);
    const s = { autoCloseMinutes: 60, autoCloseReminderMinutesBefore: 10, autoCloseReminderText: "即將結束對話" };
    const at = new Date("2026-01-01T00:00:00Z");
    expect(reminderDueAt(s, "line", at)?.toISOString()).toBe("2026-01-01T00:50:00.000Z");
    expect(reminderDueAt(s, "webchat", at)).toBeNull();
    expect(reminderDueAt({ ...s, autoCloseMinutes: null }, "line", at)).toBeNull();
    expect(reminderDueAt({ ...s, autoCloseReminderMinutesBefore: 90 }, "line", at)?.toISOString()).toBe(at.toISOString());
  });
});
