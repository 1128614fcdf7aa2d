// Runs the test files with Node's test runner through tsx. Node 20's runner does not expand glob
// patterns (Node 21 does), so this lists them: `node scripts/test.mjs [dir…]` (default: src test).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src', 'test'];
const files = roots
  .flatMap((root) => readdirSync(root, { recursive: true }).map((entry) => join(root, String(entry))))
  .filter((file) => file.endsWith('.test.ts'))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no *.test.ts files under ${roots.join(', ')}\n`);
  process.exit(1);
}
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
