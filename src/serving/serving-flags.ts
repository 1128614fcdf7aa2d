/**
 * The flags every adapter binary takes, `metrics-adapter serve` and a library adapter's `run()` alike: address,
 * TLS, authentication, logging, limits and shutdown.
 * @module
 */
import { isIP } from 'node:net';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../duration/index.js';
import { defaultServerLimits } from '../server/limits.js';
import { addAuthFlags, type AuthFlags } from './auth-flags.js';

/** The flags every adapter binary takes: address, TLS, auth, logging. */
export interface ServingFlags extends AuthFlags {
  readonly securePort: number;
  readonly bindAddress: string;
  readonly certDir: string;
  readonly tlsCertFile?: string;
  readonly tlsPrivateKeyFile?: string;
  readonly insecureDisableAuth: boolean;
  readonly logFormat: 'text' | 'json';
  readonly v: number;
  readonly maxRequestHeaderBytes: number;
  /** ms */
  readonly requestTimeout: number;
  readonly maxRequestsInflight: number;
  readonly maxMutatingRequestsInflight: number;
  readonly maxConnections: number;
  /** kube-apiserver's --disable-http2-serving: HTTP/1.1 only on the TLS port. */
  readonly disableHttp2Serving: boolean;
  /** SETTINGS_MAX_CONCURRENT_STREAMS of each h2 connection; 0: the apiserver's 100. */
  readonly http2MaxStreamsPerConnection: number;
  /** ms */
  readonly shutdownGracePeriod: number;
  /** ms; 0: the status page never samples in the background. */
  readonly statusPageSampleInterval: number;
}

/** NB: below the kubelet's default terminationGracePeriodSeconds (30 s), so we exit before SIGKILL. */
export const defaultShutdownGracePeriodMs = 20_000;

export function port(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 0 || value > 65535)
    throw new InvalidArgumentError('must be a port number from 0 to 65535.');
  return value;
}

export function ipAddress(text: string): string {
  if (isIP(text) === 0) throw new InvalidArgumentError('must be an IP address such as 127.0.0.1, 0.0.0.0 or ::.');
  return text;
}

export function verbosity(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 10) throw new InvalidArgumentError('must be a number from 0 to 10.');
  return value;
}

export function count(text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new InvalidArgumentError('must be a whole number, 0 or more.');
  return Number(text);
}

export function boolean(text: string): boolean {
  if (text !== 'true' && text !== 'false') throw new InvalidArgumentError('must be true or false.');
  return text === 'true';
}

export function headerBytes(text: string): number {
  const value = count(text);
  if (value < 1024) throw new InvalidArgumentError('must be at least 1024.');
  return value;
}

export function positiveDuration(text: string): number {
  const value = duration(text);
  if (value <= 0) throw new InvalidArgumentError('must be more than 0s.');
  return value;
}

export function duration(text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
}

/** Adds the serving flags to a commander command. */
export function addServingFlags(command: Command): Command {
  command
    .option('--secure-port <port>', 'the port to serve HTTPS on', port, 6443)
    .option('--bind-address <ip>', 'the IP address to listen on (0.0.0.0 or :: for all)', ipAddress, '127.0.0.1')
    .option(
      '--cert-dir <dir>',
      'where the self-signed CA and serving certificate are kept when no --tls-cert-file is given',
      '.certs',
    )
    .option('--tls-cert-file <file>', 'serving certificate (PEM, chain allowed); needs --tls-private-key-file')
    .option('--tls-private-key-file <file>', 'private key of --tls-cert-file (PEM)')
    .option(
      '--insecure-disable-auth',
      'serve without authentication on a non-loopback address (anyone reaching the port can read and write metrics)',
      false,
    )
    .addOption(new Option('--log-format <format>', 'log line format').choices(['text', 'json']).default('text'))
    .option('-v, --v <level>', 'log verbosity: 2 logs every request, 4 adds debug lines', verbosity, 0)
    .option(
      '--max-request-header-bytes <bytes>',
      'largest request line plus headers; larger requests get 431',
      headerBytes,
      defaultServerLimits.maxRequestHeaderBytes,
    )
    .addOption(
      new Option(
        '--request-timeout <duration>',
        'time a client has to send a whole request; slower ones get 408 (headers: at most 32s)',
      )
        .argParser(positiveDuration)
        .default(defaultServerLimits.requestTimeoutMs, '1m'),
    )
    .option(
      '--max-requests-inflight <n>',
      'reads served at once; more get 429 (0: no limit)',
      count,
      defaultServerLimits.maxRequestsInflight,
    )
    .option(
      '--max-mutating-requests-inflight <n>',
      'writes served at once; more get 429 (0: no limit)',
      count,
      defaultServerLimits.maxMutatingRequestsInflight,
    )
    .option(
      '--max-connections <n>',
      'open connections; more are refused (0: no limit)',
      count,
      defaultServerLimits.maxConnections,
    )
    .option(
      '--disable-http2-serving',
      'serve HTTP/1.1 only; by default the TLS port also speaks HTTP/2 (ALPN h2), as kube-apiserver does',
      false,
    )
    .option(
      '--http2-max-streams-per-connection <n>',
      'concurrent streams one HTTP/2 connection may open (0: 100, the apiserver default)',
      count,
      defaultServerLimits.http2MaxStreamsPerConnection,
    )
    .addOption(
      new Option(
        '--shutdown-grace-period <duration>',
        'on SIGTERM, how long requests in flight may take to finish before their connections are cut',
      )
        .argParser(positiveDuration)
        .default(defaultShutdownGracePeriodMs, '20s'),
    )
    .addOption(
      new Option(
        '--status-page-sample-interval <duration>',
        'how often the status page reads every metric for its plots (0: never; with Prometheus or Sysdig each read is one query per metric)',
      )
        .argParser(duration)
        .default(10_000, '10s'),
    );
  return addAuthFlags(command);
}

/** klog writes `-v=2`; commander reads a short flag's `=` as part of the value, so spell it long. */
export function normalizeKlogArgs(argv: readonly string[]): string[] {
  return argv.map((arg) => (arg.startsWith('-v=') ? `--v=${arg.slice(3)}` : arg));
}
