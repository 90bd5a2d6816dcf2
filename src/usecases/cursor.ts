/** Keyset cursors: an opaque token for (sort key time, id) of a page's last row. */
import { AppError } from "./errors.js";

export interface Cursor {
  k: string; // ISO time of the sort key
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

export function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as Cursor;
    if (typeof c.k !== "string" || typeof c.id !== "string" || Number.isNaN(Date.parse(c.k)) || !/^[0-9a-f-]{36}$/i.test(c.id)) throw new Error();
    return { k: new Date(c.k).toISOString(), id: c.id };
  } catch {
    throw new AppError("validation", "cursor 無效", { messageEn: "invalid cursor" });
  }
}
