/**
 * The bound on answer items a memory store keeps for reuse (frozen values with their encoded bytes): about 550 bytes
 * each with one API version's bytes (the item, and its bytes in its series' arena; measured at 60k series), so at most
 * about 18 MB per store. NB: items are made only for series that are read, so this memory grows with what the HPAs ask
 * for, never with what is written; past the limit the store drops them all and starts over.
 * @module
 */
export const heldItemsLimit = 32_768;
