/**
 * `POST /write-metrics/...`, `/write-external-metrics/...` and `/write-resource-metrics/...`: one value
 * per request, the body a JSON quantity (or usage object), at most `writeBodyLimit` bytes.
 * @module
 */
import type { HTTPMethod } from 'find-my-way';
import { methodNotAllowed, unsupportedMediaType } from '../api/errors.js';
import { encodeStatusSuccess } from '../api/encode-status.js';
import { writeBodyLimit } from './error-handling.js';
import { jsonAnswer, mediaTypeOf, type Answer, type Exchange } from './exchange.js';
import { splitPath } from './paths.js';
import type { Routes } from './routes.js';
import type { WriteApi } from './write-api.js';

/**
 * The media types a write body may carry: JSON, and curl's `-d` default. NB: `curl -d '"42"'` (the
 * CMAS test adapter's README) labels its body with the form media type; the body is still parsed as a
 * JSON quantity, and anything else in it is a 400 from that parser. An unlabelled body is JSON too.
 */
export const writeMediaTypes: readonly string[] = ['application/json', 'application/x-www-form-urlencoded'];

const otherMethods: readonly HTTPMethod[] = ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

export function addWriteRoutes(routes: Routes, writeApi: WriteApi): void {
  const write = async (exchange: Exchange): Promise<Answer> => {
    const type = exchange.request.headers['content-type'];
    if (type !== undefined && !writeMediaTypes.includes(mediaTypeOf(type))) throw unsupportedMediaType(writeMediaTypes);
    const body = await exchange.body(writeBodyLimit);
    // NB: the client went away; whatever is answered reaches nobody.
    if (body === undefined) return { code: 499 };
    const segments = splitPath(exchange.path);
    const text = body.toString('utf8');
    const message =
      segments[1] === 'write-metrics'
        ? await writeApi.writeCustom(segments.slice(2), exchange.query, text)
        : segments[1] === 'write-resource-metrics'
          ? await writeApi.writeResource(segments.slice(2), exchange.query, text)
          : await writeApi.writeExternal(segments.slice(2), exchange.query, text);
    return jsonAnswer(exchange, 200, encodeStatusSuccess(200, message));
  };
  const refuse = (): never => {
    throw methodNotAllowed();
  };
  for (const path of ['/write-metrics/*', '/write-external-metrics/*', '/write-resource-metrics/*']) {
    routes.add('POST', path, write);
    routes.add(otherMethods, path, refuse);
  }
}
