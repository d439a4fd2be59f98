// `node --import probe.mjs ...`: records, into $FOXCTL_LOAD_PROBE, every module the process
// resolves (ESM and CommonJS) and every child process it starts, one line each, so a test can
// say what a CLI command loaded. Nothing else changes.
import cp from 'node:child_process';
import fs from 'node:fs';
import Module, { register, syncBuiltinESMExports } from 'node:module';

const out = process.env.FOXCTL_LOAD_PROBE;
const note = (line) => fs.appendFileSync(out, `${line}\n`);
register(
  `data:text/javascript,${encodeURIComponent(`
import fs from 'node:fs';
export async function resolve(s, c, next) {
  const r = await next(s, c);
  fs.appendFileSync(${JSON.stringify(out)}, 'load ' + r.url + '\\n');
  return r;
}`)}`,
);
const origLoad = Module._load;
Module._load = function (request, parent, isMain) {
  note(`load ${request}`);
  return origLoad.call(this, request, parent, isMain);
};
for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork', 'exec', 'execSync']) {
  const orig = cp[name];
  cp[name] = function (...args) {
    note(`spawn ${name} ${String(args[0])}`);
    return orig.apply(this, args);
  };
}
syncBuiltinESMExports();
