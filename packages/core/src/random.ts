/**
 * mulberry32: a tiny, fast 32-bit PRNG. Not for cryptography; here so that latency jitter and random
 * faults, retry jitter and randomised tests are the same on every run with the same seed (Math.random
 * would make runs unrepeatable).
 * Returns a function giving numbers in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
