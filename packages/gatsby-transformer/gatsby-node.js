// Gatsby imports `gatsby-node` from the plugin's root folder; the hooks are compiled to dist/.
export * from './dist/gatsby-node.js';
