/**
 * The stall and unreachable handles of the conformance suite (src/providers/conformance) for a back end whose
 * upstream is reached through a TCP proxy: a partition holds requests, closing the proxy makes it unreachable.
 * @module
 */
import type { StallHandle, UnreachableHandle } from '../../src/providers/conformance/index.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

export interface ProxiedUpstream {
  readonly proxy: TcpProxy;
  readonly stall: StallHandle;
  readonly unreachable: UnreachableHandle;
}

/** A proxy to the upstream on `port`; `names` matches how the back end's 503 names that upstream. */
export async function proxyUpstream(port: number, names: RegExp): Promise<ProxiedUpstream> {
  const proxy = await startTcpProxy(port);
  return {
    proxy,
    stall: { hold: () => proxy.partition(), release: () => proxy.heal(), held: () => proxy.held() },
    unreachable: { names, cut: () => proxy.close() },
  };
}
