import { unplugin } from './index.js';

/** The swinup plugin for Rollup: `plugins: [swinup({ cacheDir, defaults, include })]`. */
export default unplugin.rollup;
