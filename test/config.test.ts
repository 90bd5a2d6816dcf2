/** Configuration from the environment (src/config.ts). */
import { describe, expect, it } from "vitest";
import { DEFAULT_POOL_SIZE, defaultIngestBatches, loadConfig } from "../src/config.js";

describe("DATABASE_POOL_SIZE", () => {
  it("defaults to the documented pool size and takes a whole number", () => {
    expect(loadConfig({}).databasePoolSize).toBe(DEFAULT_POOL_SIZE);
    expect(DEFAULT_POOL_SIZE).toBe(20);
    expect(loadConfig({ DATABASE_POOL_SIZE: "32" }).databasePoolSize).toBe(32);
  });

  it("refuses what is not a usable pool size", () => {
    for (const bad of ["0", "-3", "2.5", "lots", "5000"]) expect(() => loadConfig({ DATABASE_POOL_SIZE: bad })).toThrow(/DATABASE_POOL_SIZE/);
  });
});

describe("INGEST_BATCHES", () => {
  it("defaults to two batches at once on PostgreSQL and one on PGlite, takes 0 (no batching) to 100, and refuses anything else", () => {
    expect(loadConfig({}).ingestBatches).toBeUndefined();
    expect(defaultIngestBatches("postgres")).toBe(2);
    expect(defaultIngestBatches("pglite")).toBe(1);
    expect(loadConfig({ INGEST_BATCHES: "0" }).ingestBatches).toBe(0);
    expect(loadConfig({ INGEST_BATCHES: "4" }).ingestBatches).toBe(4);
    for (const bad of ["-1", "1.5", "many", "101"]) expect(() => loadConfig({ INGEST_BATCHES: bad })).toThrow(/INGEST_BATCHES/);
  });
});

describe("PGLITE_WASM_TIERUP", () => {
  it("is off unless set to 1 (decision 0005: PGlite's WebAssembly compiled by Liftoff only)", () => {
    expect(loadConfig({}).pgliteWasmTierUp).toBe(false);
    expect(loadConfig({ PGLITE_WASM_TIERUP: "0" }).pgliteWasmTierUp).toBe(false);
    expect(loadConfig({ PGLITE_WASM_TIERUP: "1" }).pgliteWasmTierUp).toBe(true);
  });
});
