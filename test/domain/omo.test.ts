import { describe, it, expect } from "vitest";
import { omoBindingApplies, OMO_PLATFORMS } from "../../src/domain/omo.js";

describe("OMO binding rules", () => {
  it("PROF-44: a binding applies only on OMO teams and only to LINE and WhatsApp customers", () => {
    expect([...OMO_PLATFORMS].sort()).toEqual(["line", "whatsapp"]);
    for (const p of ["line", "whatsapp"]) {
      expect(omoBindingApplies(true, p)).toBe(true);
      expect(omoBindingApplies(false, p)).toBe(false);
    }
    for (const p of ["messenger", "instagram", "wechat", "webchat", "api"]) expect(omoBindingApplies(true, p)).toBe(false);
  });
});
