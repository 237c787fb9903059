import { graphql } from 'gatsby';
import { GatsbyImage, getImage } from 'gatsby-plugin-image';

/** The home page: a 256 px photo, upscaled to 1024 px by SwinIR, as a responsive GatsbyImage. */
export default function IndexPage({ data }) {
  const { childImageSharp, upscaled } = data.file;
  return (
    <main style={{ maxWidth: 1024, margin: '0 auto', fontFamily: 'sans-serif' }}>
      <h1>A {childImageSharp.original.width} px photo, shown at up to 1024 px</h1>
      <GatsbyImage image={getImage(upscaled)} alt="A cup of coffee on a saucer, upscaled ×4 by SwinIR" />
    </main>
  );
}

/** The document head of the page. */
export const Head = () => <title>swinup × Gatsby</title>;

export const query = graphql`
  query {
    file(relativePath: { eq: "coffee.png" }) {
      childImageSharp {
        original {
          width
        }
      }
      upscaled(width: 1024) {
        childImageSharp {
          gatsbyImageData(width: 1024, placeholder: DOMINANT_COLOR, formats: [AUTO, WEBP])
        }
      }
    }
  }
`;
