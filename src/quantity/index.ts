/**
 * Kubernetes `resource.Quantity` with Go's semantics: parse (`ParseQuantity`, the JSON body form), compare,
 * add, and print Go's canonical text. Hand-written: it is on the hot path of every read, and no JavaScript
 * library reproduces Go's fixed-point rounding or canonical form (spec §5).
 * @module
 */
export { InvalidQuantityError } from './errors.js';
export { formatQuantity, type QuantityFormat } from './format.js';
export { Quantity } from './quantity.js';
export { parseQuantity } from './parse.js';
export { parseQuantityJson } from './parse-json.js';
