import { setFlagsFromString } from 'node:v8';

/** V8 flags that size the young generation; when the process was started with one, it is left alone. */
const YOUNG_GENERATION_FLAGS = ['--max-semi-space-size', '--semi-space-growth-factor'];

/**
 * Keeps V8's young generation at its starting size, unless `execArgv` or `nodeOptions` size it already.
 *
 * Every open stream is a few kilobytes of objects that live as long as the stream. While thousands of
 * clients connect, V8 sees most young objects survive and doubles the young generation up to its maximum
 * (two semi-spaces of 16 MB on 64-bit Node 20), then keeps it for as long as the process stays idle: about
 * 30 MB of RSS that an idle gateway does not need. The maximum can only be set before the heap exists
 * (`node --max-semi-space-size`); the growth factor is read each time the space would grow, so setting it
 * to 1 here, before any connection, keeps the space at the size it started with. The price is CPU under
 * heavy fan-out, where a small young generation is scavenged more often (measured in docs/benchmarks.md:
 * +17% per event at 200 logs/s into 1,000 streams, +45% with 10,000 streams saturated); an operator who
 * prefers throughput passes `--max-semi-space-size=16` in `NODE_OPTIONS`, which this leaves alone.
 *
 * Returns whether the flag was set.
 */
export function keepYoungGenerationSmall(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): boolean {
  // V8 spells its flags with dashes or underscores alike.
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((arg) => arg.replaceAll('_', '-'));
  const sized = given.some((arg) =>
    YOUNG_GENERATION_FLAGS.some((flag) => arg === flag || arg.startsWith(`${flag}=`)),
  );
  if (sized) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}
