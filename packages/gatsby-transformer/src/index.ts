/**
 * gatsby-transformer-swinup — upscales image `File` nodes with SwinIR (through `@swinup/core`) and
 * hands the results to Gatsby's image pipeline: `file { upscaled { childImageSharp { gatsbyImageData } } }`.
 * Gatsby loads the hooks from `gatsby-node.js`; this entry exports the option types for `gatsby-config.ts`.
 * @packageDocumentation
 */

export { ERROR_IDS } from './errors.js';
export type {
  SwinupTransformerOptions,
  SwinupUpscalerOptions,
  UpscaleMode,
  UpscaleSettings,
} from './options.js';
export { pluginOptionsSchema } from './options.js';
