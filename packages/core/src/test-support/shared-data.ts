import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The project's shared data folder (`../shared` beside the repository), overridable with SWINUP_SHARED. */
export const SHARED_DIR = process.env.SWINUP_SHARED ?? resolve(import.meta.dirname, '../../../../../shared');

/** Absolute path of a file in the shared data folder; fails loudly when the folder is missing. */
export function sharedPath(...parts: string[]): string {
  if (!existsSync(SHARED_DIR)) {
    throw new Error(
      `shared data folder not found at ${SHARED_DIR}: clone the project beside ../shared or set SWINUP_SHARED`,
    );
  }
  return resolve(SHARED_DIR, ...parts);
}

/** One golden case of the official SwinIR reference code. */
export interface FixtureCase {
  input: string;
  input_shape: [number, number, number, number];
  output: string;
  output_shape: [number, number, number, number];
}

/** One fixture model with its constructor config. */
export interface FixtureModel {
  config: { img_range: number; window_size: number; upscale: number } & Record<string, unknown>;
  checkpoint: string;
  state_dict_key: string;
  cases: FixtureCase[];
}

/** The fixtures' index.json. */
export function fixtureIndex(): Record<string, FixtureModel> {
  return JSON.parse(readFileSync(sharedPath('fixtures/swinir/index.json'), 'utf8'));
}

/** Reads a raw little-endian float32 fixture file. */
export function readFloats(name: string): Float32Array {
  const bytes = readFileSync(sharedPath('fixtures/swinir', name));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
