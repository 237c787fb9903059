// Types of the `gatsby-transformer-swinup/gatsby-node` entry: the hooks compiled to dist/.
export * from './dist/gatsby-node.js';
