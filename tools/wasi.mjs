// Runs a program built for wasm32-wasip1 in Node's V8, with its arguments: the app's kernels as
// wasm in one process (src/app/examples/kernels.rs says how and why `node --no-liftoff`).
//
//   node --no-liftoff tools/wasi.mjs file.wasm [args...]
import { WASI } from "node:wasi";
import { readFileSync } from "node:fs";

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error("usage: node --no-liftoff tools/wasi.mjs file.wasm [args...]");
  process.exit(2);
}
const wasi = new WASI({ version: "preview1", args: [file, ...args], env: {} });
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exit(wasi.start(instance));
