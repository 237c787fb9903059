import swinup from '@swinup/unplugin/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    swinup({
      // Every upscaled image becomes WebP unless its import asks otherwise.
      defaults: { format: 'webp', quality: 85 },
    }),
  ],
});
