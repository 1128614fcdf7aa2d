// Bounds the low-level decoders must respect, with expected values from snappy's format_description.txt (a copy
// with a 4-byte offset is `(len − 1) << 2 | 3` then the offset in four little-endian bytes; the output never
// exceeds the announced length) and the protocol-buffers encoding guide (sfixed64 is eight little-endian bytes of
// two's complement; a field never reads past its message).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtobufError, ProtobufReader } from './protobuf-reader.js';
import { decodeSnappyBlock, SnappyError } from './snappy-block.js';

const block = (...bytes: (number | string)[]) =>
  Uint8Array.from(bytes.flatMap((part) => (typeof part === 'string' ? [...Buffer.from(part)] : [part])));

function snappyFails(bytes: Uint8Array, length: number, message: string): void {
  assert.throws(
    () => decodeSnappyBlock(bytes, length),
    (error: unknown) => error instanceof SnappyError && error.message === `invalid snappy block: ${message}`,
  );
}

test('snappy: a 4-byte copy offset is read from all four little-endian bytes', () => {
  // 1 + 2·2^8 + 3·2^16 + 4·2^24
  snappyFails(block(4, 2 << 2, 'abc', 3, 1, 2, 3, 4), 4, 'copy from offset 67305985 at output byte 3');
  // offset 260 = 0x0104 reaches back past the first 256 bytes to the start
  const start = `ab${'y'.repeat(258)}`;
  const out = decodeSnappyBlock(block(0x86, 0x02, 61 << 2, 0x03, 0x01, start, ((2 - 1) << 2) | 3, 4, 1, 0, 0), 262);
  assert.equal(Buffer.from(out).toString(), `${start}ab`);
});

test('snappy: a literal after earlier output may not overrun the announced length', () => {
  snappyFails(block(4, 1 << 2, 'ab', 2 << 2, 'cde'), 4, 'literal of 3 bytes overruns the announced 4 bytes');
  assert.equal(Buffer.from(decodeSnappyBlock(block(5, 1 << 2, 'ab', 2 << 2, 'cde'), 5)).toString(), 'abcde');
});

test('protobuf reader: a 64-bit varint stops at its message end, not at the end of the bytes', () => {
  assert.throws(
    () => new ProtobufReader(Uint8Array.from([0x80, 0x01]), 0, 1).varint64(),
    (error: unknown) => error instanceof ProtobufError && error.message === 'truncated varint',
  );
});

test('protobuf reader: sfixed64 joins a little-endian signed high word to the low word', () => {
  const le = (value: bigint) => {
    const bytes = Buffer.alloc(8);
    bytes.writeBigInt64LE(value);
    return new ProtobufReader(bytes);
  };
  assert.equal(le(2n ** 40n + 5n).sfixed64(), 2 ** 40 + 5);
  assert.equal(le(-(2n ** 40n)).sfixed64(), -(2 ** 40));
  assert.equal(le(-(2n ** 53n) + 1n).sfixed64(), -(2 ** 53) + 1);
});
