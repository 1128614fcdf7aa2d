/**
 * The Subject CommonName and Organizations of a DER certificate, read the way Go's
 * pkix.Name.FillFromRDNSequence reads them: the last CN wins, every O is kept in order.
 *
 * NB: hand-written because Node's X509Certificate.subject is display text (it escapes `+`, quotes
 * odd values and joins multi-valued RDNs), and the one full ASN.1 library here (@peculiar/x509)
 * installs a global Reflect polyfill; a certificate's subject needs only a few DER headers.
 * @module
 */

export interface CertificateSubject {
  readonly commonName: string;
  readonly organizations: readonly string[];
}

interface Element {
  readonly tag: number;
  /** Offset of the contents. */
  readonly start: number;
  /** Offset just past the contents. */
  readonly end: number;
}

function readElement(der: Uint8Array, offset: number, limit: number): Element {
  if (offset + 2 > limit) throw new Error('truncated DER');
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) throw new Error('bad DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + length;
  if (end > limit) throw new Error('truncated DER');
  return { tag, start, end };
}

function children(der: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readElement(der, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

const commonNameOid = '550403';
const organizationOid = '55040a';

function decodeString(der: Uint8Array, element: Element): string {
  const bytes = der.subarray(element.start, element.end);
  switch (element.tag) {
    case 0x1e: // BMPString
      return Buffer.from(bytes).swap16().toString('utf16le');
    case 0x14: // TeletexString, read as Latin-1 like Go does
      return Buffer.from(bytes).toString('latin1');
    default: // UTF8String, PrintableString, IA5String
      return Buffer.from(bytes).toString('utf8');
  }
}

/** Throws on DER it cannot read; callers treat that as an unusable certificate. */
export function certificateSubject(der: Uint8Array): CertificateSubject {
  const certificate = readElement(der, 0, der.length);
  const tbs = children(der, certificate)[0];
  if (tbs === undefined) throw new Error('no TBSCertificate');
  const fields = children(der, tbs);
  // NB: version is an optional [0] EXPLICIT field; subject is the 5th field after it.
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4];
  if (subject === undefined || subject.tag !== 0x30) throw new Error('no subject');
  let commonName = '';
  const organizations: string[] = [];
  for (const rdn of children(der, subject)) {
    for (const attribute of children(der, rdn)) {
      const [type, value] = children(der, attribute);
      if (type === undefined || value === undefined || type.tag !== 0x06) continue;
      const oid = Buffer.from(der.subarray(type.start, type.end)).toString('hex');
      if (oid === commonNameOid) commonName = decodeString(der, value);
      else if (oid === organizationOid) organizations.push(decodeString(der, value));
    }
  }
  return { commonName, organizations };
}
