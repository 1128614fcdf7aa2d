/**
 * `metrics-adapter gen-certs --service NAME --namespace NS --out DIR`: a CA and a serving
 * certificate for the adapter's Service, as the aggregator checks it (ServerName `NAME.NS.svc`,
 * spec §7.1), and the base64 caBundle for the APIService on stdout.
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { CertificateError } from '../certs/index.js';
import { generateCertificates } from '../certs/generate-certificates.js';
import { collectSubjectAltNames } from '../certs/subject-alt-names.js';
import { CliError } from '../serving/cli-error.js';

export interface GenCertsFlags {
  readonly service: string;
  readonly namespace: string;
  readonly out: string;
  readonly validityDays: number;
}

/** NB: a Service name and a namespace are both DNS-1123 labels. */
function dnsLabel(text: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(text))
    throw new InvalidArgumentError('must be a DNS label: lower-case letters, digits and "-", at most 63.');
  return text;
}

function days(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 3650)
    throw new InvalidArgumentError('must be a whole number of days from 1 to 3650.');
  return value;
}

export function addGenCertsFlags(command: Command): Command {
  return command
    .requiredOption('--service <name>', "the adapter's Service name", dnsLabel)
    .requiredOption('--namespace <ns>', "the adapter's namespace", dnsLabel)
    .requiredOption('--out <dir>', 'where to write ca.crt, tls.crt and tls.key (created if missing)')
    .option('--validity-days <days>', 'lifetime of the CA and the certificate', days, 365);
}

/** Writes the files and returns the caBundle (base64 of ca.crt). */
export async function genCerts(flags: GenCertsFlags): Promise<string> {
  const service = `${flags.service}.${flags.namespace}.svc`;
  const names = collectSubjectAltNames([
    service,
    `${service}.cluster.local`,
    flags.service,
    `${flags.service}.${flags.namespace}`,
  ]);
  const now = Date.now();
  // NB: backdated an hour, as client-go's self-signed certificates, for peers with a slow clock.
  const generated = await generateCertificates({
    names,
    commonName: service,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + flags.validityDays * 86_400_000),
  });
  try {
    await mkdir(flags.out, { recursive: true, mode: 0o700 });
    await writeFile(join(flags.out, 'ca.crt'), generated.caPem, { mode: 0o644 });
    await writeFile(join(flags.out, 'tls.crt'), generated.certPem, { mode: 0o644 });
    await writeFile(join(flags.out, 'tls.key'), generated.keyPem, { mode: 0o600 });
  } catch (error) {
    throw new CliError(
      `cannot write the certificates to ${flags.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      1,
    );
  }
  return Buffer.from(generated.caPem).toString('base64');
}

/** The command's action: files in --out, the caBundle on stdout, what to do next on stderr. */
export async function runGenCerts(flags: GenCertsFlags): Promise<void> {
  let caBundle: string;
  try {
    caBundle = await genCerts(flags);
  } catch (error) {
    if (error instanceof CertificateError) throw new CliError(error.message);
    throw error;
  }
  process.stdout.write(`${caBundle}\n`);
  process.stderr.write(
    `wrote ${join(flags.out, 'ca.crt')}, tls.crt and tls.key for ${flags.service}.${flags.namespace}.svc; ` +
      `kubectl -n ${flags.namespace} create secret tls ${flags.service}-tls --cert=${join(flags.out, 'tls.crt')} --key=${join(flags.out, 'tls.key')}, ` +
      'serve with --tls-cert-file/--tls-private-key-file from that Secret, and put the line above in each APIService spec.caBundle\n',
  );
}
