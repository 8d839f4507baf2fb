// Runs many `medsynth` command lines in this one process (runCli, as bin/medsynth.js does) and
// prints one JSON line per case: exit code, what was written to stderr, the files under the case's
// output directory afterwards, and whether a written dataset opens. Cases come from the JSON file
// in argv[2]: [{ id, argv, dir }] where `dir` is the case's own output directory.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { runCli } from '../../dist/lib/cli/main.js';
import { openDataset } from '../../dist/lib/index.js';

const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write;

function listTree(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    out.push(name);
  }
  return out.sort();
}

for (const c of cases) {
  let stderr = '';
  process.stdout.write = () => true;
  process.stderr.write = (chunk) => ((stderr += String(chunk)), true);
  let code;
  let thrown;
  try {
    code = await runCli(c.argv);
  } catch (e) {
    thrown = String(e?.stack ?? e);
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
  let opens = null;
  if (code === 0 && c.kind === 'generate' && existsSync(path.join(c.dir, 'metadata.json'))) {
    try {
      const ds = await openDataset(c.dir, { split: 'train' });
      opens = ds.length > 0;
      ds.close();
    } catch (e) {
      opens = String(e.message);
    }
  }
  realOut(JSON.stringify({ id: c.id, code, thrown, stderr: stderr.slice(0, 2000), files: listTree(c.dir), opens }) + '\n');
}
realOut(JSON.stringify({ done: true }) + '\n');
