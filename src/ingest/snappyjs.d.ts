/** Types of snappyjs, the compressor the tests and the bench send remote-write bodies with (it ships none). */
declare module 'snappyjs' {
  /** Throws when the block is malformed or announces more than `maxLength` bytes. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  export function compress(uncompressed: Uint8Array): Uint8Array;
  const snappy: { uncompress: typeof uncompress; compress: typeof compress };
  export default snappy;
}
