/**
 * Writes JSON the way the apiserver does: always `Content-Type: application/json`, pretty-printed
 * when `?pretty=true` or when a curl, Wget or browser User-Agent asks (APISERVER
 * responsewriters/writers.go isPrettyPrint), so a curl user reads what kubectl users read.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { answerBodies } from '../api/body-pool.js';
import { goPretty } from '../api/json.js';
import { BoundedCache } from './bounded-cache.js';

/** NB: Go strconv.ParseBool's accepted spellings. */
const trueWords = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const falseWords = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function wantsPretty(request: Pick<IncomingMessage, 'url' | 'headers'>): boolean {
  const url = request.url ?? '';
  const q = url.indexOf('?');
  if (q >= 0 && url.includes('pretty', q)) {
    const value = new URLSearchParams(url.slice(q + 1)).get('pretty');
    if (value !== null && value !== '') {
      if (trueWords.has(value)) return true;
      if (falseWords.has(value)) return false;
      return false;
    }
  }
  const agent = request.headers['user-agent'];
  return (
    agent !== undefined && (agent.startsWith('curl') || agent.startsWith('Wget') || agent.startsWith('Mozilla/5.0'))
  );
}

/**
 * The bytes of a compact, newline-terminated JSON body, re-indented if the caller wants it pretty. NB: a body from the
 * answer pool is given back once re-indented: nothing else writes it, and one never given back keeps its slab out of
 * reuse (every curl read of an uncached answer is pretty).
 */
export function jsonBytes(request: Pick<IncomingMessage, 'url' | 'headers'>, body: string | Buffer): Buffer {
  if (typeof body === 'string') return Buffer.from(wantsPretty(request) ? goPretty(body) : body);
  if (!wantsPretty(request)) return body;
  const pretty = Buffer.from(goPretty(body.toString('utf8')));
  answerBodies.release(body);
  return pretty;
}

/**
 * Whether an Accept header lets us answer JSON. NB: the HPA sends
 * protobuf first with a star-slash-star fallback (spec §1.7), which must get JSON, never 406; kubectl's
 * Table requests carry a plain `application/json` fallback. Media types with an `as=` parameter
 * ask for a different object (Table, APIGroupDiscoveryList) that this server does not produce.
 */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined) return true;
  // NB: clients send the same few Accept headers on every request; splitting them again costs a cache hit's worth.
  let answer = acceptAnswers.get(accept);
  if (answer === undefined) {
    answer = parseAcceptsJson(accept);
    acceptAnswers.set(accept, answer);
  }
  return answer;
}

const acceptAnswers = new BoundedCache<boolean>();

function parseAcceptsJson(accept: string): boolean {
  if (accept.trim() === '') return true;
  for (const entry of accept.split(',')) {
    const [type = '', ...params] = entry.split(';').map((p) => p.trim().toLowerCase());
    if (params.some((p) => p.startsWith('q=') && Number(p.slice(2)) === 0)) continue;
    if (type === '*/*' || type === 'application/*') return true;
    if (type === 'application/json' && !params.some((p) => p.startsWith('as='))) return true;
  }
  return false;
}
