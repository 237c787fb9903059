import { mergeSettings } from '@swinup/core/adapter';
import { describe, expect, it } from 'vitest';
import { resolvePluginOptions, type SwinupPluginOptions } from './options.js';
import { checkDefaults, parseUpscaleQuery, splitQuery, urlVariantOf } from './query.js';

describe('parseUpscaleQuery', () => {
  it('ignores queries without the upscale key', () => {
    expect(parseUpscaleQuery('')).toBeUndefined();
    expect(parseUpscaleQuery('url')).toBeUndefined();
    expect(parseUpscaleQuery('upscaled')).toBeUndefined();
  });

  it('reads the scale, size, format, quality, model and import kind', () => {
    expect(parseUpscaleQuery('upscale')).toEqual({ settings: {}, as: 'url' });
    expect(parseUpscaleQuery('upscale=4')).toMatchObject({ settings: { scale: 4 }, as: 'url' });
    expect(
      parseUpscaleQuery('upscale&width=1920&format=webp&quality=80&model=swinup-s-x4&as=meta'),
    ).toMatchObject({
      settings: { width: 1920, format: 'webp', quality: 80, model: 'swinup-s-x4' },
      as: 'meta',
    });
    expect(parseUpscaleQuery('upscale&format=jpg')?.settings.format).toBe('jpeg');
  });

  it.each([
    [
      'upscale&sharpen=2',
      /Invalid option sharpen in \?upscale&sharpen=2: "2"; expected one of the query keys/,
    ],
    ['upscale=x', /Invalid option upscale .*: "x"; expected an integer from 1 to 16/],
    ['upscale=4.5', /option upscale .*"4\.5"/],
    ['upscale&width=0', /option width .*: 0; expected an integer from 1 to 1000000/],
    ['upscale=2&width=100', /option upscale .*either a scale or width\/height/],
    ['upscale&format=gif', /option format .*"gif"; expected one of png, jpeg, webp, avif, tiff/],
    ['upscale&quality=101', /option quality .*101; expected an integer from 1 to 100/],
    ['upscale&as=json', /option as .*"json"; expected url or meta/],
    ['upscale&width=1&width=2', /option width .*each key once/],
    ['upscale&model=', /option model .*""; expected a model id/],
  ])('rejects %s naming the option, the value and what is allowed', (query, message) => {
    expect(() => parseUpscaleQuery(query)).toThrow(message);
  });
});

describe('settings', () => {
  it('lets an import size replace the default size and keep the other defaults', () => {
    const defaults = checkDefaults({ scale: 2, format: 'webp', quality: 70 });
    expect(mergeSettings(defaults, { width: 640 })).toEqual({ width: 640, format: 'webp', quality: 70 });
    expect(mergeSettings(defaults, { format: 'png' })).toMatchObject({
      scale: 2,
      format: 'png',
      quality: 70,
    });
  });

  it('validates defaults with the query rules', () => {
    expect(() => checkDefaults({ scale: 99 })).toThrow(/option scale in the plugin option defaults: 99/);
    expect(() => checkDefaults({ size: 2 })).toThrow(/option size .*expected one of scale, width/);
  });

  it('splits ids and derives the URL import of a meta import', () => {
    expect(splitQuery('/a/b.png?upscale&x=1')).toEqual(['/a/b.png', 'upscale&x=1']);
    expect(splitQuery('/a/b.png')).toEqual(['/a/b.png', '']);
    expect(urlVariantOf('/a/b.png?upscale&as=meta&width=9')).toBe('/a/b.png?upscale&width=9');
  });
});

describe('resolvePluginOptions', () => {
  it('fills in defaults', () => {
    expect(resolvePluginOptions()).toMatchObject({ include: [], exclude: [], defaults: {}, upscaler: {} });
    expect(resolvePluginOptions({ include: 'src/**/*.png' }).include).toEqual(['src/**/*.png']);
  });

  it.each([
    [{ includes: ['x'] }, /Unknown swinup plugin option includes; expected one of include, exclude/],
    [{ include: [3] }, /option include: object; expected a glob or an array of globs/],
    [{ cacheDir: '' }, /option cacheDir: ""; expected a folder path/],
    [{ upscaler: { gpu: true } }, /Unknown swinup plugin option upscaler\.gpu; expected one of device/],
    [{ onStats: 'yes' }, /option onStats: "yes"; expected a function/],
    [{ logger: {} }, /option logger: object; expected an object with debug, info and warn/],
  ])('rejects %j', (options, message) => {
    expect(() => resolvePluginOptions(options as SwinupPluginOptions)).toThrow(message);
  });
});
