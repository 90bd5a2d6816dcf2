/**
 * Wires the parts together: database, clock, job worker, HTTP API and the
 * realtime stream. Used by `npm start`, the tests and the benchmarks.
 */
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { openDatabase, type Database } from "./store/db.js";
import { ConfigCache } from "./store/config-cache.js";
import { systemClock, TestClock, type Clock } from "./clock.js";
import type { AppContext, Publisher } from "./context.js";
import { defaultIngestBatches, DEFAULT_POOL_SIZE, type Config } from "./config.js";
import { IngestBatcher } from "./usecases/ingest-batch.js";
import type { RealtimeEvent } from "./realtime/events.js";
import { attachRealtime, type Realtime } from "./realtime/server.js";
import { buildServer } from "./api/server.js";
import { JobWorker } from "./jobs/worker.js";
import { deliverJob } from "./jobs/deliver.js";
import { exportEmailJob } from "./jobs/export-email.js";
import { widgetRoutes } from "./api/routes/widget.js";
import { attachWidgetNamespace, type WidgetNamespace } from "./realtime/widget-namespace.js";
import { setWebchatEmitter } from "./channels/webchat/adapter.js";
import { createMailer } from "./mail.js";
import { autoCloseJob, autoCloseReminderJob } from "./jobs/auto-close.js";
import { fetchMediaJob } from "./jobs/fetch-media.js";
import { testModeRoutes } from "./api/routes/test-mode.js";
import { channelCreatedHooks } from "./api/routes/channels.js";
import { simulatorRoutes } from "./api/routes/simulator.js";
import { SimulatorHub, loopbackOrigin } from "./simulators/hub.js";

export interface App {
  config: Config;
  ctx: AppContext;
  database: Database;
  server: FastifyInstance;
  worker: JobWorker;
  realtime: Realtime | null;
  /** Test and demo mode: the platform simulators of the channels (null otherwise). */
  simulators: SimulatorHub | null;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  /** Start the background job worker (tests may drive it by hand). */
  runJobs?: boolean;
  logger?: boolean;
  plugins?: FastifyPluginAsync<any>[];
}

/** Events published before the realtime server exists are dropped (start-up only). */
class LatePublisher implements Publisher {
  target: Publisher | null = null;
  publish(events: RealtimeEvent[]): void {
    this.target?.publish(events);
  }
}

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir === ":memory:" ? undefined : config.dataDir,
    poolSize: config.databasePoolSize ?? DEFAULT_POOL_SIZE,
    wasmTierUp: config.pgliteWasmTierUp,
  });
  const publisher = new LatePublisher();
  // In test mode the server's time only moves when told to (POST /api/test/clock).
  const clock = opts.clock ?? (config.testMode ? new TestClock() : systemClock);
  const ctx: AppContext = { db: database.db, backend: database.backend, clock, publisher, configCache: new ConfigCache(), publicUrl: config.publicUrl };
  const mailer = createMailer(config.smtpUrl, config.mailFrom ?? "Parley <no-reply@localhost>");
  const worker = new JobWorker(ctx, { deliver: deliverJob, auto_close: autoCloseJob, auto_close_reminder: autoCloseReminderJob, export_email: exportEmailJob(mailer), fetch_media: fetchMediaJob });
  ctx.wakeJobs = () => worker.wake();
  const ingestBatches = config.ingestBatches ?? defaultIngestBatches(database.backend);
  if (ingestBatches > 0) ctx.ingest = new IngestBatcher(ctx, { concurrency: ingestBatches, maxEvents: 64 });
  const plugins = [...(opts.plugins ?? [])];
  plugins.push(widgetRoutes(ctx, { dataDir: config.dataDir, publicUrl: config.publicUrl }));
  // Test and demo mode: every LINE/Messenger/Instagram/WhatsApp/WeChat channel gets a platform simulator.
  const hub = config.testMode || config.demo ? new SimulatorHub(ctx, { webhookOrigin: () => loopbackOrigin(server.server.address()) }) : null;
  if (hub) {
    channelCreatedHooks.set(ctx, (row) => hub.onChannelCreated(row));
    plugins.push(simulatorRoutes(ctx, hub));
  }
  if (config.testMode && clock instanceof TestClock) plugins.push(testModeRoutes(ctx, clock, () => worker.drain(), hub ? () => hub.reset() : undefined));
  const server = await buildServer({ ctx, secureCookies: config.secureCookies, publicUrl: config.publicUrl, allowPlatformUrls: config.allowPlatformUrls, mailConfigured: mailer.configured, logger: opts.logger, plugins });
  await hub?.adoptExisting();
  let realtime: Realtime | null = null;
  let widget: WidgetNamespace | null = null;

  const app: App = {
    config,
    ctx,
    database,
    server,
    worker,
    simulators: hub,
    get realtime() {
      return realtime;
    },
    async listen() {
      await server.ready();
      realtime = await attachRealtime(server.server, ctx, config.redisUrl);
      widget = attachWidgetNamespace(realtime.io, ctx);
      setWebchatEmitter(widget.emitter);
      publisher.target = realtime;
      const address = await server.listen({ port: config.port, host: config.host });
      if (opts.runJobs !== false) worker.start();
      return address;
    },
    async close() {
      await worker.stop();
      widget?.close();
      await hub?.close();
      if (realtime) await realtime.close().catch(() => {});
      await server.close().catch(() => {});
      await database.close();
    },
  };
  return app;
}
