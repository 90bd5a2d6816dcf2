/**
 * Images a widget visitor sends (MEDIA-3, MEDIA-6, MEDIA-7: JPG/JPEG/PNG up
 * to 10 MB). The type is decided by the file's first bytes, never by its
 * name or the declared content type. Files are stored under an unguessable
 * random id in DATA_DIR/uploads; the visitor's file name is only kept as
 * metadata (and refused when it tries to name a path).
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { WIDGET_IMAGE_LIMIT_BYTES, WIDGET_IMAGE_TYPES, type WidgetImageType } from "./contract.js";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

/** The image type by magic bytes, or null (anything else, however it is named, or a type the channel does not take). */
export function sniffImage(buf: Buffer): WidgetImageType | null {
  let type: WidgetImageType | null = null;
  if (buf.length >= PNG.length + 8 && buf.subarray(0, PNG.length).equals(PNG) && buf.subarray(12, 16).toString("latin1") === "IHDR") type = "image/png";
  else if (buf.length >= 4 && buf.subarray(0, 3).equals(JPEG)) type = "image/jpeg";
  return type && WIDGET_IMAGE_TYPES.includes(type) ? type : null;
}

export const EXTENSION: Record<WidgetImageType, string> = { "image/png": "png", "image/jpeg": "jpg" };

// Path separators, drive/stream colons, control characters, lone surrogates.
const FORBIDDEN = /[/\\:\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A display file name, or null when it is empty, too long, or names a path ("../x", "a/b", "C:x", ".."). */
export function safeFileName(name: string): string | null {
  const n = name.normalize("NFC").trim();
  if (!n || n.length > 200 || FORBIDDEN.test(n) || n.startsWith(".") || n.includes("..")) return null;
  return n;
}

/** A random (v4) UUID: 122 random bits, the same shape as every other id in the paths. */
export const UPLOAD_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface UploadMeta {
  id: string;
  mimeType: WidgetImageType;
  fileName: string;
  size: number;
  workspaceId: string;
  channelId: string;
  visitorId: string;
  createdAt: string;
}

export class UploadStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  private paths(id: string) {
    if (!UPLOAD_ID_RE.test(id)) throw new Error("bad upload id");
    return { data: join(this.dir, id), meta: join(this.dir, `${id}.json`) };
  }

  async save(bytes: Buffer, meta: Omit<UploadMeta, "id" | "size">): Promise<UploadMeta> {
    if (bytes.length > WIDGET_IMAGE_LIMIT_BYTES) throw new Error("too large");
    await mkdir(this.dir, { recursive: true });
    const id = randomUUID();
    const p = this.paths(id);
    const full: UploadMeta = { id, size: bytes.length, ...meta };
    // Data first, then its metadata: a file without metadata is never served.
    await writeFile(`${p.data}.tmp`, bytes, { flag: "wx" });
    await rename(`${p.data}.tmp`, p.data);
    await writeFile(`${p.meta}.tmp`, JSON.stringify(full), { flag: "wx" });
    await rename(`${p.meta}.tmp`, p.meta);
    return full;
  }

  /** The stored file, or null (unknown id, or not a well-formed one). */
  async open(id: string): Promise<{ path: string; meta: UploadMeta } | null> {
    if (!UPLOAD_ID_RE.test(id)) return null;
    const p = this.paths(id);
    try {
      const meta = JSON.parse(await readFile(p.meta, "utf8")) as UploadMeta;
      if ((await stat(p.data)).size !== meta.size) return null;
      return { path: p.data, meta };
    } catch {
      return null;
    }
  }
}
