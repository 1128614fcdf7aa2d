/**
 * The Helm and sprig template functions the chart uses, with their Go semantics (argument order, the piped value
 * last, `default` counting empty values as unset). `lookup` finds nothing, as under `helm template`; `genCA` and
 * `genSignedCert` make ECDSA P-256 certificates with src/certs (Helm's are RSA; both verify the same way).
 * @module
 */
import { createHash, randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { parse, stringify } from 'yaml';
import { createCertificateAuthority, type CertificateAuthority } from '../../certs/certificate-authority.js';
import { isTrue, printValue, type TemplateFunction } from './execute.js';
import { ChartValuesError, TemplateError } from './parse.js';

const authorities = new WeakMap<object, CertificateAuthority>();

function str(value: unknown): string {
  return printValue(value);
}

function int(value: unknown): number {
  const n = typeof value === 'number' ? value : Number.parseInt(str(value), 10);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
}

/** Go's `%q`/`%s`/`%d`/`%v` in printf; enough for the chart's own format strings. */
function printf(format: string, args: readonly unknown[]): string {
  let next = 0;
  return format.replace(/%([%sdvq])/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    const value = args[next++];
    if (verb === 'q') return JSON.stringify(str(value));
    if (verb === 'd') return String(int(value));
    return str(value);
  });
}

function indent(spaces: unknown, text: unknown): string {
  const pad = ' '.repeat(int(spaces));
  return pad + str(text).replaceAll('\n', `\n${pad}`);
}

function toYaml(value: unknown): string {
  if (value === undefined) return 'null';
  // NB: Helm's toYaml trims the final newline (helm pkg/engine funcs.go), and Go's YAML encoder sorts map keys
  // and does not indent a list under its key.
  return stringify(value, { lineWidth: 0, sortMapEntries: true, indentSeq: false }).replace(/\n$/, '');
}

function days(value: unknown): Date {
  return new Date(Date.now() + int(value) * 24 * 60 * 60_000);
}

export const templateFunctions: Readonly<Record<string, TemplateFunction>> = {
  include: (context, name, dot) => context.include(str(name), dot),
  tpl: (context, source, dot) => context.renderString(str(source), dot),
  required: (_c, message, value) => {
    if (value === null || value === undefined || value === '') throw new ChartValuesError(str(message));
    return value;
  },
  fail: (_c, message) => {
    throw new ChartValuesError(str(message));
  },
  toYaml: (_c, value) => toYaml(value),
  toJson: (_c, value) => JSON.stringify(value ?? null),
  indent: (_c, spaces, text) => indent(spaces, text),
  nindent: (_c, spaces, text) => `\n${indent(spaces, text)}`,
  trim: (_c, text) => str(text).trim(),
  trimSuffix: (_c, suffix, text) =>
    str(text).endsWith(str(suffix)) ? str(text).slice(0, str(text).length - str(suffix).length) : str(text),
  trimPrefix: (_c, prefix, text) =>
    str(text).startsWith(str(prefix)) ? str(text).slice(str(prefix).length) : str(text),
  trunc: (_c, length, text) => str(text).slice(0, int(length)),
  replace: (_c, from, to, text) => str(text).replaceAll(str(from), str(to)),
  lower: (_c, text) => str(text).toLowerCase(),
  contains: (_c, part, text) => str(text).includes(str(part)),
  hasPrefix: (_c, prefix, text) => str(text).startsWith(str(prefix)),
  quote: (_c, ...values) =>
    values
      .filter((v) => v !== null && v !== undefined)
      .map((v) => JSON.stringify(str(v)))
      .join(' '),
  squote: (_c, ...values) =>
    values
      .filter((v) => v !== null && v !== undefined)
      .map((v) => `'${str(v)}'`)
      .join(' '),
  print: (_c, ...values) => values.map(str).join(''),
  printf: (_c, format, ...args) => printf(str(format), args),
  toString: (_c: unknown, value: unknown) => str(value),
  int: (_c, value) => int(value),
  default: (_c, fallback, value) => (isTrue(value) ? value : fallback),
  empty: (_c, value) => !isTrue(value),
  coalesce: (_c, ...values) => values.find(isTrue),
  ternary: (_c, yes, no, condition) => (condition === true ? yes : no),
  not: (_c, value) => !isTrue(value),
  eq: (_c, first, ...others) => others.some((other) => other === first),
  ne: (_c, a, b) => a !== b,
  lt: (_c, a, b) => int(a) < int(b),
  le: (_c, a, b) => int(a) <= int(b),
  gt: (_c, a, b) => int(a) > int(b),
  ge: (_c, a, b) => int(a) >= int(b),
  add: (_c, ...values) => values.reduce<number>((sum, v) => sum + int(v), 0),
  len: (_c, value) =>
    typeof value === 'string' || Array.isArray(value)
      ? value.length
      : value !== null && typeof value === 'object'
        ? Object.keys(value).length
        : 0,
  list: (_c, ...values) => values,
  append: (_c, values, value) => [...list(values), value],
  has: (_c, value, values) => list(values).includes(value),
  fromJson: (_c, text) => JSON.parse(str(text)) as unknown,
  fromJsonArray: (_c, text) => list(JSON.parse(str(text)) as unknown),
  fromYaml: (_c, text) => parse(str(text)) as unknown,
  dict: (_c, ...pairs) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < pairs.length; i += 2) out[str(pairs[i])] = pairs[i + 1];
    return out;
  },
  set: (_c, map, key, value) => {
    (map as Record<string, unknown>)[str(key)] = value;
    return map;
  },
  hasKey: (_c, map, key) => map !== null && typeof map === 'object' && Object.hasOwn(map, str(key)),
  get: (_c, map, key) =>
    map !== null && typeof map === 'object' ? ((map as Record<string, unknown>)[str(key)] ?? '') : '',
  index: (_c, value, ...keys) =>
    keys.reduce<unknown>(
      (current, key) =>
        current === null || current === undefined ? undefined : (current as Record<string, unknown>)[str(key)],
      value,
    ),
  join: (_c, separator, values) => list(values).map(str).join(str(separator)),
  kindIs: (_c, kind, value) => kindOf(value) === str(kind),
  b64enc: (_c, text) => Buffer.from(str(text)).toString('base64'),
  b64dec: (_c, text) => Buffer.from(str(text), 'base64').toString('utf8'),
  sha256sum: (_c, text) => createHash('sha256').update(str(text)).digest('hex'),
  randAlphaNum: (_c, length) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    return Array.from({ length: int(length) }, () => alphabet[randomInt(alphabet.length)]).join('');
  },
  lookup: () => ({}),
  genCA: async (_c, commonName, validity) => {
    const authority = await createCertificateAuthority({
      commonName: str(commonName),
      notBefore: new Date(Date.now() - 60 * 60_000),
      notAfter: days(validity),
    });
    // NB: the CA's key stays inside the object genSignedCert reads; nothing renders it.
    const result = { Cert: authority.certPem, Key: '' };
    authorities.set(result, authority);
    return result;
  },
  genSignedCert: async (_c, commonName, ips, dnsNames, validity, ca) => {
    const authority = ca !== null && typeof ca === 'object' ? authorities.get(ca) : undefined;
    if (authority === undefined) throw new TemplateError('genSignedCert needs a CA made by genCA');
    // NB: exactly the names given, as Helm's genSignedCert: no loopback names are added.
    const issued = await authority.issue({
      commonName: str(commonName),
      usages: ['serverAuth'],
      dnsNames: list(dnsNames).map(str),
      ipAddresses: list(ips)
        .map(str)
        .filter((ip) => isIP(ip) !== 0),
      notBefore: new Date(Date.now() - 60 * 60_000),
      notAfter: days(validity),
    });
    return { Cert: issued.certPem, Key: issued.keyPem };
  },
};

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'invalid';
  if (Array.isArray(value)) return 'slice';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  return typeof value === 'boolean' ? 'bool' : 'string';
}
