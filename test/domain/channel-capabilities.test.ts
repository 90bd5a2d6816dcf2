import { describe, it, expect } from "vitest";
import { checkMedia, capabilitiesOf, lineFileExpiry } from "../../src/domain/channel-capabilities.js";

const MB = 1024 * 1024;
const img = (bytes: number, mimeType = "image/png") => ({ bytes, mimeType, fileName: "a.png" });

describe("channel capabilities", () => {
  it("MEDIA-3: each channel offers the media kinds of the table", () => {
    const kinds = (p: string) => Object.keys(capabilitiesOf(p).media).sort();
    expect(kinds("webchat")).toEqual(["image"]);
    expect(kinds("messenger")).toEqual(["audio", "file", "image", "video"]);
    expect(kinds("instagram")).toEqual(["image"]);
    expect(kinds("line")).toEqual(["audio", "file", "image", "video"]);
    expect(kinds("whatsapp")).toEqual(["audio", "file", "image", "video"]);
  });

  it("MEDIA-7: size limits are enforced with the proposed message", () => {
    expect(checkMedia("webchat", "image", img(10 * MB)).error).toBeNull();
    expect(checkMedia("webchat", "image", img(10 * MB + 1)).error?.message).toBe("檔案超過大小限制(10MB)");
    expect(checkMedia("messenger", "file", { bytes: 8 * MB + 1, mimeType: "application/pdf", fileName: "a.pdf" }).error?.message).toBe("檔案超過大小限制(8MB)");
    expect(checkMedia("line", "file", { bytes: 64 * MB, mimeType: "application/pdf", fileName: "a.pdf" }).error).toBeNull();
    expect(checkMedia("line", "video", { bytes: 50 * MB + 1, mimeType: "video/mp4", fileName: "a.mp4" }).error?.message).toBe("檔案超過大小限制(50MB)");
    expect(checkMedia("whatsapp", "image", img(5 * MB + 1)).error?.message).toBe("檔案超過大小限制(5MB)");
    expect(checkMedia("whatsapp", "video", { bytes: 16 * MB, mimeType: "video/mp4", fileName: "a.mp4" }).error).toBeNull();
  });

  it("MEDIA-7: a Facebook image over 1 MB gets the non-blocking hint", () => {
    expect(checkMedia("messenger", "image", img(2 * MB))).toEqual({ error: null, hint: { zh: "建議圖片小於等於 1 MB", en: "Images of at most 1 MB are recommended" } });
    expect(checkMedia("messenger", "image", img(MB)).hint).toBeNull();
  });

  it("MEDIA-8: only JPG/PNG images, LINE video MOV/MP4, no executables, no media on WeChat", () => {
    expect(checkMedia("line", "image", img(100, "image/gif")).error?.message).toBe("不支援此檔案類型");
    expect(checkMedia("line", "video", { bytes: 100, mimeType: "video/webm", fileName: "a.webm" }).error?.message).toBe("不支援此檔案類型");
    expect(checkMedia("line", "file", { bytes: 100, mimeType: "application/octet-stream", fileName: "setup.exe" }).error?.message).toBe("不支援此檔案類型");
    expect(checkMedia("line", "file", { bytes: 100, mimeType: "application/pdf", fileName: "a.pdf" }).error).toBeNull();
    expect(checkMedia("wechat", "image", img(100)).error?.message).toBe("不支援此檔案類型");
    expect(checkMedia("instagram", "video", { bytes: 100, mimeType: "video/mp4", fileName: "a.mp4" }).error?.message).toBe("不支援此檔案類型");
  });

  it("MEDIA-17: only WhatsApp and LINE can send stickers; MEDIA-18: LINE official stickers, WhatsApp by add-on", () => {
    expect(capabilitiesOf("line").stickers).toBe("line_official");
    expect(capabilitiesOf("whatsapp").stickers).toBe("add_on");
    for (const p of ["messenger", "instagram", "webchat", "wechat"]) expect(capabilitiesOf(p).stickers).toBeNull();
  });

  it("MEDIA-10: a LINE file uploaded 9/15 11:49 (UTC+8) expires 10/16 08:00 (UTC+8)", () => {
    const uploaded = new Date("2026-09-15T11:49:00+08:00");
    expect(lineFileExpiry(uploaded).toISOString()).toBe(new Date("2026-10-16T08:00:00+08:00").toISOString());
  });

  it("MEDIA-12: an upload at exactly 00:00:00 UTC is not rounded further", () => {
    expect(lineFileExpiry(new Date("2026-01-01T00:00:00Z")).toISOString()).toBe("2026-01-31T00:00:00.000Z");
  });
});
