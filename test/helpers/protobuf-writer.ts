/**
 * A minimal protocol-buffers encoder for tests: builds remote-write and OTLP bodies field by field, so decoding
 * tests can also build truncated and malformed messages a real sender never would.
 * @module
 */
export class ProtobufWriter {
  private readonly parts: number[] = [];

  varint(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.rawVarint(BigInt.asUintN(64, BigInt(value)));
    return this;
  }

  double(field: number, value: number): this {
    this.tag(field, 1);
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleLE(value);
    this.parts.push(...bytes);
    return this;
  }

  /** Eight raw bytes as a fixed64 field (for a NaN with a chosen payload). */
  fixed64Bytes(field: number, bytes: Uint8Array): this {
    this.tag(field, 1);
    this.parts.push(...bytes);
    return this;
  }

  fixed64(field: number, value: number | bigint): this {
    this.tag(field, 1);
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64LE(BigInt.asUintN(64, BigInt(value)));
    this.parts.push(...bytes);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, build: (writer: ProtobufWriter) => void): this {
    const inner = new ProtobufWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(BigInt(value.length));
    this.parts.push(...value);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(BigInt((field << 3) | wire));
  }

  private rawVarint(value: bigint): void {
    let rest = value;
    while (rest >= 0x80n) {
      this.parts.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.parts.push(Number(rest));
  }
}

/** Prometheus' stale marker, the NaN 0x7ff0000000000002, as the eight little-endian bytes a sender writes. */
export const staleMarkerBytes = Uint8Array.from([2, 0, 0, 0, 0, 0, 0xf0, 0x7f]);

/** A remote-write WriteRequest of series with their samples `[timestampMs, value]` (`'stale'`: a stale marker). */
export function writeRequest(
  series: readonly {
    readonly labels: Readonly<Record<string, string>>;
    readonly samples: readonly (readonly [number, number | 'stale'])[];
  }[],
): Uint8Array {
  const request = new ProtobufWriter();
  for (const one of series) {
    request.message(1, (ts) => {
      for (const [name, value] of Object.entries(one.labels))
        ts.message(1, (label) => label.string(1, name).string(2, value));
      for (const [timestamp, value] of one.samples)
        ts.message(2, (sample) =>
          (value === 'stale' ? sample.fixed64Bytes(1, staleMarkerBytes) : sample.double(1, value)).varint(2, timestamp),
        );
    });
  }
  return request.finish();
}
