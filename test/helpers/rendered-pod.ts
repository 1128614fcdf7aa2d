/**
 * Stands in for the kubelet for one rendered Deployment: writes every volume the adapter container mounts (Secret,
 * ConfigMap, emptyDir) into a temp dir, resolves its env (values and secretKeyRefs), and rewrites the mount paths in
 * its args to those dirs. The only other rewrites are the pod network's: the port becomes 0 (a free one) and the
 * bind address loopback, since a test listens on 127.0.0.1 only and is not in a pod (so serves without auth).
 * @module
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type KubeObject = Record<string, unknown> & { kind: string; metadata: { name: string; namespace?: string } };

interface Container {
  name: string;
  args: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  volumeMounts?: { name: string; mountPath: string }[];
}

interface Volume {
  name: string;
  secret?: { secretName: string };
  configMap?: { name: string };
  emptyDir?: object;
}

export interface RenderedPod {
  /** The container's args after the rewrites, `serve` first. */
  readonly args: string[];
  readonly env: Record<string, string>;
  /** PEM of the CA the APIServices' caBundle names: the one kubectl must trust. */
  readonly caPem: string;
  /** `<service>.<namespace>.svc`, the name the aggregator verifies. */
  readonly serverName: string;
  readonly dir: string;
  close(): Promise<void>;
}

export interface RenderedPodOptions {
  /** Secrets the cluster has that the chart does not render (such as `sysdig-api`), by name: key to text. */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

function secretData(objects: readonly KubeObject[], name: string, options: RenderedPodOptions): Record<string, string> {
  const given = options.secrets?.[name];
  if (given !== undefined) return { ...given };
  const secret = find(objects, 'Secret', name);
  if (secret === undefined) throw new Error(`the pod mounts the Secret ${name}, which is neither rendered nor given`);
  const data = Object.fromEntries(
    Object.entries((secret.data as Record<string, string> | undefined) ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString('utf8'),
    ]),
  );
  return { ...data, ...((secret.stringData as Record<string, string> | undefined) ?? {}) };
}

export async function renderedPod(
  objects: readonly KubeObject[],
  options: RenderedPodOptions = {},
): Promise<RenderedPod> {
  const deployment = objects.find((o) => o.kind === 'Deployment');
  if (deployment === undefined) throw new Error('no Deployment rendered');
  const pod = (deployment.spec as { template: { spec: { containers: Container[]; volumes?: Volume[] } } }).template
    .spec;
  const container = pod.containers.find((c) => c.name === 'metrics-adapter')!;
  const dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-pod-'));
  const mounts: [string, string][] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    if (volume === undefined) throw new Error(`volumeMount ${mount.name} has no volume`);
    const local = join(dir, mount.name);
    await mkdir(local, { recursive: true });
    let files: Record<string, string> = {};
    if (volume.secret !== undefined) files = secretData(objects, volume.secret.secretName, options);
    else if (volume.configMap !== undefined) {
      const configMap = find(objects, 'ConfigMap', volume.configMap.name);
      if (configMap === undefined)
        throw new Error(`the pod mounts the ConfigMap ${volume.configMap.name}, which is not rendered`);
      files = (configMap.data as Record<string, string> | undefined) ?? {};
    } else if (volume.emptyDir === undefined)
      throw new Error(`volume ${volume.name}: only secret, configMap and emptyDir are stood in for`);
    for (const [key, text] of Object.entries(files)) await writeFile(join(local, key), text);
    mounts.push([mount.mountPath.replace(/\/$/, ''), local]);
  }
  // NB: the longest mount path first, so /etc/metrics-adapter-rules never matches /etc/metrics-adapter.
  mounts.sort((a, b) => b[0].length - a[0].length);
  const args = container.args.map((arg) => {
    if (arg.startsWith('--secure-port=')) return '--secure-port=0';
    if (arg.startsWith('--bind-address=')) return '--bind-address=127.0.0.1';
    for (const [mountPath, local] of mounts) {
      const at = arg.indexOf(`=${mountPath}/`);
      if (at >= 0) return `${arg.slice(0, at + 1)}${local}${arg.slice(at + 1 + mountPath.length)}`;
    }
    return arg;
  });
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    env[variable.name] =
      ref !== undefined ? (secretData(objects, ref.name, options)[ref.key] ?? '') : (variable.value ?? '');
  }
  const apiService = objects.find((o) => o.kind === 'APIService')!;
  const spec = apiService.spec as { caBundle: string; service: { name: string; namespace: string } };
  return {
    args,
    env,
    caPem: Buffer.from(spec.caBundle, 'base64').toString('utf8'),
    serverName: `${spec.service.name}.${spec.service.namespace}.svc`,
    dir,
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
