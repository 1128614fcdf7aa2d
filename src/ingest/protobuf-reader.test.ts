// Expected values from the protocol-buffers encoding guide (protobuf.dev/programming-guides/encoding): varints are
// little-endian base-128 groups, 150 is `96 01`, a negative int64 is ten bytes of two's complement, fixed-width
// fields are little-endian, and a tag is `field << 3 | wire type`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectWireType, ProtobufError, ProtobufReader, wireType } from './protobuf-reader.js';

function reader(...bytes: number[]): ProtobufReader {
  return new ProtobufReader(Uint8Array.from(bytes));
}

function fails(read: () => unknown, message: string): void {
  assert.throws(read, (error: unknown) => {
    assert.ok(error instanceof ProtobufError, 'a ProtobufError');
    assert.equal(error.name, 'ProtobufError');
    assert.equal(error.message, message);
    return true;
  });
}

test('protobuf reader: 32-bit varints as the encoding guide spells them', () => {
  const cases: [number[], number][] = [
    [[0x00], 0],
    [[0x01], 1],
    [[0x7f], 127],
    [[0x80, 0x01], 128],
    [[0x96, 0x01], 150],
    [[0xac, 0x02], 300],
    [[0xff, 0xff, 0x03], 65535],
    [[0xff, 0xff, 0xff, 0xff, 0x0f], 4294967295],
    // a non-minimal encoding is still the same value
    [[0x81, 0x80, 0x80, 0x80, 0x00], 1],
  ];
  for (const [bytes, value] of cases) {
    const r = reader(...bytes);
    assert.equal(r.varint32(), value, JSON.stringify(bytes));
    assert.equal(r.pos, bytes.length, 'the whole varint is consumed');
    assert.equal(r.done, true);
  }
});

test('protobuf reader: a 32-bit varint that is longer, larger or cut short is an error', () => {
  fails(() => reader(0x80, 0x80, 0x80, 0x80, 0x10).varint32(), 'varint too long for a 32-bit field');
  fails(() => reader(0xff, 0xff, 0xff, 0xff, 0x1f).varint32(), 'varint too long for a 32-bit field');
  fails(() => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).varint32(), 'varint too long for a 32-bit field');
  fails(() => reader().varint32(), 'truncated varint');
  fails(() => reader(0x96).varint32(), 'truncated varint');
  fails(() => reader(0x80, 0x80, 0x80, 0x80).varint32(), 'truncated varint');
  // the message's end bounds the read, not the buffer's
  fails(() => new ProtobufReader(Uint8Array.from([0x96, 0x01]), 0, 1).varint32(), 'truncated varint');
});

test('protobuf reader: tags carry a field number and a wire type; field 0 is invalid', () => {
  assert.equal(reader(0x08).tag(), (1 << 3) | wireType.varint);
  assert.equal(reader(0x12).tag(), (2 << 3) | wireType.bytes);
  assert.equal(reader(0x0d).tag(), (1 << 3) | wireType.fixed32);
  assert.equal(reader(0x80, 0x01).tag(), 16 << 3);
  fails(() => reader(0x00).tag(), 'invalid field number 0 at byte 1');
  fails(() => reader(0x07).tag(), 'invalid field number 0 at byte 1');
  fails(() => reader(0x08, 0x02).tag() + reader(0x80, 0x00).tag(), 'invalid field number 0 at byte 2');
});

test('protobuf reader: 64-bit varints, negative int64 in ten bytes', () => {
  const ff = (n: number) => new Array<number>(n).fill(0xff);
  const cases: [number[], number][] = [
    [[0x96, 0x01], 150],
    // 1700000000000 ms, a timestamp of 2023
    [[0x80, 0xd0, 0x95, 0xff, 0xbc, 0x31], 1700000000000],
    [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f], 2 ** 53 - 1],
    [[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], -(2 ** 63)],
    // int64 max in nine bytes stays positive (2^63 − 1 rounds to 2^63 as a float)
    [[...ff(8), 0x7f], Number(2n ** 63n - 1n)],
    // a ten-byte encoding of a small value stays small
    [[0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 1],
  ];
  for (const [bytes, value] of cases) {
    const r = reader(...bytes);
    assert.equal(r.varint64(), value, JSON.stringify(bytes));
    assert.equal(r.pos, bytes.length);
  }
  fails(() => reader(...ff(10), 0x01).varint64(), 'varint longer than ten bytes');
  fails(() => reader(0x80, 0x80).varint64(), 'truncated varint');
  fails(() => reader().varint64(), 'truncated varint');
});

// NB: a float sum of the ten groups rounds 2^64 − 1 up to 2^64 before the sign is applied, which read -1 as 0.
test('protobuf reader: small negative int64 varints', () => {
  const ff = (n: number) => new Array<number>(n).fill(0xff);
  assert.equal(reader(...ff(9), 0x01).varint64(), -1);
  assert.equal(reader(0xfe, ...ff(8), 0x01).varint64(), -2);
});

test('protobuf reader: fixed-width fields are little-endian and bounds-checked', () => {
  const r = new ProtobufReader(new Uint8Array([...Buffer.from('000000000000f83f', 'hex'), 0x78, 0x56, 0x34, 0x12]));
  assert.equal(r.double(), 1.5);
  assert.equal(r.pos, 8);
  assert.equal(r.fixed32(), 0x12345678);
  assert.equal(r.pos, 12);
  assert.equal(r.done, true);

  const wide = reader(0x01, 0, 0, 0, 0x01, 0, 0, 0);
  assert.equal(wide.fixed64(), 2 ** 32 + 1);
  assert.equal(wide.pos, 8);
  assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0).fixed64(), 2 ** 53 - 1);

  fails(() => reader(1, 2, 3, 4, 5, 6, 7).double(), 'truncated message: 8 bytes needed at byte 0, 7 left');
  fails(() => reader(1, 2, 3, 4, 5, 6, 7).fixed64(), 'truncated message: 8 bytes needed at byte 0, 7 left');
  fails(() => reader(1, 2, 3).fixed32(), 'truncated message: 4 bytes needed at byte 0, 3 left');
  fails(
    () => new ProtobufReader(new Uint8Array(16), 4, 11).double(),
    'truncated message: 8 bytes needed at byte 4, 7 left',
  );
});

test('protobuf reader: peekHigh32 reads the high word of a double without consuming it', () => {
  // Prometheus' stale marker is the NaN 0x7ff0000000000002.
  const r = new ProtobufReader(Uint8Array.from(Buffer.from('020000000000f07f', 'hex')));
  assert.equal(r.peekHigh32(), 0x7ff00000);
  assert.equal(r.pos, 0);
  assert.ok(Number.isNaN(r.double()));
  fails(() => reader(0, 0, 0, 0, 0, 0, 0).peekHigh32(), 'truncated message: 8 bytes needed at byte 0, 7 left');
});

test('protobuf reader: a reader over a view into a larger buffer reads its own bytes', () => {
  const backing = Uint8Array.from([0xaa, 0xbb, ...Buffer.from('000000000000f83f', 'hex'), 0x03, 0x61, 0x62, 0x63]);
  const r = new ProtobufReader(backing.subarray(2));
  assert.equal(r.end, 12);
  assert.equal(r.double(), 1.5);
  assert.equal(r.string(), 'abc');
  assert.equal(r.done, true);
  // sub: an embedded message at 8..12 of the same bytes
  const inner = new ProtobufReader(backing.subarray(2)).sub(8, 12);
  assert.equal(inner.pos, 8);
  assert.equal(inner.end, 12);
  assert.equal(inner.string(), 'abc');
  assert.equal(inner.done, true);
  fails(
    () => new ProtobufReader(backing.subarray(2)).sub(8, 11).string(),
    'truncated message: 3 bytes needed at byte 9, 2 left',
  );
});

test('protobuf reader: length-delimited fields end inside their message; strings are strict UTF-8', () => {
  const r = reader(0x03, 0x61, 0x62, 0x63, 0x00);
  assert.equal(r.lengthEnd(), 4);
  assert.equal(r.pos, 1);
  assert.equal(reader(0x02, 0x68, 0x69).string(), 'hi');
  const s = reader(0x00, 0x02, 0xc3, 0xa9);
  assert.equal(s.string(), '');
  assert.equal(s.pos, 1);
  assert.equal(s.string(), 'é');
  assert.equal(s.pos, 4);
  fails(() => reader(0x04, 0x61, 0x62, 0x63).lengthEnd(), 'truncated message: 4 bytes needed at byte 1, 3 left');
  fails(
    () => reader(0x00, 0x01, 0xff).string() + reader(0x01, 0xff).string(),
    'invalid UTF-8 in a string field at byte 1',
  );
  fails(() => reader(0x02, 0x61, 0xff, 0x02).string(), 'invalid UTF-8 in a string field at byte 1');
});

test('protobuf reader: skip passes over each wire type and rejects groups and unknown types', () => {
  const cases: [number, number[]][] = [
    [(1 << 3) | 0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    [(2 << 3) | 1, [1, 2, 3, 4, 5, 6, 7, 8]],
    [(3 << 3) | 2, [0x03, 1, 2, 3]],
    [(4 << 3) | 5, [1, 2, 3, 4]],
  ];
  for (const [tag, bytes] of cases) {
    const r = reader(...bytes, 0x2a);
    r.skip(tag);
    assert.equal(r.pos, bytes.length, `wire type ${tag & 7}`);
  }
  fails(() => reader(1, 2, 3, 4, 5, 6, 7).skip((2 << 3) | 1), 'truncated message: 8 bytes needed at byte 0, 7 left');
  fails(() => reader(1, 2, 3).skip((4 << 3) | 5), 'truncated message: 4 bytes needed at byte 0, 3 left');
  fails(() => reader(0x05, 1).skip((3 << 3) | 2), 'truncated message: 5 bytes needed at byte 1, 1 left');
  fails(() => reader(0x80).skip(1 << 3), 'truncated varint');
  for (const wire of [3, 4, 6, 7]) {
    fails(() => reader(0, 0, 0, 0, 0, 0, 0, 0).skip((9 << 3) | wire), `unsupported wire type ${wire} (field 9)`);
  }
});

test('protobuf reader: repeated doubles packed or one at a time', () => {
  const one = Buffer.from('000000000000f03f', 'hex');
  const two = Buffer.from('0000000000000040', 'hex');
  const seen: number[] = [];
  const packed = reader(0x10, ...one, ...two, 0x2a);
  packed.repeatedFixed64(
    (1 << 3) | 2,
    () => packed.double(),
    (v) => seen.push(v),
  );
  assert.deepEqual(seen, [1, 2]);
  assert.equal(packed.pos, 17);

  const empty = reader(0x00, 0x2a);
  empty.repeatedFixed64(
    (1 << 3) | 2,
    () => empty.double(),
    (v) => seen.push(v),
  );
  assert.deepEqual(seen, [1, 2]);
  assert.equal(empty.pos, 1);

  const single = reader(...two, 0x2a);
  single.repeatedFixed64(
    (1 << 3) | 1,
    () => single.double(),
    (v) => seen.push(v),
  );
  assert.deepEqual(seen, [1, 2, 2]);
  assert.equal(single.pos, 8);

  const odd = reader(0x0c, ...one, 1, 2, 3, 4);
  fails(
    () =>
      odd.repeatedFixed64(
        (1 << 3) | 2,
        () => odd.double(),
        () => {},
      ),
    'packed 64-bit field whose length is not a multiple of 8',
  );
  const wrong = reader(...one);
  fails(
    () =>
      wrong.repeatedFixed64(
        (7 << 3) | 0,
        () => wrong.double(),
        () => {},
      ),
    'field 7 has wire type 0, expected 1',
  );
});

test('protobuf reader: expectWireType names the field and both wire types', () => {
  expectWireType((3 << 3) | 2, wireType.bytes);
  expectWireType((3 << 3) | 5, wireType.fixed32);
  fails(() => expectWireType((3 << 3) | 5, wireType.bytes), 'field 3 has wire type 5, expected 2');
  fails(() => expectWireType((12 << 3) | 0, wireType.fixed64), 'field 12 has wire type 0, expected 1');
});
