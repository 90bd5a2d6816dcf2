/**
 * The bench's raw HTTP client (bench/raw-http.ts) must read answers exactly
 * as node:http would, or the load figures count wrong: length-delimited and
 * chunked bodies, several requests on one kept-alive connection, a server
 * that closes the connection, a server that never answers.
 */
import { describe, it, expect, afterAll, beforeAll } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { RawPool } from "../../bench/raw-http.js";

let server: http.Server;
let origin: URL;
const sockets = new Set<unknown>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.url === "/chunked") {
        res.writeHead(201, { "content-type": "text/plain" });
        res.write("第一塊 ");
        res.end("second");
      } else if (req.url === "/close") {
        res.writeHead(200, { connection: "close", "content-length": "2" });
        res.end("ok");
      } else if (req.url === "/never") {
        // no answer
      } else {
        const out = JSON.stringify({ got: body, sig: req.headers["x-line-signature"], length: req.headers["content-length"] });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) });
        res.end(out);
      }
    });
  });
  server.on("connection", (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

describe("bench raw HTTP client", () => {
  it("sends the body and headers, reads a length-delimited answer, and reuses one connection", async () => {
    const pool = new RawPool(origin);
    const before = sockets.size;
    for (const text of ["hello", "你好，訂單"]) {
      const r = await pool.request("POST", "/echo", { "content-type": "application/json", "x-line-signature": "abc=" }, JSON.stringify({ text }));
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ got: JSON.stringify({ text }), sig: "abc=", length: String(Buffer.byteLength(JSON.stringify({ text }))) });
    }
    expect(sockets.size - before).toBe(1);
    pool.destroy();
  });

  it("reads a chunked answer and keeps its status", async () => {
    const pool = new RawPool(origin);
    const r = await pool.request("POST", "/chunked", {}, "");
    expect(r).toEqual({ status: 201, body: "第一塊 second" });
    pool.destroy();
  });

  it("opens a new connection after the server closed one", async () => {
    const pool = new RawPool(origin);
    const before = sockets.size;
    expect((await pool.request("POST", "/close", {}, "")).body).toBe("ok");
    expect((await pool.request("POST", "/echo", {}, "x")).status).toBe(200);
    expect(sockets.size - before).toBe(2);
    pool.destroy();
  });

  it("fails a request the server never answers after its timeout", async () => {
    const pool = new RawPool(origin);
    await expect(pool.request("POST", "/never", {}, "", 200)).rejects.toThrow(/timed out/);
    pool.destroy();
  });
});
