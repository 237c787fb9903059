// The globals Figma gives the plugin's main code; the tests set them before importing it.
declare const figma: PluginAPI;
declare const __html__: string;
