import { unplugin } from './index.js';

/** The swinup plugin for esbuild: `plugins: [swinup({ cacheDir, defaults, include })]`. */
export default unplugin.esbuild;
