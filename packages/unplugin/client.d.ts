// Types of swinup image imports: add "@swinup/unplugin/client" to `compilerOptions.types`.
// TypeScript allows one wildcard per pattern, so other query forms need a declaration of their own.
// Self-contained on purpose: importing `UpscaledImageMeta` from '@swinup/unplugin' would load unplugin's
// types, which need every bundler unplugin supports, into every program (an error without skipLibCheck).

declare module '*?upscale' {
  /** URL of the emitted upscaled image. */
  const src: string;
  export default src;
}

declare module '*&as=meta' {
  /** URL, size and format of the emitted upscaled image (`UpscaledImageMeta` of '@swinup/unplugin'). */
  const meta: {
    readonly src: string;
    readonly width: number;
    readonly height: number;
    readonly format: string;
  };
  export default meta;
}
