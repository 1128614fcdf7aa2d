/**
 * The floor: the least per request that any server answering as kube-apiserver does must add to the ceiling
 * (bench/ceiling-server.ts), written as plainly as Node allows. It honours a sent `Audit-Id` (so it reads the request's
 * headers) or makes one, sends `Cache-Control` beside the content headers, finds the answer by the request's path in
 * a map, and for a POST reads the whole body, parses it as JSON and keeps it. Same answer file and stdout as the
 * ceiling. `adapter / floor` is the share of a row's gap to the ceiling that is the adapter's own.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { ServedAnswer } from './processes.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';

const answer = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ServedAnswer;
const body = Buffer.from(answer.body);
const answers = new Map<string, Buffer>();
const stored = new Map<string, unknown>();
let auditCount = 0;

function send(request: IncomingMessage, response: ServerResponse, path: string): void {
  let bytes = answers.get(path);
  if (bytes === undefined) answers.set(path, (bytes = body));
  const sent = request.headers['audit-id'];
  const auditId =
    typeof sent === 'string' && sent !== ''
      ? sent
      : `7f46e824-752d-47ef-b5b5-${(auditCount++ & 0xffffff).toString(16).padStart(12, '0')}`;
  response.writeHead(answer.status, [
    'content-type',
    answer.contentType,
    'cache-control',
    'no-cache, private',
    'audit-id',
    auditId,
    'content-length',
    bytes.length,
  ]);
  response.end(bytes);
}

const server = createServer(
  { cert: readFileSync(answer.certFile), key: readFileSync(answer.keyFile), keepAliveTimeout: 60_000 },
  (request, response) => {
    const url = request.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (request.method !== 'POST') {
      send(request, response, path);
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      stored.set(path, JSON.parse(Buffer.concat(chunks).toString('utf8')));
      send(request, response, path);
    });
  },
);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
