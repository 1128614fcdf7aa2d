/**
 * The ceiling: a bare node:https server that answers every request with the bytes the adapter
 * returned for the scenario, same certificate, keep-alive, each answer written as soon as its request is read. It does
 * no work of its own, so `adapter / ceiling` is a ratio the noise of a small machine cannot fake; a server that writes
 * a turn's answers together (as the adapter does) can pass it under load.
 * Reads its answer from the file named by argv[2]; prints its port on stdout.
 * @module
 */
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { ServedAnswer } from './processes.js';

const answer = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ServedAnswer;
const body = Buffer.from(answer.body);
const server = createServer(
  { cert: readFileSync(answer.certFile), key: readFileSync(answer.keyFile), keepAliveTimeout: 60_000 },
  (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': body.length });
      res.end(body);
    });
  },
);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
