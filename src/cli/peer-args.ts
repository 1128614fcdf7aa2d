/**
 * prometheus-adapter's command line, accepted unchanged: started with its arguments and no subcommand (as its
 * Deployment and Helm chart start the image), the binary runs `serve --backend prometheus`. Flags with a
 * counterpart here are passed on (renamed where the name differs); flags with none (TLS cipher suites, klog's
 * file options, the generic apiserver's tuning) are dropped and each is named once in the log, so no argument of
 * the peer ends the process. See docs/migrating-from-prometheus-adapter.md.
 * @module
 */

/** Flags the peer and `serve` share, under the same name and meaning. */
const sameFlags = new Set([
  'prometheus-url',
  'prometheus-ca-file',
  'prometheus-token-file',
  'prometheus-client-tls-cert-file',
  'prometheus-client-tls-key-file',
  'prometheus-header',
  'prometheus-verb',
  'config',
  'metrics-relist-interval',
  'metrics-max-age',
  'secure-port',
  'bind-address',
  'cert-dir',
  'tls-cert-file',
  'tls-private-key-file',
  'http2-max-streams-per-connection',
  'max-requests-inflight',
  'max-mutating-requests-inflight',
  'request-timeout',
  'v',
  'backend',
  'kubeconfig',
  'requestheader-client-ca-file',
  'requestheader-allowed-names',
  'requestheader-username-headers',
  'requestheader-uid-headers',
  'requestheader-group-headers',
  'requestheader-extra-headers-prefix',
  'client-ca-file',
  'authentication-kubeconfig',
  'authorization-kubeconfig',
  'authentication-token-webhook-cache-ttl',
  'authorization-webhook-cache-authorized-ttl',
  'authorization-webhook-cache-unauthorized-ttl',
  'authorization-always-allow-paths',
]);

/** Boolean flags of both: Go writes `--flag=true`, commander wants the bare switch. */
const sameSwitches = new Set([
  'authentication-skip-lookup',
  'disable-http2-serving',
  'insecure-disable-auth',
  'default-rules',
]);

/** Same meaning, another name here. */
const renamed: Readonly<Record<string, string>> = { 'lister-kubeconfig': 'kubeconfig' };

/**
 * NB: the peer's in-cluster auth to Prometheus is the pod's ServiceAccount token and cluster CA (rest.InClusterConfig).
 */
const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Help and version keep their meaning; anything else starting with a dash is the peer's command line. */
const ownTopLevel = new Set(['-h', '--help', '-V', '--version']);

export interface PeerInvocation {
  /** The arguments for `serve`. */
  readonly args: readonly string[];
  /** One line per flag dropped or defaulted, for the log. */
  readonly notes: readonly string[];
}

/**
 * Whether `argv` (without node and the script) is the peer's command line: its first argument is a flag other than
 * help/version, after an optional program path (the Helm chart passes `/adapter` as the first argument).
 */
export function isPeerInvocation(argv: readonly string[]): boolean {
  const first = argv[0] === '/adapter' ? argv[1] : argv[0];
  return first?.startsWith('-') === true && !ownTopLevel.has(first);
}

/** `serve` arguments for the peer's command line; `inCluster` is whether this runs in a pod. */
export function translatePeerArgs(argv: readonly string[], inCluster: boolean): PeerInvocation {
  const args: string[] = [];
  const notes: string[] = [];
  const given = new Set<string>();
  const input = argv[0] === '/adapter' ? argv.slice(1) : [...argv];
  for (let i = 0; i < input.length; i++) {
    const arg = input[i]!;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      notes.push(`ignored the argument ${JSON.stringify(arg)}: prometheus-adapter takes none either`);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const equals = body.indexOf('=');
    const name = equals < 0 ? body : body.slice(0, equals);
    let value = equals < 0 ? undefined : body.slice(equals + 1);
    const takesValue = sameFlags.has(name) || name in renamed || name === 'prometheus-auth-config';
    // NB: pflag also reads `--flag value`; a bare flag is followed by its value unless the next argument is a flag.
    if (
      value === undefined &&
      (takesValue || !(sameSwitches.has(name) || knownSwitch(name))) &&
      input[i + 1] !== undefined &&
      !input[i + 1]!.startsWith('-')
    ) {
      value = input[++i];
    }
    if (sameFlags.has(name) || name in renamed) {
      const ours = renamed[name] ?? name;
      given.add(ours);
      args.push(`--${ours}=${ours === 'v' ? String(Math.min(Number(value ?? 0) || 0, 10)) : (value ?? '')}`);
      if (ours !== name) notes.push(`--${name} is read as --${ours}`);
    } else if (sameSwitches.has(name)) {
      if (value === undefined || value === 'true') args.push(`--${name}`);
    } else if (name === 'prometheus-auth-incluster') {
      if (value === undefined || value === 'true') {
        given.add('prometheus-auth-incluster');
        notes.push(
          `--prometheus-auth-incluster: Prometheus is called with the ServiceAccount token and CA of ${serviceAccountDir}`,
        );
      }
    } else {
      notes.push(`--${name} is accepted and ignored: ${ignoredReason(name)}`);
    }
  }
  if (given.has('prometheus-auth-incluster')) {
    if (!given.has('prometheus-token-file')) args.push(`--prometheus-token-file=${serviceAccountDir}/token`);
    if (!given.has('prometheus-ca-file')) args.push(`--prometheus-ca-file=${serviceAccountDir}/ca.crt`);
  }
  if (!given.has('backend')) args.unshift('--backend=prometheus');
  // NB: the peer's defaults where ours differ: port 443, every address. Off a cluster the address stays loopback,
  // which needs no authentication.
  if (!given.has('secure-port')) args.push('--secure-port=443');
  if (!given.has('bind-address')) {
    if (inCluster) args.push('--bind-address=0.0.0.0');
    else
      notes.push(
        "not in a pod: listening on 127.0.0.1 rather than prometheus-adapter's 0.0.0.0 (pass --bind-address to choose)",
      );
  }
  return { args, notes };
}

/** Bare switches of the peer (klog and the generic apiserver) that take no value. */
function knownSwitch(name: string): boolean {
  return [
    'logtostderr',
    'alsologtostderr',
    'add_dir_header',
    'add-dir-header',
    'skip_headers',
    'skip-headers',
    'skip_log_headers',
    'one_output',
    'profiling',
    'contention-profiling',
    'permit-port-sharing',
    'permit-address-sharing',
    'authentication-tolerate-lookup-failure',
    'enable-priority-and-fairness',
    'prometheus-auth-incluster',
  ].includes(name);
}

function ignoredReason(name: string): string {
  if (name.startsWith('tls-'))
    return 'Node.js chooses TLS versions and cipher suites (TLS 1.2 and up, forward-secret suites)';
  if (
    [
      'logtostderr',
      'alsologtostderr',
      'log-dir',
      'log_dir',
      'log-file',
      'log_file',
      'log-file-max-size',
      'log_file_max_size',
      'stderrthreshold',
      'vmodule',
      'add_dir_header',
      'add-dir-header',
      'skip_headers',
      'skip-headers',
      'skip_log_headers',
      'one_output',
      'log-flush-frequency',
      'logging-format',
    ].includes(name)
  )
    return 'logs always go to stderr (--log-format text|json)';
  if (name === 'prometheus-auth-config')
    return 'give Prometheus credentials with --prometheus-token-file, --prometheus-ca-file and --prometheus-client-tls-cert-file/--prometheus-client-tls-key-file';
  return 'it has no counterpart here';
}
