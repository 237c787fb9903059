import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger.js';
import {
  OUTPUT_FORMATS,
  type ResolvedUpscaleOptions,
  type ResolvedUpscalerOptions,
  resolveUpscaleOptions,
  resolveUpscalerOptions,
  TASKS,
  type UpscaleOptions,
  type UpscalerOptions,
} from './options.js';
import { PRECISIONS } from './runtime/device-profile.js';
import { DEVICES } from './runtime/execution-provider.js';
import { failsOnlyWith, PROPERTY_RUNS } from './test-support/properties.js';

/** Values of every type, plus edge cases of the types options take. */
const anyValue = fc.oneof(
  fc.anything(),
  fc.integer({ min: -5, max: 5000 }),
  fc.double(),
  fc.constantFrom(...TASKS, ...DEVICES, ...PRECISIONS, ...OUTPUT_FORMATS, 'jpg', 'model', 'lanczos', ''),
  fc.constantFrom(true, false, null, undefined, Number.NaN, 2 ** 53, new AbortController().signal),
  fc.constant(() => {}),
);

const path = fc.string({ minLength: 1, maxLength: 12 });

/** A value each option accepts, so that a run mixes sound options with a few arbitrary ones. */
const UPSCALER_VALUES: Record<keyof UpscalerOptions, fc.Arbitrary<unknown>> = {
  model: fc.constantFrom('swinup-s-x4', 'weights.onnx'),
  task: fc.constantFrom(...TASKS),
  device: fc.constantFrom(...DEVICES),
  threads: fc.integer({ min: 0, max: 1024 }),
  tileSize: fc.integer({ min: 0, max: 4096 }),
  tileOverlap: fc.integer({ min: 0, max: 512 }),
  precision: fc.constantFrom(...PRECISIONS),
  maxOutputPixels: fc.integer({ min: 1, max: 2 ** 40 }),
  modelsDir: path,
  catalog: path,
  cacheDir: path,
  resultCacheDir: path,
  offline: fc.boolean(),
  onDownload: fc.constant(() => {}),
  signal: fc.constant(new AbortController().signal),
  logger: fc.constantFrom(silentLogger, { debug() {}, info() {}, warn() {}, error() {} }),
};

const UPSCALE_VALUES: Record<Exclude<keyof UpscaleOptions, never>, fc.Arbitrary<unknown>> = {
  scale: fc.integer({ min: 1, max: 16 }),
  width: fc.integer({ min: 1, max: 1_000_000 }),
  height: fc.integer({ min: 1, max: 1_000_000 }),
  format: fc.constantFrom(...OUTPUT_FORMATS, 'jpg'),
  quality: fc.integer({ min: 1, max: 100 }),
  keepMetadata: fc.boolean(),
  alpha: fc.constantFrom('model', 'lanczos'),
  overwrite: fc.boolean(),
  signal: fc.constant(new AbortController().signal),
  onProgress: fc.constant(() => {}),
};

/** Some of the options, each three times in four a value it accepts and otherwise anything at all. */
function someOptions(values: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const model = Object.fromEntries(
    Object.entries(values).map(([key, valid]) => [
      key,
      fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: anyValue }),
    ]),
  );
  return fc.record(model, { requiredKeys: [] });
}

/** An error must name an option that was given (or the environment variable that was). */
const naming = (names: readonly string[]) => new RegExp(`^Invalid option (${names.join('|')}):`);
const optionalInteger = (value: unknown) => value === undefined || Number.isInteger(value);
const optionalPath = (value: unknown) => value === undefined || (typeof value === 'string' && value !== '');

function expectSoundUpscaler(resolved: ResolvedUpscalerOptions): void {
  expect(TASKS).toContain(resolved.task);
  expect(DEVICES).toContain(resolved.device);
  expect(PRECISIONS).toContain(resolved.precision);
  expect(Number.isInteger(resolved.threads) && Number.isInteger(resolved.maxOutputPixels)).toBe(true);
  expect(optionalInteger(resolved.tileSize) && optionalInteger(resolved.tileOverlap)).toBe(true);
  for (const key of ['model', 'modelsDir', 'catalog', 'cacheDir', 'resultCacheDir'] as const)
    expect(optionalPath(resolved[key]), key).toBe(true);
  for (const method of ['debug', 'info', 'warn'] as const)
    expect(typeof resolved.logger[method], `logger.${method}`).toBe('function');
  expect(typeof resolved.offline).toBe('boolean');
  expect(resolved.onDownload === undefined || typeof resolved.onDownload === 'function').toBe(true);
  expect(resolved.signal === undefined || resolved.signal instanceof AbortSignal).toBe(true);
}

function expectSoundUpscale(resolved: ResolvedUpscaleOptions): void {
  for (const key of ['scale', 'width', 'height', 'quality'] as const)
    expect(optionalInteger(resolved[key]), key).toBe(true);
  expect(resolved.format === undefined || OUTPUT_FORMATS.includes(resolved.format)).toBe(true);
  expect(['model', 'lanczos']).toContain(resolved.alpha);
  expect([typeof resolved.keepMetadata, typeof resolved.overwrite]).toEqual(['boolean', 'boolean']);
  expect(resolved.signal === undefined || resolved.signal instanceof AbortSignal).toBe(true);
  expect(resolved.onProgress === undefined || typeof resolved.onProgress === 'function').toBe(true);
}

describe('option validation', () => {
  it('refuses a logger without the methods the library calls', () => {
    for (const bad of [5, 'console', {}, { debug() {}, info() {} }, null])
      expect(() => resolveUpscalerOptions({ logger: bad as never })).toThrow(
        /^Invalid option logger: .*; expected an object with debug, info and warn methods$/,
      );
    expect(resolveUpscalerOptions({ logger: silentLogger }).logger).toBe(silentLogger);
  });

  it('resolves upscaler options to sound values, or names a bad option given', async () => {
    const device = fc.option(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...DEVICES, '') },
        { weight: 1, arbitrary: fc.string() },
      ),
      { nil: undefined },
    );
    await fc.assert(
      fc.asyncProperty(someOptions(UPSCALER_VALUES), device, async (options, SWINUP_DEVICE) => {
        const given = { ...options };
        const names = [...Object.keys(options), ...(SWINUP_DEVICE === undefined ? [] : ['SWINUP_DEVICE'])];
        let resolved: ResolvedUpscalerOptions | undefined;
        await failsOnlyWith(
          'INVALID_OPTION',
          () => {
            resolved = resolveUpscalerOptions(options as UpscalerOptions, { SWINUP_DEVICE });
          },
          naming(names),
        );
        expect(options, 'options are not changed').toEqual(given);
        if (resolved !== undefined) expectSoundUpscaler(resolved);
      }),
      { numRuns: 400 },
    );
  });

  it('resolves per-image options to sound values, or names a bad option given', async () => {
    await fc.assert(
      fc.asyncProperty(someOptions(UPSCALE_VALUES), async (options) => {
        let resolved: ResolvedUpscaleOptions | undefined;
        await failsOnlyWith(
          'INVALID_OPTION',
          () => {
            resolved = resolveUpscaleOptions(options as UpscaleOptions);
          },
          naming(Object.keys(options)),
        );
        if (resolved !== undefined) expectSoundUpscale(resolved);
      }),
      PROPERTY_RUNS,
    );
  });
});
