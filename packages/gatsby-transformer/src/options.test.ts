import { mergeSettings } from '@swinup/core/adapter';
import { testPluginOptionsSchema } from 'gatsby-plugin-utils';
import { describe, expect, it } from 'vitest';
import { pluginOptionsSchema, resolveOptions } from './options.js';

describe('pluginOptionsSchema', () => {
  it('accepts no options and every documented option', async () => {
    expect(await testPluginOptionsSchema(pluginOptionsSchema, {})).toMatchObject({
      isValid: true,
      errors: [],
    });
    const all = {
      defaults: { width: 1024, height: 768, model: 'swinup-s-x4', format: 'webp', quality: 80 },
      include: 'hero/*.png',
      exclude: ['**/*.svg'],
      mode: 'lazy',
      upscaler: {
        device: 'cpu',
        threads: 2,
        tileSize: 64,
        tileOverlap: 8,
        maxOutputPixels: 1e7,
        cacheDir: '/m',
      },
    };
    expect(await testPluginOptionsSchema(pluginOptionsSchema, all)).toEqual({
      isValid: true,
      errors: [],
      hasWarnings: false,
      warnings: [],
    });
  });

  it.each([
    [{ mode: 'later' }, ['"mode" must be one of [eager, lazy]']],
    [{ defaults: { scale: 32 } }, ['"defaults.scale" must be less than or equal to 16']],
    [{ defaults: { scale: 2, width: 800 } }, ['"defaults" cannot have both scale and width']],
    [{ defaults: { format: 'gif' } }, ['"defaults.format" must be one of [png, jpeg, webp, avif, tiff]']],
    [
      { defaults: { quality: 0, model: '' } },
      [
        '"defaults.model" is not allowed to be empty',
        '"defaults.quality" must be greater than or equal to 1',
      ],
    ],
    [{ include: 5 }, ['"include" must be one of [string, array]']],
    [{ exclude: [''] }, ['"exclude[0]" is not allowed to be empty']],
    [{ upscaler: { device: 'tpu' } }, ['"upscaler.device" must be one of [auto, cuda, cpu]']],
    [{ upscaler: { tileSize: 1.5 } }, ['"upscaler.tileSize" must be an integer']],
  ])('rejects %j with exact messages', async (options, errors) => {
    expect(await testPluginOptionsSchema(pluginOptionsSchema, options)).toEqual({
      isValid: false,
      errors,
      hasWarnings: false,
      warnings: [],
    });
  });

  it('warns about an unknown option, as Gatsby does for every plugin', async () => {
    expect(await testPluginOptionsSchema(pluginOptionsSchema, { scale: 4 })).toMatchObject({
      isValid: true,
      warnings: ['"scale" is not allowed'],
    });
  });
});

describe('resolveOptions', () => {
  it('fills in the defaults and turns single globs into lists', () => {
    expect(resolveOptions({ include: 'a/*.png', exclude: 'a/b.png', plugins: [] })).toEqual({
      defaults: {},
      include: ['a/*.png'],
      exclude: ['a/b.png'],
      mode: 'eager',
      upscaler: {},
    });
    expect(resolveOptions({ plugins: [] }).include).toEqual(['**/*']);
  });
});

describe('mergeSettings', () => {
  it('lets a size argument replace the default size entirely and keeps the other defaults', () => {
    const defaults = { scale: 4, format: 'webp' as const, quality: 80 };
    expect(mergeSettings(defaults, { width: 1024 })).toEqual({
      scale: undefined,
      width: 1024,
      height: undefined,
      format: 'webp',
      quality: 80,
    });
    expect(mergeSettings(defaults, { format: 'png' })).toEqual({ scale: 4, format: 'png', quality: 80 });
  });

  it('ignores arguments a query left out (GraphQL passes them as null or not at all)', () => {
    const omitted = { scale: null, model: undefined } as unknown as Record<string, never>;
    expect(mergeSettings({ scale: 2 }, omitted)).toEqual({ scale: 2 });
  });
});
