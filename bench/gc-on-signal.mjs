// Preloaded into the adapter by the memory bench (bench/memory.ts), with --expose-gc: SIGUSR2 runs a full garbage
// collection and prints a line, so that memory is read with no garbage left in it.
process.on('SIGUSR2', () => {
  globalThis.gc();
  process.stderr.write('bench: garbage collected\n');
});
