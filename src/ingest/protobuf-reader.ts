/**
 * A reader of the protocol-buffers wire format, for the two message families pushed to us (remote-write and
 * OTLP). Hand-written because it is the hot path of ingestion: at 1,000 samples per request, a generic decoder
 * (protobufjs, @bufbuild/protobuf) builds a message object per sample and a 64-bit integer object per timestamp,
 * where this reads each field in place and lets the caller skip what it does not use (see bench/ingest.ts).
 * Every read is bounds-checked: a truncated or malformed body throws {@link ProtobufError}, never reads past its
 * message, and never allocates from a length it has not checked against the bytes it has.
 * @module
 */

export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

/** Wire types (encoding.md "Message Structure"). */
export const wireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const two32 = 4294967296;

export class ProtobufReader {
  pos: number;
  /** Where the message being read ends; a caller reading an embedded message sets it, then puts it back. */
  end: number;
  private readonly view: DataView;

  /** `view`: the parent reader's, so an embedded message's reader costs no new DataView. */
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
    view?: DataView,
  ) {
    this.pos = start;
    this.end = end;
    this.view = view ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A reader of the embedded message at `start`..`end` of the same bytes. */
  sub(start: number, end: number): ProtobufReader {
    return new ProtobufReader(this.bytes, start, end, this.view);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The next field's tag as `number << 3 | wireType`. */
  tag(): number {
    const tag = this.varint32();
    if (tag >>> 3 === 0) throw new ProtobufError(`invalid field number 0 at byte ${this.pos}`);
    return tag;
  }

  /** A varint that fits 32 bits (tags, lengths, enums); larger values are an error. */
  varint32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint');
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        if (result > 0xffffffff) break;
        return result;
      }
    }
    throw new ProtobufError('varint too long for a 32-bit field');
  }

  /** A varint as a float (int64/uint64 fields: exact up to 2^53, which covers millisecond timestamps). */
  varint64(): number {
    // NB: the two 32-bit halves are gathered apart and joined once: a float sum of the ten groups rounds 2^64 - 1 up to
    // 2^64, which turned -1 into 0.
    let low = 0;
    let high = 0;
    for (let index = 0; index < 10; index++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint');
      const byte = this.bytes[this.pos++]!;
      const bits = byte & 0x7f;
      if (index < 4) low |= bits << (index * 7);
      else if (index === 4) {
        low |= bits << 28;
        high |= bits >>> 4;
      } else {
        // Stryker disable next-line ArithmeticOperator: equivalent, a shift count is taken mod 32, so - 32 and + 32
        // shift alike.
        high |= bits << (index * 7 - 32);
      }
      if (byte < 0x80) return joinInt64(high, low >>> 0);
    }
    throw new ProtobufError('varint longer than ten bytes');
  }

  double(): number {
    this.need(8);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** The high 32 bits of the next 8 bytes without consuming them: tells Prometheus' stale-marker NaN apart. */
  peekHigh32(): number {
    this.need(8);
    return this.view.getUint32(this.pos + 4, true);
  }

  /** A fixed64 as a float (timestamps in nanoseconds lose precision below a microsecond, which no window needs). */
  fixed64(): number {
    this.need(8);
    const low = this.view.getUint32(this.pos, true);
    const high = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return high * two32 + low;
  }

  /** An sfixed64: two's complement, exact for magnitudes up to 2^53. */
  sfixed64(): number {
    this.need(8);
    const low = this.view.getUint32(this.pos, true);
    const high = this.view.getInt32(this.pos + 4, true);
    this.pos += 8;
    return high * two32 + low;
  }

  fixed32(): number {
    this.need(4);
    const value = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** A length-delimited field's end, after checking it lies within this message; `pos` moves to its start. */
  lengthEnd(): number {
    const length = this.varint32();
    this.need(length);
    return this.pos + length;
  }

  string(): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    try {
      return utf8.decode(this.bytes.subarray(start, end));
    } catch {
      throw new ProtobufError(`invalid UTF-8 in a string field at byte ${start}`);
    }
  }

  skip(tag: number): void {
    switch (tag & 7) {
      case wireType.varint:
        this.varint64();
        return;
      case wireType.fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case wireType.bytes:
        this.pos = this.lengthEnd();
        return;
      case wireType.fixed32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${tag & 7} (field ${tag >>> 3})`);
    }
  }

  /** Reads a packed repeated field of doubles/fixed64 or one unpacked element, calling `each` per value. */
  repeatedFixed64(tag: number, read: () => number, each: (value: number) => void): void {
    if ((tag & 7) === wireType.bytes) {
      const end = this.lengthEnd();
      if ((end - this.pos) % 8 !== 0)
        throw new ProtobufError('packed 64-bit field whose length is not a multiple of 8');
      while (this.pos < end) each(read());
    } else {
      expectWireType(tag, wireType.fixed64);
      each(read());
    }
  }

  private need(length: number): void {
    if (this.pos + length > this.end)
      throw new ProtobufError(
        `truncated message: ${length} bytes needed at byte ${this.pos}, ${this.end - this.pos} left`,
      );
  }
}

/** Throws unless `tag` has the wire type the schema says its field has. */
export function expectWireType(tag: number, expected: number): void {
  if ((tag & 7) !== expected)
    throw new ProtobufError(`field ${tag >>> 3} has wire type ${tag & 7}, expected ${expected}`);
}

/** The int64 whose two's-complement halves are `high` (bit 31 the sign) and `low` (unsigned). */
function joinInt64(high: number, low: number): number {
  return (high | 0) * two32 + low;
}
