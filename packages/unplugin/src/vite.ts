import { unplugin } from './index.js';

/** The swinup plugin for Vite: `plugins: [swinup({ cacheDir, defaults, include })]`. */
export default unplugin.vite;
