/** `npm start`: the server on the embedded database (or DATABASE_URL), with the demo workspace. `npm run demo` adds simulated channels and customers. */
import { loadConfig } from "./config.js";
import { createApp } from "./app.js";
import { consoleRoutes } from "./api/static.js";
import { seedDemo, DEMO } from "./seed/demo.js";
import { startDemoDriver, type DemoDriver } from "./simulators/demo.js";

const positive = (v: string | undefined, fallback: number): number => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

async function main() {
  const config = loadConfig();
  // The agent console (web/dist) at /: what a user opens after `npm start`.
  const app = await createApp(config, { logger: process.env.LOG_LEVEL === "debug", plugins: [consoleRoutes] });
  // The demo needs its workspace even when seeding is otherwise off.
  const seed = config.seedDemo || config.demo === true;
  if (seed) await seedDemo(app.ctx);
  await app.listen();
  const url = config.publicUrl;
  console.log(`Parley is running at ${url}  (database: ${app.database.backend}${app.database.backend === "pglite" ? ` in ${config.dataDir}` : ""})`);
  if (seed) console.log(`Demo admin: ${DEMO.email} / ${DEMO.password}   (agent: ${DEMO.agentEmail}, same password)`);
  let driver: DemoDriver | null = null;
  if (config.demo && app.simulators) {
    const intervalMs = positive(process.env.PARLEY_DEMO_INTERVAL_MS, 5000);
    const maxMessages = positive(process.env.PARLEY_DEMO_MAX_MESSAGES, 60);
    driver = await startDemoDriver(app.ctx, app.simulators, { intervalMs, maxMessages, log: (line) => console.log(line) });
    console.log(`Demo mode: simulated LINE, Messenger, Instagram and WhatsApp channels (platform simulators on this machine):`);
    for (const c of driver.channels) console.log(`  ${c.name.padEnd(24)} channel ${c.id}   simulator ${c.simulatorUrl}`);
    console.log(`A simulated customer writes every ${Math.round(intervalMs / 1000)} s (${maxMessages} messages in all); replies you send are delivered to the simulators and read a few seconds later.`);
    console.log(`Make a customer write yourself: POST ${url}/api/simulator/channels/<channel id>/inbound  {"customer":{"id":"me","name":"測試客人"},"kind":"text","text":"你好"}  (docs/testing.md)`);
  }
  const stop = async () => {
    await driver?.stop();
    await app.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
