// Types of swinup image imports: add "@swinup/unplugin/client" to `compilerOptions.types`.
// TypeScript allows one wildcard per pattern, so other query forms need a declaration of their own.

declare module '*?upscale' {
  /** URL of the emitted upscaled image. */
  const src: string;
  export default src;
}

declare module '*&as=meta' {
  /** URL, size and format of the emitted upscaled image. */
  const meta: import('@swinup/unplugin').UpscaledImageMeta;
  export default meta;
}
