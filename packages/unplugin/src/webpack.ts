import { unplugin } from './index.js';

/** The swinup plugin for webpack: `plugins: [swinup({ cacheDir, defaults, include })]`. */
export default unplugin.webpack;
