import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type DatabaseHandle, MIGRATIONS_FOLDER, pgliteHandle } from "../../../control-plane/src/db/open.ts";

// A fresh in-memory PGlite runs initdb, which costs seconds (more on a busy machine). Test files
// instead load a dump of an already-migrated database, made once per PGlite version and set of
// migrations and kept in the temp directory.

function templateKey(): string {
  const hash = createHash("sha256");
  hash.update(
    readFileSync(new URL("../../../node_modules/@electric-sql/pglite/package.json", import.meta.url)),
  );
  for (const name of readdirSync(MIGRATIONS_FOLDER).sort()) {
    if (name.endsWith(".sql")) hash.update(name).update(readFileSync(join(MIGRATIONS_FOLDER, name)));
  }
  return hash.digest("hex").slice(0, 16);
}

export async function openMigratedPglite(): Promise<DatabaseHandle> {
  const file = join(tmpdir(), `chronik-cp-pglite-${templateKey()}.tar`);
  if (existsSync(file)) {
    const client = await PGlite.create({ loadDataDir: new Blob([readFileSync(file)]) });
    return pgliteHandle(client, "memory");
  }
  const client = await PGlite.create();
  const handle = pgliteHandle(client, "memory");
  await handle.migrate();
  const dump = Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer());
  // Write then rename, so a concurrent reader never sees half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, dump);
  renameSync(partial, file);
  return handle;
}
