import { describe, it, expect } from "vitest";
import { replyWindow, checkFreeFormReply, WINDOW_TEXT } from "../../src/domain/reply-window.js";

const now = new Date("2026-05-10T12:00:00Z");
const ago = (h: number) => new Date(now.getTime() - h * 3_600_000);

describe("reply windows", () => {
  it("ADV-20: Messenger within 24 h allows any reply, with no hint", () => {
    expect(replyWindow("messenger", ago(23), now)).toMatchObject({ freeForm: true, promotional: true, hint: null });
  });

  it("ADV-20: Messenger between 24 h and 7 days allows only non-promotional replies, with the hint", () => {
    expect(replyWindow("messenger", ago(25), now)).toMatchObject({ freeForm: true, promotional: false, hint: WINDOW_TEXT.messengerHumanAgent });
    expect(WINDOW_TEXT.messengerHumanAgent.zh).toBe("此用戶的訊息已超過24小時,只能傳送「非推廣性質」的訊息");
  });

  it("ADV-20: Messenger after 7 days refuses every reply with the spec's text", () => {
    const e = checkFreeFormReply("messenger", ago(7 * 24 + 1), now);
    expect(e).toMatchObject({ code: "window_closed", message: "無法傳送訊息,你已經超過Facebook的對話限制(客人最後一個訊息後7天內可傳送非推廣興致的訊息)" });
  });

  it("ADV-24: boundaries are ≤ 24 h 00 min free, ≤ 7 × 24 h human-agent, beyond closed", () => {
    expect(replyWindow("messenger", ago(24), now).promotional).toBe(true);
    expect(replyWindow("messenger", new Date(ago(24).getTime() - 1), now).promotional).toBe(false);
    expect(replyWindow("messenger", ago(7 * 24), now).freeForm).toBe(true);
    expect(replyWindow("messenger", new Date(ago(7 * 24).getTime() - 1), now).freeForm).toBe(false);
  });

  it("ADV-19: human replies on Messenger carry the HUMAN_AGENT tag", () => {
    expect(replyWindow("messenger", ago(1), now).humanTag).toBe("HUMAN_AGENT");
    expect(replyWindow("messenger", ago(100), now).humanTag).toBe("HUMAN_AGENT");
  });

  it("ADV-26: no window is enforced on Instagram", () => {
    expect(checkFreeFormReply("instagram", ago(24 * 30), now)).toBeNull();
    expect(replyWindow("instagram", ago(24 * 30), now).humanTag).toBeNull();
  });

  it("ADV-33: WhatsApp after 24 h (or when the customer never wrote) allows only templates, with the hint", () => {
    expect(replyWindow("whatsapp", ago(23), now)).toMatchObject({ freeForm: true, template: true });
    expect(checkFreeFormReply("whatsapp", ago(25), now)).toMatchObject({ code: "window_closed", message: "顧客最後訊息已超過24小時,請使用訊息範本" });
    expect(checkFreeFormReply("whatsapp", null, now)?.code).toBe("window_closed");
    expect(replyWindow("whatsapp", null, now).template).toBe(true);
  });

  it("ADV-18: the Facebook rule applies to Messenger only; other channels are always open", () => {
    for (const p of ["line", "webchat", "api", "instagram"]) expect(checkFreeFormReply(p, ago(24 * 400), now)).toBeNull();
  });
});
