/**
 * Splits PEM text into its labelled blocks, so a loader can say what a file holds instead of
 * passing an OpenSSL decoder message through ("found PRIVATE KEY" beats "bad base64 decode").
 * @module
 */

export interface PemBlock {
  /** The word(s) after BEGIN: `CERTIFICATE`, `PRIVATE KEY`, `EC PRIVATE KEY`, ... */
  readonly label: string;
  /** The whole block, BEGIN and END lines included, newline-terminated. */
  readonly text: string;
}

const blockPattern = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

/** Every complete PEM block in `text`, in order. Text between blocks (OpenSSL's comments) is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(blockPattern)].map((match) => ({ label: match[1] ?? '', text: `${match[0]}\n` }));
}
