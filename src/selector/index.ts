/**
 * Kubernetes label selectors with Go's semantics: parse (`labels.Parse`), match, print (`String()`), and
 * convert to and from metav1.LabelSelector. Hand-written: it is on the HPA query hot path, and Go's exact
 * grammar, error texts and canonical string matter to clients.
 * @module
 */
export { InvalidSelectorError } from './errors.js';
export type { Operator, Requirement } from './requirement.js';
export { everything, selectorFromSet, type Selector } from './selector.js';
export { parseSelector } from './parse-selector.js';
export { toLabelSelector, labelSelectorToSelector } from './label-selector.js';
export { parseLabelSet, labelSetKey } from './label-set.js';
export { mostSelectiveCandidates, ObjectIndex } from './object-index.js';
export { LabelPostings } from './label-postings.js';
