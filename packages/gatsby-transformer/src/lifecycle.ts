import type { GatsbyNode } from 'gatsby';
import { closeSharedUpscalers } from './upscalers.js';

/**
 * Frees this process's upscalers once a phase that may have used them is over, and says how much work
 * it did, e.g. to check on CI that a rebuild ran no inference. A later phase creates them again.
 */
export const onPostBootstrap: GatsbyNode['onPostBootstrap'] = async ({ reporter }) => {
  const counts = await closeSharedUpscalers();
  if (counts !== undefined)
    reporter.info(`swinup: ${counts.inferences} image(s) upscaled, ${counts.cacheHits} from the cache`);
};

/** Same as `onPostBootstrap`, for the images that queries upscaled in the main process. */
export const onPostBuild: GatsbyNode['onPostBuild'] = onPostBootstrap;
