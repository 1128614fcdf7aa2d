/**
 * Snappy block decompression (the format remote-write uses, not the framed stream), per snappy's
 * format_description.txt. Hand-written because the body comes from the network: the decompressed size is read and
 * bounded before any memory is taken (a small body claiming gigabytes costs nothing), every element is checked
 * against both the bytes left in the block and the room left in the announced output, and the output must come out
 * exactly the announced length. snappyjs, the JavaScript decoder at hand, reads a four-byte literal length as a
 * signed 32-bit number, so a six-byte body (`02 fc 3c c0 fc bf`) moves its cursor a gigabyte backwards and
 * holds the event loop for minutes.
 * @module
 */

export class SnappyError extends Error {
  override readonly name = 'SnappyError';
}

/** The decompressed length a block announces (a little-endian base-128 varint of at most five bytes). */
export function snappyDecodedLength(block: Uint8Array): number {
  return readPreamble(block).length;
}

/** Decompresses `block`; throws SnappyError when it is malformed or would exceed `maxBytes`. */
export function decodeSnappyBlock(block: Uint8Array, maxBytes: number): Uint8Array {
  const { length, start } = readPreamble(block);
  if (length > maxBytes)
    throw new SnappyError(`snappy block decompresses to ${length} bytes, more than the limit of ${maxBytes}`);
  const out = new Uint8Array(length);
  const end = block.length;
  let s = start;
  let d = 0;
  while (s < end) {
    const tag = block[s]!;
    let n: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        n = tag >>> 2;
        s += 1;
        if (n >= 60) {
          // 60..63: the length minus one follows in 1..4 little-endian bytes.
          const bytes = n - 59;
          if (s + bytes > end) throw invalid(`literal length cut short at byte ${s}`);
          n = 0;
          for (let i = 0; i < bytes; i++) n += block[s + i]! * 2 ** (8 * i);
          s += bytes;
        }
        n += 1;
        if (n > end - s) throw invalid(`literal of ${n} bytes runs past the end of the block at byte ${s}`);
        if (n > length - d) throw invalid(`literal of ${n} bytes overruns the announced ${length} bytes`);
        out.set(block.subarray(s, s + n), d);
        s += n;
        d += n;
        continue;
      }
      case 1:
        if (s + 2 > end) throw invalid(`copy cut short at byte ${s}`);
        n = 4 + ((tag >>> 2) & 7);
        offset = ((tag >>> 5) << 8) | block[s + 1]!;
        s += 2;
        break;
      case 2:
        if (s + 3 > end) throw invalid(`copy cut short at byte ${s}`);
        n = 1 + (tag >>> 2);
        offset = block[s + 1]! | (block[s + 2]! << 8);
        s += 3;
        break;
      default:
        if (s + 5 > end) throw invalid(`copy cut short at byte ${s}`);
        n = 1 + (tag >>> 2);
        offset = block[s + 1]! + block[s + 2]! * 2 ** 8 + block[s + 3]! * 2 ** 16 + block[s + 4]! * 2 ** 24;
        s += 5;
    }
    if (offset === 0 || offset > d) throw invalid(`copy from offset ${offset} at output byte ${d}`);
    if (n > length - d) throw invalid(`copy of ${n} bytes overruns the announced ${length} bytes`);
    // NB: an overlapping copy (offset < n) repeats the last `offset` bytes, so it goes byte by byte.
    const from = d - offset;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, the byte loop is right for any
    // offset; copyWithin is only faster.
    if (offset >= n) {
      out.copyWithin(d, from, from + n);
    } else {
      // Stryker disable next-line EqualityOperator: equivalent, i <= n also writes out[d + n], which the next element
      // overwrites or which lies past the end.
      for (let i = 0; i < n; i++) out[d + i] = out[from + i]!;
    }
    d += n;
  }
  if (d !== length) throw invalid(`${d} bytes decoded, ${length} announced`);
  return out;
}

function readPreamble(block: Uint8Array): { length: number; start: number } {
  let length = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= block.length) throw new SnappyError('truncated snappy block: no length preamble');
    const byte = block[i]!;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return { length, start: i + 1 };
  }
  throw new SnappyError('invalid snappy length preamble');
}

function invalid(detail: string): SnappyError {
  return new SnappyError(`invalid snappy block: ${detail}`);
}
