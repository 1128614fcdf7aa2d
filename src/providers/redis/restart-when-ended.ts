import type { Cluster, Redis } from 'ioredis';

export interface RestartOptions {
  /** The connection's name in the log. */
  readonly name: string;
  /** True once the adapter closes the client itself: only then may it stay ended. */
  readonly isClosing: () => boolean;
  readonly logger: { warn(obj: object, msg: string): void };
  /** How long after the end the client is started again. */
  readonly delayMs?: number;
}

/**
 * Starts `client` again whenever it ends without the adapter asking.
 *
 * NB: ioredis ends a client for good when a disconnect lands while it asks the Sentinels for the master (the failover
 * detector's own disconnect on +switch-master does that), and an ended client never reconnects by itself: writes would
 * answer 503 and a replica's copy would stop loading until a restart.
 */
export function restartWhenEnded(client: Redis | Cluster, options: RestartOptions): void {
  client.on('end', () => {
    if (options.isClosing()) return;
    options.logger.warn({ connection: options.name }, 'the redis client stopped reconnecting; starting it again');
    setTimeout(() => {
      if (!options.isClosing() && client.status === 'end') client.connect().catch(() => undefined);
    }, options.delayMs ?? 100).unref();
  });
}
