import { runPlugin } from './main.js';

// Figma runs this file as the plugin's main code, with `figma` and `__html__` (the UI) as globals.
runPlugin(figma, __html__).catch((error: unknown) =>
  figma.closePlugin(`swinup failed: ${error instanceof Error ? error.message : String(error)}`),
);
