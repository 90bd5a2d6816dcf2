import { describe, expect, it, test } from "vitest";
import { canMoveStatus, DELIVERY_STATUSES, READ_SEMANTICS, STATUS_TEXT, type DeliveryStatus, type Platform } from "../../src/domain/message-status.js";

/** STAT-9 written out as the allowed edges. */
const ALLOWED = new Set([
  "sending>sent",
  "sending>received",
  "sending>read",
  "sending>failed",
  "sent>received",
  "sent>read",
  "sent>failed",
  "received>read",
]);

const PAIRS = DELIVERY_STATUSES.flatMap((from) => DELIVERY_STATUSES.map((to) => ({ from, to, allowed: ALLOWED.has(`${from}>${to}`) })));

describe("forward-only statuses (STAT-9)", () => {
  test.each(PAIRS)("STAT-9: $from → $to allowed=$allowed", ({ from, to, allowed }) => {
    expect(canMoveStatus(from, to)).toBe(allowed);
  });

  it("STAT-9: a delivery receipt arriving after a read receipt is ignored", () => {
    let status: DeliveryStatus = "sent";
    for (const event of ["read", "received"] as DeliveryStatus[]) if (canMoveStatus(status, event)) status = event;
    expect(status).toBe("read");
  });

  it("STAT-9: failed is terminal and cannot be reached after received or read", () => {
    for (const to of DELIVERY_STATUSES) expect(canMoveStatus("failed", to)).toBe(false);
    expect(canMoveStatus("received", "failed")).toBe(false);
    expect(canMoveStatus("read", "failed")).toBe(false);
  });

  it("STAT-9: any sequence of events ends at the most advanced status it reached", () => {
    const events: DeliveryStatus[] = ["sent", "read", "sent", "received", "sending", "failed"];
    let status: DeliveryStatus = "sending";
    for (const e of events) if (canMoveStatus(status, e)) status = e;
    expect(status).toBe("read");
  });

  it("STAT-9: the statuses carry the source's Chinese labels", () => {
    expect(DELIVERY_STATUSES.map((s) => STATUS_TEXT[s].zh)).toEqual(["發送中", "已送出", "已收到", "已讀", "傳送失敗"]);
  });
});

describe("read and delivery semantics per channel (STAT-5, STAT-6, STAT-7, STAT-10, STAT-11)", () => {
  test.each([
    ["messenger", true],
    ["instagram", true],
    ["whatsapp", true],
    ["line", false],
    ["webchat", false],
    ["wechat", false],
  ] as Array<[Platform, boolean]>)("STAT-5: %s reports read natively: %s", (p, native) => {
    expect(READ_SEMANTICS[p].read === "receipt").toBe(native);
  });

  it("STAT-6: on LINE the agent's messages become read only when the customer replies", () => {
    expect(READ_SEMANTICS.line.read).toBe("on_customer_reply");
  });

  it("STAT-7: on the website widget the agent's messages become read when the customer opens the widget", () => {
    expect(READ_SEMANTICS.webchat.read).toBe("on_widget_open");
  });

  test.each([
    ["messenger", true],
    ["whatsapp", true],
    ["webchat", true],
    ["line", false],
    ["instagram", false],
  ] as Array<[Platform, boolean]>)("STAT-10: %s reports delivery (Received): %s", (p, delivery) => {
    expect(READ_SEMANTICS[p].reportsDelivery).toBe(delivery);
  });

  test.each([["line"], ["instagram"]] as Array<[Platform]>)("STAT-10: on %s a message goes from Sent directly to Read", (p) => {
    expect(READ_SEMANTICS[p].reportsDelivery).toBe(false);
    expect(canMoveStatus("sent", "read")).toBe(true);
  });

  it("STAT-11: on LINE a customer message marks every earlier outbound message read, except failed ones", () => {
    expect(READ_SEMANTICS.line.read).toBe("on_customer_reply");
    const outbound: DeliveryStatus[] = ["sent", "sent", "sending", "failed", "read"];
    const after = outbound.map((s) => (canMoveStatus(s, "read") ? "read" : s));
    expect(after).toEqual(["read", "read", "read", "failed", "read"]);
  });
});
