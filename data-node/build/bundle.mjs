// Bundles the chronik CLI (data-node/src/cli/main.ts and everything it imports from data-node, shared and
// control-plane, and the packages they use) into ESM chunks under dist/cli, so the executable loads a
// few pre-transpiled files instead of transpiling ~200 TypeScript modules through tsx and resolving
// ~500 package files on every start. Lazily imported commands (control-plane, sim) become their own
// chunks, so `chronik node` does not load them.
//
// `node data-node/build/bundle.mjs` builds now; the executable calls loadBundledCli, which rebuilds
// when a source is newer than the bundle. Builds may run concurrently (a test suite starting several
// nodes at once): each writes a private directory and renames it into place, and the manifest naming
// the current build is replaced atomically.
import { createHash } from "node:crypto";
import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "../..");
const distDir = join(root, "dist/cli");
const manifestFile = join(distDir, "manifest.json");
const entrySource = join(root, "data-node/src/cli/main.ts");
// Inputs esbuild does not report but which change its output.
const extraInputs = [fileURLToPath(import.meta.url), join(root, "tsconfig.json")];
// A source modified this close to a build's start may have been read before the change.
const mtimeSlackMs = 1000;
// Packages Node must load from node_modules: they find files beside their own module at run time.
const external = [
  "@node-rs/crc32", // a native addon, per platform
  "snappy", // native codec addons (storage/cleaner/compression.ts), per platform
  "lz4-napi",
  "@mongodb-js/zstd",
  "@electric-sql/pglite", // its wasm and data files
];
// Bundled CommonJS packages call require() for Node's built-in modules.
const banner =
  'import { createRequire as __chronikCreateRequire } from "node:module"; const require = __chronikCreateRequire(import.meta.url);';
// Superseded builds (5 MB each) are kept this long: a process started from one imports its lazy
// chunks (the node, the control plane) within its first seconds.
const keepOldBuildsMs = 10 * 60 * 1000;

// The bundled CLI module, rebuilt first if any source changed since the last build; undefined when
// it cannot be built (dist/ not writable, esbuild missing, a source that does not compile).
export async function loadBundledCli() {
  let entry = freshEntry();
  if (!entry) {
    try {
      // Fail before spending a build on a checkout we cannot write to.
      mkdirSync(distDir, { recursive: true });
      accessSync(distDir, constants.W_OK);
      entry = await buildBundle();
    } catch {
      return undefined;
    }
  }
  // Stack traces then name the .ts sources, as they do under tsx.
  process.setSourceMapsEnabled(true);
  return import(pathToFileURL(entry).href);
}

// The current build's entry file, if every input is older than that build's start.
export function freshEntry() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
    for (const input of manifest.inputs) {
      if (statSync(join(root, input)).mtimeMs >= manifest.startedAt - mtimeSlackMs) return undefined;
    }
  } catch {
    return undefined;
  }
  return join(distDir, manifest.entry);
}

// Builds the bundle and makes it current; returns its entry file.
export async function buildBundle() {
  const esbuild = await import("esbuild");
  const startedAt = Date.now();
  // Every build directory sits at the same depth, so outputs do not depend on the final name.
  const placeholder = join(distDir, "build");
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { chronik: entrySource },
    outdir: placeholder,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: `node${process.versions.node}`,
    external,
    banner: { js: banner },
    sourcemap: "linked",
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: "silent",
    plugins: [sourceLocation(placeholder)],
  });
  // esbuild's service process would otherwise live as long as the node.
  await esbuild.stop();
  const name = contentName(result.outputFiles);
  const tmp = join(distDir, `.tmp-${process.pid}-${startedAt}`);
  for (const file of result.outputFiles) {
    const path = join(tmp, relative(placeholder, file.path));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.contents);
  }
  try {
    renameSync(tmp, join(distDir, name));
  } catch (err) {
    // Another process finished the same build first.
    if (err.code !== "ENOTEMPTY" && err.code !== "EEXIST") throw err;
    rmSync(tmp, { recursive: true, force: true });
  }
  const inputs = [...Object.keys(result.metafile.inputs).map((p) => join(root, p)), ...extraInputs].map((p) =>
    relative(root, p).split(sep).join("/"),
  );
  const manifest = { startedAt, entry: `${name}/chronik.js`, inputs };
  const manifestTmp = `${manifestFile}.${process.pid}-${startedAt}`;
  writeFileSync(manifestTmp, `${JSON.stringify(manifest, null, 1)}\n`);
  renameSync(manifestTmp, manifestFile);
  removeOldBuilds(name);
  return join(distDir, manifest.entry);
}

// Bundled code runs from dist/cli/<build>/, but the sources find files of the checkout
// (shared/proto/raft.proto, migrations/, config/, data-node/bin/chronik.js) relative to their own
// location: each import.meta.url/dirname/filename becomes the location of the source file it is in.
function sourceLocation(outdir) {
  return {
    name: "chronik-source-location",
    setup(b) {
      b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = readFileSync(args.path, "utf8");
        if (!source.includes("import.meta.")) return undefined;
        const fromOut = (p) => JSON.stringify(relative(outdir, p).split(sep).join("/"));
        const fileUrl = `new URL(${fromOut(args.path)}, import.meta.url)`;
        const dirUrl = `new URL(${fromOut(dirname(args.path))}, import.meta.url)`;
        const contents = source
          .replace(/\bimport\.meta\.url\b/g, `${fileUrl}.href`)
          .replace(/\bimport\.meta\.filename\b/g, `__chronikFileURLToPath(${fileUrl})`)
          .replace(/\bimport\.meta\.dirname\b/g, `__chronikFileURLToPath(${dirUrl})`);
        // Prepended on the first line so line numbers, and so source maps, stay right.
        const head = 'import { fileURLToPath as __chronikFileURLToPath } from "node:url"; ';
        return { contents: head + contents, loader: "ts" };
      });
    },
  };
}

// Identical builds get the same directory name, so concurrent builders agree on it.
function contentName(outputFiles) {
  const hash = createHash("sha256");
  for (const f of outputFiles.toSorted((a, b) => (a.path < b.path ? -1 : 1))) {
    hash.update(`${relative(distDir, f.path)}\0`).update(f.contents);
  }
  return hash.digest("hex").slice(0, 16);
}

// Superseded builds, and the leftovers of builds that crashed, once they are old enough.
function removeOldBuilds(current) {
  const cutoff = Date.now() - keepOldBuildsMs;
  for (const name of readdirSync(distDir)) {
    if (name === current || name === "manifest.json") continue;
    const path = join(distDir, name);
    try {
      if (statSync(path).mtimeMs < cutoff) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed concurrently by another build.
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const entry = await buildBundle();
  console.log(`chronik: bundled the CLI into ${relative(process.cwd(), entry)}`);
}
