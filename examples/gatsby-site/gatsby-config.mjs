import { join } from 'node:path';

/** @type {import('gatsby').GatsbyConfig} */
const config = {
  siteMetadata: { title: 'swinup × Gatsby' },
  // Pages use JSX without importing React.
  jsxRuntime: 'automatic',
  plugins: [
    {
      resolve: 'gatsby-source-filesystem',
      options: { name: 'images', path: join(import.meta.dirname, 'src/images') },
    },
    'gatsby-plugin-image',
    'gatsby-plugin-sharp',
    'gatsby-transformer-sharp',
    {
      resolve: 'gatsby-transformer-swinup',
      // Lazy: the page query below says which size it needs, so nothing is upscaled that no page shows.
      options: { mode: 'lazy', include: ['*.png'] },
    },
  ],
};

export default config;
