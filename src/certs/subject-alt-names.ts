/**
 * Which names a serving certificate must carry: the caller's hosts and IPs plus the loopback names
 * every local client uses, split into DNS and IP entries, validated and deduplicated.
 * @module
 */
import { isIP } from 'node:net';
import { CertificateError } from './certificate-error.js';

export interface SubjectAltNames {
  /** Lower-case DNS names, `localhost` first. */
  readonly dnsNames: readonly string[];
  /** IP addresses in canonical text form, `127.0.0.1` and `::1` first. */
  readonly ipAddresses: readonly string[];
}

/** Always present, so `https://localhost` and `https://127.0.0.1` work wherever the server runs. */
export const defaultHosts: readonly string[] = ['localhost'];
export const defaultIps: readonly string[] = ['127.0.0.1', '::1'];

/**
 * NB: a dNSName SAN is an IA5String; Go's x509 parser rejects one with non-ASCII bytes ("SAN dNSName is malformed").
 */
const dnsNamePattern = /^[\x21-\x7e]+$/;

/**
 * Merges the defaults, `hosts` and `ips`. A host that is an IP address counts as an IP.
 * Throws CertificateError for an empty or non-ASCII host, or an `ips` entry that is not an address.
 */
export function collectSubjectAltNames(hosts: readonly string[], ips: readonly string[] = []): SubjectAltNames {
  const dnsNames = new Set<string>();
  const ipAddresses = new Set<string>();
  for (const ip of [...defaultIps, ...ips]) {
    const canonical = canonicalIp(ip);
    if (canonical === undefined) throw new CertificateError(`not an IP address for the serving certificate: "${ip}"`);
    ipAddresses.add(canonical);
  }
  for (const host of [...defaultHosts, ...hosts]) {
    const canonical = canonicalIp(host);
    if (canonical !== undefined) {
      ipAddresses.add(canonical);
    } else if (dnsNamePattern.test(host) && !host.includes('%')) {
      dnsNames.add(host.toLowerCase());
    } else {
      throw new CertificateError(`not a usable host name for the serving certificate: "${host}"`);
    }
  }
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
}

/**
 * The address in canonical form, or undefined when `text` is not one. A zoned IPv6 address
 * (`fe80::1%eth0`) is not: a certificate has no room for the zone.
 * NB: the WHATWG URL parser prints IPv6 compressed and lower-case, so `0:0::1` and `::1` dedupe.
 */
function canonicalIp(text: string): string | undefined {
  const family = text.includes('%') ? 0 : isIP(text);
  if (family === 4) return new URL(`http://${text}/`).hostname;
  if (family === 6) return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  return undefined;
}
