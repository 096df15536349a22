// The size budget, checked by every build: the JavaScript the login route loads (the entry, its static
// imports, and the login page's chunk with its imports) at most 300 KB gzipped.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

const BUDGET_KB = 300;
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, "dist");
const manifest = JSON.parse(fs.readFileSync(path.join(dist, ".vite", "manifest.json"), "utf8"));

const files = new Set();
function collect(key) {
  const chunk = manifest[key];
  if (!chunk || files.has(chunk.file)) return;
  files.add(chunk.file);
  for (const imported of chunk.imports ?? []) collect(imported);
}
collect("index.html");
const login = Object.keys(manifest).find((k) => k.endsWith("src/views/LoginView.vue"));
if (!login) throw new Error("the login page's chunk is missing from the build manifest");
collect(login);

let total = 0;
for (const file of files) {
  if (!file.endsWith(".js")) continue;
  total += zlib.gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length;
}
const kb = total / 1024;
const report = { route: "/login", files: [...files].filter((f) => f.endsWith(".js")).sort(), gzip_kb: Number(kb.toFixed(1)), budget_kb: BUDGET_KB };
fs.writeFileSync(path.join(dist, "size-report.json"), JSON.stringify(report, null, 2) + "\n");
console.log(`login route JavaScript: ${kb.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB)`);
if (kb > BUDGET_KB) {
  console.error(`over budget: ${report.files.join(", ")}`);
  process.exit(1);
}
