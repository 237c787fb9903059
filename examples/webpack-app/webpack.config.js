import { fileURLToPath } from 'node:url';
import swinup from '@swinup/unplugin/webpack';

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>swinup · webpack example</title>
  </head>
  <body>
    <main id="app"></main>
    <script src="main.js"></script>
  </body>
</html>
`;

/** Writes the page that loads the bundle (what html-webpack-plugin does in bigger apps). */
class IndexPage {
  apply(compiler) {
    const { Compilation, sources } = compiler.webpack;
    compiler.hooks.thisCompilation.tap('IndexPage', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'IndexPage', stage: Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
        () => compilation.emitAsset('index.html', new sources.RawSource(PAGE)),
      );
    });
  }
}

export default {
  mode: 'production',
  context: fileURLToPath(new URL('.', import.meta.url)),
  entry: './src/main.js',
  output: {
    path: fileURLToPath(new URL('./dist', import.meta.url)),
    filename: 'main.js',
    clean: true,
  },
  module: {
    // Plain image imports stay ordinary asset modules; `?upscale` imports are swinup's.
    rules: [{ test: /\.png$/, type: 'asset/resource' }],
  },
  plugins: [swinup(), new IndexPage()],
};
