/** mulberry32: a tiny seeded PRNG returning numbers in [0, 1). */
export function rng(seed: number): () => number;
