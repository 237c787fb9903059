// Runs webpack with webpack.config.js through its Node API (what `webpack-cli` does).
import webpack from 'webpack';
import config from './webpack.config.js';

webpack(config, (error, stats) => {
  if (error) {
    console.error(error);
    process.exitCode = 1;
    return;
  }
  console.log(stats.toString({ colors: process.stdout.isTTY, modules: false }));
  if (stats.hasErrors()) process.exitCode = 1;
});
