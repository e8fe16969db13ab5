import { randomInt } from "node:crypto";
import type { RandomSource } from "../raft/config.ts";

// Real randomness for running nodes; the simulator injects a seeded source instead.
export const cryptoRandom: RandomSource = { nextInt: (n) => randomInt(n) };
