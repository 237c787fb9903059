import { unplugin } from './index.js';

/** The swinup plugin for Rspack: `plugins: [swinup({ cacheDir, defaults, include })]`. */
export default unplugin.rspack;
