import { describe, it, expect } from "vitest";
import { checkStickerSend, LINE_OFFICIAL_PACKS, RECENT_STICKERS_MAX, stickerPacksFor, withRecent } from "../../src/domain/stickers.js";

describe("sticker rules", () => {
  it("MEDIA-18: LINE sends exactly the official packs' stickers: each pack's first and last id, not one past either end", () => {
    for (const p of LINE_OFFICIAL_PACKS) {
      const first = p.stickerIds[0], last = p.stickerIds.at(-1)!;
      expect(checkStickerSend("line", { packageId: p.packageId, stickerId: first }), `${p.packageId}/${first}`).toBeNull();
      expect(checkStickerSend("line", { packageId: p.packageId, stickerId: last }), `${p.packageId}/${last}`).toBeNull();
      expect(checkStickerSend("line", { packageId: p.packageId, stickerId: String(Number(first) - 1) })?.message).toBe("僅支援 LINE 官方貼圖");
      expect(checkStickerSend("line", { packageId: p.packageId, stickerId: String(Number(last) + 1) })?.message).toBe("僅支援 LINE 官方貼圖");
    }
    // A sticker id of another pack under this package id is not that pack's.
    expect(checkStickerSend("line", { packageId: "446", stickerId: "10855" })?.message).toBe("僅支援 LINE 官方貼圖");
  });

  it("MEDIA-17, MEDIA-23: WhatsApp needs the sticker add-on's packs (none in this release); other channels send none", () => {
    expect(checkStickerSend("whatsapp", { packageId: "446", stickerId: "1988" })?.message).toBe("尚未開通 WhatsApp 貼圖包加購功能");
    for (const p of ["messenger", "instagram", "wechat", "webchat", "api"]) {
      expect(checkStickerSend(p, { packageId: "446", stickerId: "1988" })?.message, p).toBe("此渠道不支援傳送貼圖");
      expect(stickerPacksFor(p), p).toEqual([]);
    }
    expect(stickerPacksFor("whatsapp")).toEqual([]);
    expect(stickerPacksFor("line")).toBe(LINE_OFFICIAL_PACKS);
  });

  it("MEDIA-22: the recent list is newest first, holds each sticker once, and keeps the last 16", () => {
    const s = (id: number) => ({ packageId: "446", stickerId: String(id) });
    let list = [s(1988), s(1989)];
    list = withRecent(list, s(1990));
    expect(list).toEqual([s(1990), s(1988), s(1989)]);
    list = withRecent(list, s(1989));
    expect(list).toEqual([s(1989), s(1990), s(1988)]);
    // Same sticker id in another package is another sticker.
    expect(withRecent(list, { packageId: "789", stickerId: "1989" })).toHaveLength(4);
    for (let i = 0; i < 30; i++) list = withRecent(list, s(2000 + i));
    expect(RECENT_STICKERS_MAX).toBe(16);
    expect(list).toHaveLength(16);
    expect(list[0]).toEqual(s(2029));
    expect(list.at(-1)).toEqual(s(2014));
  });
});
