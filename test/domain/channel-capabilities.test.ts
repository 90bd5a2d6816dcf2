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

  it("MEDIA-4: a Facebook image of up to 1 MB gets no hint, one byte more gets 「建議圖片小於等於 1 MB」; no other channel hints", () => {
    expect(checkMedia("messenger", "image", img(MB))).toEqual({ error: null, hint: null });
    expect(checkMedia("messenger", "image", img(MB + 1)).hint?.zh).toBe("建議圖片小於等於 1 MB");
    for (const p of ["instagram", "line", "whatsapp", "webchat"]) expect(checkMedia(p, "image", img(2 * MB)).hint, p).toBeNull();
    // The hint never blocks: a Facebook file over 1 MB is not an image and gets none.
    expect(checkMedia("messenger", "file", { bytes: 2 * MB, mimeType: "application/pdf", fileName: "a.pdf" })).toEqual({ error: null, hint: null });
  });

  it("MEDIA-5: LINE takes MOV and MP4 videos and common files (csv, pdf, txt, excel, psd, ai, ppt, docx, doc), never .exe", () => {
    for (const mimeType of ["video/mp4", "video/quicktime"]) expect(checkMedia("line", "video", { bytes: 1000, mimeType, fileName: "clip" }).error, mimeType).toBeNull();
    for (const mimeType of ["video/x-msvideo", "video/webm", "video/3gpp"]) expect(checkMedia("line", "video", { bytes: 1000, mimeType, fileName: "clip" }).error?.message, mimeType).toBe("不支援此檔案類型");
    const files: [string, string][] = [
      ["報表.csv", "text/csv"],
      ["型錄.pdf", "application/pdf"],
      ["說明.txt", "text/plain"],
      ["訂單.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
      ["訂單.xls", "application/vnd.ms-excel"],
      ["設計.psd", "image/vnd.adobe.photoshop"],
      ["logo.ai", "application/postscript"],
      ["簡報.ppt", "application/vnd.ms-powerpoint"],
      ["合約.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
      ["合約.doc", "application/msword"],
    ];
    for (const [fileName, mimeType] of files) expect(checkMedia("line", "file", { bytes: 1000, mimeType, fileName }).error, fileName).toBeNull();
    expect(checkMedia("line", "file", { bytes: 1000, mimeType: "application/octet-stream", fileName: "安裝程式.EXE" }).error?.message).toBe("不支援此檔案類型");
    expect(checkMedia("line", "file", { bytes: 1000, mimeType: "application/x-msdownload", fileName: "setup" }).error?.message).toBe("不支援此檔案類型");
  });

  it("MEDIA-11: expiry = upload time rounded up to the next 00:00 UTC, plus 30 days, whatever the time of day", () => {
    const DAY = 86_400_000;
    for (const at of ["2026-09-15T03:49:00Z", "2026-09-15T00:00:00.001Z", "2026-09-15T23:59:59.999Z", "2026-12-31T16:30:00Z", "2028-02-28T12:00:00Z"]) {
      const up = new Date(at);
      const exp = lineFileExpiry(up);
      expect(exp.getUTCHours() * 3600 + exp.getUTCMinutes() * 60 + exp.getUTCSeconds() + exp.getUTCMilliseconds(), at).toBe(0);
      expect(exp.getTime() - up.getTime(), at).toBeGreaterThan(30 * DAY);
      expect(exp.getTime() - up.getTime(), at).toBeLessThanOrEqual(31 * DAY);
    }
    // Across a month and a leap day: 2028-02-28 12:00 UTC → 2028-02-29 00:00 UTC + 30 days = 2028-03-30.
    expect(lineFileExpiry(new Date("2028-02-28T12:00:00Z")).toISOString()).toBe("2028-03-30T00:00:00.000Z");
    // Taiwan time after 08:00 is already the next UTC day's rounding: 9/15 07:59 (UTC+8) is 9/14 23:59 UTC → 10/15 08:00 (UTC+8).
    expect(lineFileExpiry(new Date("2026-09-15T07:59:00+08:00")).toISOString()).toBe(new Date("2026-10-15T08:00:00+08:00").toISOString());
  });
});
