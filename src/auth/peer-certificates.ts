/**
 * The client certificate chain of the TLS connection a request came on, parsed once per connection.
 * NB: the server asks for a certificate but does not make OpenSSL verify it (no `ca` option), because
 * two bundles apply (front-proxy and client CA) and the verdict belongs to the authenticators.
 * @module
 */
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';

const chains = new WeakMap<object, readonly X509Certificate[]>();

/**
 * The object that stands for a request's connection. NB: an HTTP/2 request's `socket` is a new
 * proxy per stream; its session's `socket` is one proxy per connection (both forward
 * getPeerCertificate to the TLS socket), so the chain is parsed and verified once per connection, not per request.
 */
export function connectionOf(request: {
  readonly socket: Socket;
  readonly stream?: { readonly session?: { readonly socket?: Socket } | undefined };
}): Socket {
  return request.stream?.session?.socket ?? request.socket;
}

/** The peer's chain, leaf first; empty when the connection is plain or the client sent no certificate. */
export function peerCertificates(socket: Socket | undefined): readonly X509Certificate[] {
  if (socket === undefined || typeof (socket as Partial<TLSSocket>).getPeerCertificate !== 'function') return [];
  const cached = chains.get(socket);
  if (cached !== undefined) return cached;
  const chain: X509Certificate[] = [];
  let current = (socket as TLSSocket).getPeerCertificate(true) as DetailedPeerCertificate | PeerCertificate | undefined;
  const seen = new Set<string>();
  while (current !== undefined && current.raw !== undefined && chain.length < 10) {
    const key = current.raw.toString('base64');
    if (seen.has(key)) break;
    seen.add(key);
    try {
      chain.push(new X509Certificate(current.raw));
    } catch {
      break;
    }
    current = (current as DetailedPeerCertificate).issuerCertificate;
  }
  chains.set(socket, chain);
  return chain;
}
