import { createHash } from 'node:crypto';
import { basename, dirname, extname, join } from 'node:path';
import type { UpscaleResult } from '@swinup/core';
import type { PluginBuild } from 'esbuild';
import type { UnpluginBuildContext } from 'unplugin';

/** An upscaled image to emit. */
export interface UpscaledAsset {
  /** Absolute path of the source image. */
  readonly file: string;
  /** Output name: the source's stem with the output format's extension (`hero.webp`). */
  readonly name: string;
  readonly data: Buffer;
}

/**
 * Emits an upscaled image the way the bundler emits its own assets and returns the JS of the module
 * whose default export is the asset's public URL.
 */
export type AssetEmitter = (context: UnpluginBuildContext, asset: UpscaledAsset) => string;

/** The output name of an upscaled image: the source's stem with the extension of its format. */
export function assetName(file: string, format: string): string {
  const stem = basename(file, extname(file));
  return `${stem}.${format === 'jpeg' ? 'jpg' : format}`;
}

function contentHash(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 8);
}

/** Under Rollup and Vite the hook context is Rollup's own, whose `emitFile` returns a reference id. */
function emitRollupAsset(context: UnpluginBuildContext, asset: UpscaledAsset): string {
  const rollup = context as unknown as {
    emitFile(file: { type: 'asset'; name: string; source: Uint8Array }): string;
  };
  return rollup.emitFile({ type: 'asset', name: asset.name, source: asset.data });
}

/** Rollup: Rollup names the asset (`assetFileNames`) and writes the URL expression for the output format. */
export const rollupEmitter: AssetEmitter = (context, asset) =>
  `export default import.meta.ROLLUP_FILE_URL_${emitRollupAsset(context, asset)};\n`;

/** Vite build: the placeholder Vite's own asset imports use, so `base` and `renderBuiltUrl` apply. */
export const viteEmitter: AssetEmitter = (context, asset) =>
  `export default "__VITE_ASSET__${emitRollupAsset(context, asset)}__";\n`;

/**
 * webpack and Rspack: the loader emits the file (so it survives their module caches, unlike a
 * compilation-level asset) and the URL is built on the runtime public path, as asset modules do.
 */
export const webpackEmitter: AssetEmitter = (context, asset) => {
  const native = context.getNativeBuildContext?.();
  const loader = native !== undefined && 'loaderContext' in native ? native.loaderContext : undefined;
  if (loader === undefined) throw new Error('an upscaled image can only be emitted while loading a module');
  const ext = extname(asset.name);
  const fileName = `assets/${basename(asset.name, ext)}-${contentHash(asset.data)}${ext}`;
  loader.emitFile(fileName, asset.data);
  return `export default __webpack_public_path__ + ${JSON.stringify(fileName)};\n`;
};

const ESBUILD_ASSET = 'swinup-asset';

/**
 * esbuild: plugins cannot emit files, so the URL module re-exports a module of esbuild's `file`
 * loader, which names, writes (or returns, with `write: false`) and links the asset natively.
 */
export class EsbuildAssets {
  private readonly assets = new Map<string, Buffer>();

  /** The emitter for esbuild builds. */
  readonly emit: AssetEmitter = (_context, asset) => {
    // A folder per content keeps variants of one image apart; esbuild names the output from the base name.
    const path = join(dirname(asset.file), contentHash(asset.data), asset.name);
    this.assets.set(path, asset.data);
    return `export { default } from ${JSON.stringify(`${ESBUILD_ASSET}:${path}`)};\n`;
  };

  /** Registers the resolver and loader of the asset modules. */
  setup(build: PluginBuild): void {
    build.onResolve({ filter: new RegExp(`^${ESBUILD_ASSET}:`) }, (args) => ({
      path: args.path.slice(ESBUILD_ASSET.length + 1),
      namespace: ESBUILD_ASSET,
    }));
    build.onLoad({ filter: /.*/, namespace: ESBUILD_ASSET }, (args) => {
      const contents = this.assets.get(args.path);
      if (contents === undefined) throw new Error(`no upscaled image was emitted as ${args.path}`);
      return { contents, loader: 'file' };
    });
  }
}

/** What a `?upscale&as=meta` import gives: the upscaled asset's URL, size and format. */
export interface UpscaledImageMeta {
  readonly src: string;
  readonly width: number;
  readonly height: number;
  readonly format: string;
}

/** The module of a `…&as=meta` import: the URL import of the same image plus its size and format. */
export function metaModule(urlId: string, info: UpscaleResult['info']): string {
  const fields = `width: ${info.width}, height: ${info.height}, format: ${JSON.stringify(info.format)}`;
  return `import src from ${JSON.stringify(urlId)};\nexport default { src, ${fields} };\n`;
}
