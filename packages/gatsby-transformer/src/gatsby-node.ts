/**
 * The Gatsby Node API hooks of gatsby-transformer-swinup; `gatsby-node.js` at the package root
 * re-exports them, which is where Gatsby looks.
 * @packageDocumentation
 */

export { createResolvers, createSchemaCustomization } from './create-resolvers.js';
export { onPostBootstrap, onPostBuild } from './lifecycle.js';
export { onCreateNode, shouldOnCreateNode } from './on-create-node.js';
export { pluginOptionsSchema } from './options.js';
