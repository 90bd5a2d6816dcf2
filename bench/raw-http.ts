/**
 * A minimal HTTP/1.1 keep-alive client for the load generator: one request at
 * a time per connection, the request written as one string, the answer read
 * by its Content-Length (or chunked). node:http's client costs the driver
 * process ≈ 0.35 of a core at 3,000 webhooks/s; the server, PostgreSQL and the
 * driver share this machine's cores, so the generator keeps its own share as
 * small as it can (autocannon and wrk do the same with raw sockets).
 */
import net from "node:net";

export interface RawResponse {
  status: number;
  body: string;
}

const CRLF2 = Buffer.from("\r\n\r\n");

class Connection {
  private readonly socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: RawResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  closed = false;

  constructor(private readonly host: string, private readonly port: number) {
    this.socket = net.connect(port, host);
    this.socket.setNoDelay(true);
    this.socket.on("data", (d: Buffer) => this.onData(d));
    this.socket.on("error", (e) => this.fail(e));
    this.socket.on("close", () => this.fail(new Error("connection closed by the server")));
  }

  send(method: string, path: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<RawResponse> {
    if (this.waiting) return Promise.reject(new Error("connection busy"));
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`request timed out after ${timeoutMs / 1000} s`)), timeoutMs);
      this.waiting = { resolve, reject, timer };
      this.socket.write(`${head}\r\n${body}`);
    });
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private fail(e: Error): void {
    this.closed = true;
    const w = this.waiting;
    this.waiting = null;
    if (w) {
      clearTimeout(w.timer);
      w.reject(e);
    }
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    const end = this.buf.indexOf(CRLF2);
    if (end < 0) return;
    const head = this.buf.subarray(0, end).toString("latin1");
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let body: Buffer;
    if (length) {
      const total = end + 4 + Number(length[1]);
      if (this.buf.length < total) return;
      body = this.buf.subarray(end + 4, total);
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const done = this.buf.indexOf("\r\n0\r\n\r\n", end + 2);
      if (done < 0) return;
      const parts: Buffer[] = [];
      for (let at = end + 4; ; ) {
        const eol = this.buf.indexOf("\r\n", at);
        const size = parseInt(this.buf.subarray(at, eol).toString("latin1"), 16);
        if (!size) break;
        parts.push(this.buf.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else return this.fail(new Error(`answer without a length: ${head.slice(0, 200)}`));
    this.buf = Buffer.alloc(0);
    if (/\r\nconnection: *close/i.test(head)) this.closed = true;
    const w = this.waiting;
    this.waiting = null;
    if (!w) return;
    clearTimeout(w.timer);
    w.resolve({ status, body: body.toString("utf8") });
  }
}

/** Up to as many connections as requests in flight, each reused while the server keeps it open. */
export class RawPool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();

  constructor(private readonly origin: URL) {}

  async request(method: string, path: string, headers: Record<string, string>, body: string, timeoutMs = 30_000): Promise<RawResponse> {
    let c = this.idle.pop();
    while (c?.closed) c = this.idle.pop();
    if (!c) {
      c = new Connection(this.origin.hostname, Number(this.origin.port || 80));
      this.all.add(c);
    }
    try {
      return await c.send(method, path, headers, body, timeoutMs);
    } finally {
      if (c.closed) this.all.delete(c);
      else this.idle.push(c);
    }
  }

  destroy(): void {
    for (const c of this.all) c.destroy();
    this.all.clear();
    this.idle.length = 0;
  }
}
