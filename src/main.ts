/** `npm start`: the server on the embedded database (or DATABASE_URL), with the demo workspace. */
import { loadConfig } from "./config.js";
import { createApp } from "./app.js";
import { seedDemo, DEMO } from "./seed/demo.js";
import { consoleRoutes } from "./api/static.js";

async function main() {
  const config = loadConfig();
  const app = await createApp(config, { logger: process.env.LOG_LEVEL === "debug", plugins: [consoleRoutes] });
  if (config.seedDemo) await seedDemo(app.ctx);
  await app.listen();
  const url = config.publicUrl;
  console.log(`Parley is running at ${url}  (database: ${app.database.backend}${app.database.backend === "pglite" ? ` in ${config.dataDir}` : ""})`);
  if (config.seedDemo) console.log(`Demo admin: ${DEMO.email} / ${DEMO.password}   (agent: ${DEMO.agentEmail}, same password)`);
  const stop = async () => {
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
