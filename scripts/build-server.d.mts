/** Bundles `entry` (relative to the project root) into `outfile`; resolves to the bundle's absolute path. */
export function buildServer(entry?: string, outfile?: string): Promise<string>;
