import fc from "fast-check";
import { describe, expect, it, test } from "vitest";
import { checkWeChatSend, WECHAT_MAX_SENDS_PER_CUSTOMER_MESSAGE, WECHAT_TEXT, WECHAT_WINDOW_MS } from "../../src/domain/wechat-window.js";

const T0 = new Date("2026-03-02T02:00:00.000Z");
const HOUR = 3_600_000;
const after = (ms: number) => new Date(T0.getTime() + ms);
const check = (ageMs: number, sent = 0) => checkWeChatSend({ lastCustomerMessageAt: T0, sentSinceCustomerMessage: sent, now: after(ageMs) });

const WINDOW = { code: "window_closed", message: "已超過 48 小時回覆期限,無法傳送訊息", messageEn: WECHAT_TEXT.windowClosed.en };
const LIMIT = { code: "window_closed", message: "客人每則訊息後最多可回覆 5 則訊息", messageEn: WECHAT_TEXT.sendLimit.en };

describe("WeChat customer-service window (48 h)", () => {
  it("the window is 48 hours and the limit 5 messages per customer message", () => {
    expect(WECHAT_WINDOW_MS).toBe(48 * HOUR);
    expect(WECHAT_MAX_SENDS_PER_CUSTOMER_MESSAGE).toBe(5);
  });

  test.each([
    ["right after the customer's message", 0],
    ["after 47 h 59 min", 48 * HOUR - 60_000],
    ["at exactly 48 h", 48 * HOUR],
  ])("a reply %s may be sent", (_label, age) => {
    expect(check(age)).toBeNull();
  });

  test.each([
    ["1 ms past 48 h", 48 * HOUR + 1],
    ["after 49 h", 49 * HOUR],
    ["after 30 days", 30 * 24 * HOUR],
  ])("a reply %s is refused with 「已超過 48 小時回覆期限」", (_label, age) => {
    expect(check(age)).toEqual(WINDOW);
  });

  it("a customer who never wrote cannot be messaged", () => {
    expect(checkWeChatSend({ lastCustomerMessageAt: null, sentSinceCustomerMessage: 0, now: T0 })).toEqual(WINDOW);
  });

  it("an invalid last-message time is refused, a time slightly ahead of now (clock skew) is not", () => {
    expect(checkWeChatSend({ lastCustomerMessageAt: new Date(Number.NaN), sentSinceCustomerMessage: 0, now: T0 })).toEqual(WINDOW);
    expect(checkWeChatSend({ lastCustomerMessageAt: after(2_000), sentSinceCustomerMessage: 0, now: T0 })).toBeNull();
  });
});

describe("WeChat customer-service limit (5 per customer message)", () => {
  test.each([0, 1, 4])("with %i sent since the customer's message, one more may be sent", (sent) => {
    expect(check(HOUR, sent)).toBeNull();
  });

  test.each([5, 6, 100])("with %i sent since the customer's message, the next is refused with 「最多可回覆 5 則訊息」", (sent) => {
    expect(check(HOUR, sent)).toEqual(LIMIT);
  });

  it("the counter resets when the customer writes again (the caller counts from the new message)", () => {
    expect(check(HOUR, 5)).toEqual(LIMIT);
    // The customer writes at T0 + 1 h: nothing has been sent since that message.
    expect(checkWeChatSend({ lastCustomerMessageAt: after(HOUR), sentSinceCustomerMessage: 0, now: after(HOUR + 1) })).toBeNull();
  });

  it("outside the window the window refusal wins over the count", () => {
    expect(check(49 * HOUR, 5)).toEqual(WINDOW);
  });

  it("a NaN count is refused rather than let through", () => {
    expect(check(HOUR, Number.NaN)).toEqual(LIMIT);
  });

  it("property: allowed exactly when age ≤ 48 h and fewer than 5 were sent", () => {
    fc.assert(
      fc.property(fc.integer({ min: -60_000, max: 100 * HOUR }), fc.integer({ min: 0, max: 20 }), (age, sent) => {
        const r = check(age, sent);
        const allowed = age <= 48 * HOUR && sent < 5;
        return allowed ? r === null : r !== null && r.code === "window_closed" && (age > 48 * HOUR ? r.message === WINDOW.message : r.message === LIMIT.message);
      }),
    );
  });
});
