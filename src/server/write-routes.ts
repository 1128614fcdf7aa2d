/**
 * `POST /write-metrics/...`, `/write-external-metrics/...` and `/write-resource-metrics/...`: one value
 * per request, the body a JSON quantity (or usage object), at most `writeBodyLimit` bytes.
 * @module
 */
import type { HTTPMethod } from 'find-my-way';
import { methodNotAllowed, unsupportedContentEncoding, unsupportedMediaType } from '../api/errors.js';
import { writeBodyLimit } from './error-handling.js';
import { jsonAnswer, mediaTypeOf, type Answer, type Exchange } from './exchange.js';
import { whenReady, type MaybePromise } from './maybe-promise.js';
import type { Routes } from './routes.js';
import type { WriteApi } from './write-api.js';

/**
 * The media types a write body may carry: JSON, and curl's `-d` default. NB: `curl -d '"42"'` (the
 * CMAS test adapter's README) labels its body with the form media type; the body is still parsed as a
 * JSON quantity, and anything else in it is a 400 from that parser. An unlabelled body is JSON too.
 */
export const writeMediaTypes: readonly string[] = ['application/json', 'application/x-www-form-urlencoded'];

/** NB: a compressed body would otherwise be read as a JSON quantity and answered "invalid quantity". */
function refuseEncoded(encoding: string): void {
  const coding = encoding.trim().toLowerCase();
  if (coding !== '' && coding !== 'identity')
    throw unsupportedContentEncoding(coding, 'write bodies are sent uncompressed');
}

const otherMethods: readonly HTTPMethod[] = ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

type Store = (path: string, query: string, body: string) => MaybePromise<string>;

export function addWriteRoutes(routes: Routes, writeApi: WriteApi): void {
  /** NB: the body arrives after the headers; the rest runs in the body's turn when the back end stores at once. */
  const writeWith =
    (store: Store) =>
    (exchange: Exchange): Promise<Answer> => {
      const type = exchange.request.headers['content-type'];
      if (type !== undefined && !writeMediaTypes.includes(mediaTypeOf(type)))
        throw unsupportedMediaType(writeMediaTypes);
      const encoding = exchange.request.headers['content-encoding'];
      if (encoding !== undefined) refuseEncoded(encoding);
      return exchange.body(writeBodyLimit).then((body) =>
        // NB: the client went away; whatever is answered reaches nobody.
        body === undefined
          ? { code: 499 }
          : whenReady(store(exchange.path, exchange.query, body.toString('utf8')), (answer) =>
              jsonAnswer(exchange, 200, answer),
            ),
      );
    };
  const refuse = (): never => {
    throw methodNotAllowed();
  };
  const writes: readonly (readonly [string, Store])[] = [
    ['/write-metrics/*', writeApi.writeCustom],
    ['/write-external-metrics/*', writeApi.writeExternal],
    ['/write-resource-metrics/*', writeApi.writeResource],
  ];
  for (const [path, store] of writes) {
    routes.add('POST', path, writeWith(store));
    routes.add(otherMethods, path, refuse);
  }
}
